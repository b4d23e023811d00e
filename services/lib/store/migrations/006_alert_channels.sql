-- Alert channels: where alerts are delivered (Email, Slack, Discord, Teams, Webhook).
CREATE TABLE alert_channels (
  id              text PRIMARY KEY,
  org_id          text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name            text NOT NULL,
  -- Email | Slack | Discord | Teams | Webhook
  type            text NOT NULL,
  -- The type's settings, encrypted at rest (webhook URLs carry secrets): a sealed JSON document.
  settings_sealed text NOT NULL,
  -- Standard Webhooks signing secrets, sealed, newest first (an old one stays until its overlap ends).
  signing_sealed  text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alert_channels_org_idx ON alert_channels (org_id, created_at, id);
