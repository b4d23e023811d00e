-- Public status pages (issue 13). The slug is unique across the deployment, not per
-- organization, because it is the page's public address (/status/{slug}); likewise a custom
-- domain names one page. Components keep their order and group in one jsonb array
-- ([{monitorId, displayName, group, showUptime}]): they are always read and written whole
-- with their page, and a deleted monitor drops off when the page is read.
CREATE TABLE status_pages (
  id             text PRIMARY KEY,
  org_id         text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  slug           text NOT NULL,
  title          text NOT NULL,
  description    text NOT NULL DEFAULT '',
  custom_domain  text,
  -- public | password
  visibility     text NOT NULL,
  -- scrypt, salted (services/status-pages/password.ts); null for a public page
  password_hash  text,
  components     jsonb NOT NULL DEFAULT '[]',
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL
);
CREATE UNIQUE INDEX status_pages_slug_idx ON status_pages (slug);
CREATE UNIQUE INDEX status_pages_domain_idx ON status_pages (custom_domain) WHERE custom_domain IS NOT NULL;
CREATE INDEX status_pages_org_idx ON status_pages (org_id, created_at, id);
