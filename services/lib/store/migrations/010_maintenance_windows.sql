-- Maintenance windows (issue 12): one-off (starts_at, ends_at) or recurring (a cron expression
-- or an RRULE, each occurrence lasting duration_minutes, read in timezone); for monitors by
-- id, by tag, or all. mute: checks run, no alerts, no incidents; pause: no checks.
CREATE TABLE maintenance_windows (
  id                 text PRIMARY KEY,
  org_id             text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name               text NOT NULL,
  -- mute | pause
  mode               text NOT NULL,
  starts_at          timestamptz,
  ends_at            timestamptz,
  cron_expression    text,
  rrule              text,
  duration_minutes   integer,
  timezone           text NOT NULL DEFAULT 'UTC',
  -- the RRULE's DTSTART: startsAt, else when the window was created
  anchor_at          timestamptz NOT NULL,
  -- null = not by id; else these monitor ids
  monitor_ids        jsonb,
  -- the monitor must carry every one of these tags (AND, like alert rules)
  tags               jsonb NOT NULL DEFAULT '[]',
  all_monitors       boolean NOT NULL DEFAULT false,
  -- POST …/start: on over this span whatever the schedule says
  override_start_at  timestamptz,
  override_end_at    timestamptz,
  -- POST …/end: the occurrence containing this instant ended here
  ended_at           timestamptz,
  created_at         timestamptz NOT NULL,
  updated_at         timestamptz NOT NULL
);
CREATE INDEX maintenance_windows_org_idx ON maintenance_windows (org_id, created_at, id);
