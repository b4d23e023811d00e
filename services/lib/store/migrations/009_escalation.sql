-- Escalation policies (issue 12): ordered steps, each "after N minutes unacknowledged,
-- notify these channels", repeated K times. Attached to monitors (config.escalationPolicyId).
CREATE TABLE escalation_policies (
  id            text PRIMARY KEY,
  org_id        text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name          text NOT NULL,
  -- [{ "delayMinutes": n, "channelIds": [...] }], in order; a delay counts from the step before
  steps         jsonb NOT NULL,
  -- how many more times the steps run after the first round
  repeat_count  integer NOT NULL DEFAULT 0,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL
);
CREATE INDEX escalation_policies_org_idx ON escalation_policies (org_id, created_at, id);

-- One timer per (incident, policy): the next step to fire and when. Timers are rows, not
-- in-memory timers, so a restart neither loses nor repeats a step; processes lease due
-- timers with FOR UPDATE SKIP LOCKED, so several fire each step once.
CREATE TABLE escalation_timers (
  incident_id   text NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
  policy_id     text NOT NULL REFERENCES escalation_policies(id) ON DELETE CASCADE,
  org_id        text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  monitor_id    text NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
  -- index over every round: step = next_index % steps, round = next_index / steps
  next_index    integer NOT NULL DEFAULT 0,
  due_at        timestamptz NOT NULL,
  fired_count   integer NOT NULL DEFAULT 0,
  -- Acknowledged | Resolved | Exhausted | PolicyChanged | MonitorGone; null while running
  stopped_at    timestamptz,
  stop_reason   text,
  PRIMARY KEY (incident_id, policy_id)
);
CREATE INDEX escalation_timers_due_idx ON escalation_timers (due_at) WHERE stopped_at IS NULL;
