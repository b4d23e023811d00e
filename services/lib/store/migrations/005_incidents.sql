-- Incidents: opened when a monitor goes Down, resolved when it recovers (alerting writes them).
CREATE TABLE incidents (
  id           text PRIMARY KEY,
  org_id       text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  -- Deleting a monitor deletes its incidents (the Enori document: "and all associated data").
  monitor_id   text NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
  title        text NOT NULL,
  -- Open | Resolved
  status       text NOT NULL,
  cause        text NOT NULL DEFAULT '',
  started_at   timestamptz NOT NULL,
  resolved_at  timestamptz,
  -- Per region at the opening transition: verdict, consecutive failures, last error.
  evidence     jsonb NOT NULL DEFAULT '[]'
);
-- At most one open incident per monitor: a redelivered transition cannot open a second.
CREATE UNIQUE INDEX incidents_open_monitor_idx ON incidents (monitor_id) WHERE status = 'Open';
CREATE INDEX incidents_org_started_idx ON incidents (org_id, started_at DESC, id DESC);
