-- Control plane: tenants, API keys, monitors, monitor status, agent tokens.
-- Runs on PostgreSQL and PGlite alike (one dialect).

CREATE TABLE organizations (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  plan        text NOT NULL DEFAULT 'unlimited',
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Keys are stored only as a SHA-256 hash: they are 256-bit random secrets, so a slow
-- password hash buys nothing and would cost a KDF per request.
CREATE TABLE api_keys (
  id            text PRIMARY KEY,
  org_id        text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name          text NOT NULL,
  key_hash      text NOT NULL UNIQUE,
  masked_key    text NOT NULL,
  scopes        text[] NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_used_at  timestamptz,
  revoked_at    timestamptz
);
CREATE INDEX api_keys_org_idx ON api_keys (org_id) WHERE revoked_at IS NULL;

CREATE TABLE monitors (
  id                text PRIMARY KEY,
  org_id            text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name              text NOT NULL,
  type              text NOT NULL,
  -- The whole normalised configuration as the API shows it (camelCase).
  config            jsonb NOT NULL,
  regions           text[] NOT NULL,
  tags              text[] NOT NULL DEFAULT '{}',
  interval_seconds  integer NOT NULL,
  paused            boolean NOT NULL DEFAULT false,
  -- Bumped on every change; jobs carry it so results can be tied to a configuration.
  revision          bigint NOT NULL DEFAULT 1,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
-- Names are unique per organization so "upsert by name" has exactly one target.
CREATE UNIQUE INDEX monitors_org_name_idx ON monitors (org_id, name);
CREATE INDEX monitors_org_created_idx ON monitors (org_id, created_at, id);
CREATE INDEX monitors_tags_idx ON monitors USING gin (tags);

-- Written by alerting only (the status evaluator).
CREATE TABLE monitor_status (
  monitor_id       text PRIMARY KEY REFERENCES monitors(id) ON DELETE CASCADE,
  org_id           text NOT NULL,
  status           text NOT NULL,
  last_checked_at  timestamptz,
  changed_at       timestamptz NOT NULL DEFAULT now(),
  -- Per region: consecutive failures/successes, last verdict, last result time and id.
  region_state     jsonb NOT NULL DEFAULT '{}'
);

CREATE TABLE agent_tokens (
  id            text PRIMARY KEY,
  name          text NOT NULL,
  region        text NOT NULL,
  token_hash    text NOT NULL UNIQUE,
  created_at    timestamptz NOT NULL DEFAULT now(),
  revoked_at    timestamptz
);
