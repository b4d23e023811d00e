-- Browser sessions of the web dashboard (issue 17). Signing in with an API key opens one; the
-- session acts as that key (its organization and scopes) until it expires, is signed out, or
-- the key is revoked (ON DELETE CASCADE covers a deleted key; the lookup joins on revoked_at).
-- Only the hash of the cookie's secret is stored; csrf_token is the per-session token every
-- change made with the cookie must echo in X-CSRF-Token.
CREATE TABLE dashboard_sessions (
  token_hash   text PRIMARY KEY,
  key_id       text NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
  csrf_token   text NOT NULL,
  created_at   timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL
);
CREATE INDEX dashboard_sessions_key_idx ON dashboard_sessions (key_id);
