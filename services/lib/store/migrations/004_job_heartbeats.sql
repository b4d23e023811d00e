-- Job (heartbeat) monitors: the ping token, the ping history and the lateness clock.

-- Only Job monitors have one; it is the only credential of the unauthenticated ping URLs.
ALTER TABLE monitors ADD COLUMN ping_token text UNIQUE;

CREATE TABLE job_pings (
  id            text PRIMARY KEY,
  monitor_id    text NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
  org_id        text NOT NULL,
  -- start | success | fail
  kind          text NOT NULL,
  exit_code     integer,
  received_at   timestamptz NOT NULL,
  -- From the open start to this success/fail; null without a start.
  runtime_ms    bigint,
  -- The first bytes of the request body (the run's log excerpt).
  body          text,
  body_bytes    integer NOT NULL DEFAULT 0,
  method        text NOT NULL,
  source_ip     text,
  user_agent    text
);
CREATE INDEX job_pings_monitor_idx ON job_pings (monitor_id, received_at DESC, id DESC);

-- One row per Job monitor, written by the ping path and the lateness watchdog.
CREATE TABLE job_heartbeats (
  monitor_id      text PRIMARY KEY REFERENCES monitors(id) ON DELETE CASCADE,
  org_id          text NOT NULL,
  -- The next expected ping is the first schedule instant after this one.
  anchor_at       timestamptz NOT NULL,
  -- When the monitor is late: expected time + grace. Null while paused.
  due_at          timestamptz,
  last_ping_at    timestamptz,
  last_ping_kind  text,
  -- The open start, if any, and when it becomes "running too long".
  run_started_at  timestamptz,
  run_due_at      timestamptz
);
CREATE INDEX job_heartbeats_due_idx ON job_heartbeats (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX job_heartbeats_run_due_idx ON job_heartbeats (run_due_at) WHERE run_due_at IS NOT NULL;
