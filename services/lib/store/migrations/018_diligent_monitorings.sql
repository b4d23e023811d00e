-- Diligent-compatible website risk monitorings (POST /monitorings, docs/diligent.md) and
-- their executions. Runs on PostgreSQL and PGlite alike.

CREATE TABLE diligent_monitorings (
  id                uuid PRIMARY KEY,
  org_id            text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  -- The sanitised URL as stored and shown.
  website           text NOT NULL,
  -- Host (lower case, ASCII, without "www.") and non-default port: one monitoring per site per customer.
  canonical_origin  text NOT NULL,
  checks            text[] NOT NULL,
  frequency         text NOT NULL,
  is_active         boolean NOT NULL DEFAULT true,
  running_state     text NOT NULL DEFAULT 'IDLE',
  next_run_at       timestamptz,
  -- Set by run_now / POST …/run; the scheduler queues an execution and clears it.
  run_requested_at  timestamptz,
  expires_at        timestamptz NOT NULL,
  last_execution    timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, canonical_origin)
);
CREATE INDEX diligent_monitorings_due_idx ON diligent_monitorings (next_run_at) WHERE is_active AND running_state = 'IDLE';
CREATE INDEX diligent_monitorings_requested_idx ON diligent_monitorings (run_requested_at) WHERE run_requested_at IS NOT NULL;

CREATE TABLE diligent_executions (
  -- <monitoring id>.<scheduled ms>: a re-published job is the same execution.
  id             text PRIMARY KEY,
  monitoring_id  uuid NOT NULL REFERENCES diligent_monitorings(id) ON DELETE CASCADE,
  org_id         text NOT NULL,
  trigger        text NOT NULL,
  checks         text[] NOT NULL,
  status         text NOT NULL DEFAULT 'queued',
  -- Incremented each time the job is (re-)published; part of the bus msgId.
  attempt        integer NOT NULL DEFAULT 1,
  queued_at      timestamptz NOT NULL,
  dispatched_at  timestamptz NOT NULL,
  started_at     timestamptz,
  finished_at    timestamptz,
  -- [{check, verdict, confidence, evidence, …}] once finished.
  results        jsonb
);
CREATE INDEX diligent_executions_monitoring_idx ON diligent_executions (monitoring_id, queued_at DESC);
CREATE INDEX diligent_executions_open_idx ON diligent_executions (dispatched_at) WHERE status IN ('queued', 'running');

-- An organization's own view of which merchant category codes are high risk, over the
-- shipped program table (services/diligent/data/mcc.json): high_risk false removes one.
CREATE TABLE diligent_mcc_overrides (
  org_id     text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  mcc        text NOT NULL,
  high_risk  boolean NOT NULL,
  PRIMARY KEY (org_id, mcc)
);
