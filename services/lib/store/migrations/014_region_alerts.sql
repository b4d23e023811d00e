-- The operator-facing alert when a region loses all its agents (issue 12). It goes to the
-- deployment's operator channels (PHAROS_OPERATOR_WEBHOOK_URL, PHAROS_OPERATOR_EMAILS), not
-- to any organization: its outbox rows name no organization.
ALTER TABLE alert_events ALTER COLUMN org_id DROP NOT NULL;
ALTER TABLE alert_deliveries ALTER COLUMN org_id DROP NOT NULL;

-- Whether each declared region was last seen dark, so that of every alerting process
-- watching presence one announces each change, once: the change is made under the row's
-- lock, in the transaction that writes its event.
CREATE TABLE region_states (
  region      text PRIMARY KEY,
  dark        boolean NOT NULL,
  -- Whether this dark spell was announced (a region first seen dark never had agents to lose,
  -- so its first agents are not a recovery either).
  announced   boolean NOT NULL,
  -- When the presence read that made the change was taken: an older read (another process's
  -- cache) cannot undo it.
  observed_at timestamptz NOT NULL
);
