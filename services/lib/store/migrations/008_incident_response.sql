-- Incident response (issue 12): manual incidents, acknowledgement, severity, the timeline.
-- A manual incident may name no monitor.
ALTER TABLE incidents ALTER COLUMN monitor_id DROP NOT NULL;
-- Automatic (opened by a status change) | Manual (created through the api)
ALTER TABLE incidents ADD COLUMN kind text NOT NULL DEFAULT 'Automatic';
-- Critical | Major | Minor
ALTER TABLE incidents ADD COLUMN severity text NOT NULL DEFAULT 'Critical';
ALTER TABLE incidents ADD COLUMN message text NOT NULL DEFAULT '';
-- Who acknowledged (an api key id) and when; acknowledging stops escalation.
ALTER TABLE incidents ADD COLUMN acknowledged_at timestamptz;
ALTER TABLE incidents ADD COLUMN acknowledged_by text;
-- Who resolved it by hand (an api key id); null when a recovery resolved it.
ALTER TABLE incidents ADD COLUMN resolved_by text;
-- The key that created a manual incident.
ALTER TABLE incidents ADD COLUMN created_by text;
-- The result that started the outage (earliest first failure of a down region).
ALTER TABLE incidents ADD COLUMN first_failing_result_id text;

-- Only automatic incidents are one per monitor: a manual incident about a monitor neither
-- blocks nor is resolved by its outages.
DROP INDEX incidents_open_monitor_idx;
CREATE UNIQUE INDEX incidents_open_monitor_idx ON incidents (monitor_id) WHERE status = 'Open' AND kind = 'Automatic';
CREATE INDEX incidents_monitor_started_idx ON incidents (monitor_id, started_at DESC, id DESC);

-- The timeline: status updates posted to an incident.
CREATE TABLE incident_updates (
  id           text PRIMARY KEY,
  incident_id  text NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
  org_id       text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  -- Investigating | Identified | Monitoring | Resolved
  status       text NOT NULL,
  message      text NOT NULL,
  -- The api key that posted it; null for updates alerting wrote itself.
  created_by   text,
  created_at   timestamptz NOT NULL
);
CREATE INDEX incident_updates_incident_idx ON incident_updates (incident_id, created_at, id);
