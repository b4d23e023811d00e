-- The alerting outbox (DESIGN.md §7a). An event is decided once, in the transaction that changes
-- a monitor's status or incident, and written here with one delivery per channel; delivery
-- workers lease due deliveries and record every attempt. A delivery is also the alert record
-- that GET /api/alerts shows.
CREATE TABLE alert_events (
  id          text PRIMARY KEY,
  org_id      text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  -- Deleting a monitor deletes its alert records (the Enori document: "and all associated data").
  monitor_id  text NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
  -- monitor.down | monitor.up | monitor.degraded | monitor.ssl_expiring | incident.created | incident.resolved
  type        text NOT NULL,
  -- The AlertEvent as decided (services/alerting/events.ts); retries send exactly this.
  payload     jsonb NOT NULL,
  created_at  timestamptz NOT NULL
);

CREATE TABLE alert_deliveries (
  id               text PRIMARY KEY,
  event_id         text NOT NULL REFERENCES alert_events(id) ON DELETE CASCADE,
  org_id           text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  monitor_id       text NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
  -- No foreign key: the record outlives its channel; name and type are kept as they were.
  channel_id       text NOT NULL,
  channel_name     text NOT NULL,
  channel_type     text NOT NULL,
  -- Down | Recovered | P95 | SslExpiring | IncidentCreated | IncidentResolved (the record's `type` filter)
  alert_type       text NOT NULL,
  -- Pending | Retrying | Sent | Failed
  status           text NOT NULL DEFAULT 'Pending',
  attempt_count    integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz,
  -- A worker's claim; once it passes (the worker died mid-send) the delivery is due again.
  lease_until      timestamptz,
  lease_token      text,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  -- One delivery per (event, channel): the idempotency key of DESIGN.md §7.
  UNIQUE (event_id, channel_id)
);
-- What the workers poll: deliveries still to send, by due time.
CREATE INDEX alert_deliveries_due_idx ON alert_deliveries (next_attempt_at) WHERE status IN ('Pending', 'Retrying');
CREATE INDEX alert_deliveries_org_created_idx ON alert_deliveries (org_id, created_at DESC, id DESC);
CREATE INDEX alert_deliveries_monitor_idx ON alert_deliveries (monitor_id);

CREATE TABLE alert_delivery_attempts (
  delivery_id  text NOT NULL REFERENCES alert_deliveries(id) ON DELETE CASCADE,
  attempt      integer NOT NULL,
  at           timestamptz NOT NULL,
  status_code  integer,
  error        text,
  duration_ms  integer NOT NULL,
  PRIMARY KEY (delivery_id, attempt)
);

-- Alert rules: which monitors send which events to which channels (besides a monitor's own
-- alertChannelIds). Selectors narrow together; an empty selector matches everything.
CREATE TABLE alert_rules (
  id             text PRIMARY KEY,
  org_id         text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name           text NOT NULL,
  enabled        boolean NOT NULL,
  -- null = any monitor; else these monitor ids
  monitor_ids    jsonb,
  -- the monitor must carry every one of these tags (AND, like the monitor list's `tag` filter)
  tags           jsonb NOT NULL DEFAULT '[]',
  -- empty = any type
  monitor_types  jsonb NOT NULL DEFAULT '[]',
  events         jsonb NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alert_rules_org_idx ON alert_rules (org_id, created_at, id);

-- Deleting a channel removes it from every rule.
CREATE TABLE alert_rule_channels (
  rule_id     text NOT NULL REFERENCES alert_rules(id) ON DELETE CASCADE,
  channel_id  text NOT NULL REFERENCES alert_channels(id) ON DELETE CASCADE,
  PRIMARY KEY (rule_id, channel_id)
);
CREATE INDEX alert_rule_channels_channel_idx ON alert_rule_channels (channel_id);

-- monitor.ssl_expiring fires once per certificate: the last certificate notified about.
ALTER TABLE monitor_status ADD COLUMN ssl_notified_cert text;
-- monitor.degraded fires once per crossing: whether the monitor is currently degraded (its status reads Degraded while Up).
ALTER TABLE monitor_status ADD COLUMN degraded boolean NOT NULL DEFAULT false;
