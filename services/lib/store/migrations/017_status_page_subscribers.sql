-- Email subscribers of a public status page (issue 13). Double opt-in: a row starts pending and
-- is confirmed by the signed link mailed to it; only confirmed rows without unsubscribed_at are
-- mailed. Links carry an HMAC over the row's id (services/status-pages/subscription-tokens.ts),
-- so no token is stored. page_url is the page's public address when the person subscribed
-- (PHAROS_PUBLIC_URL or the request's origin), the base of every link mailed to them.
CREATE TABLE status_page_subscribers (
  id               text PRIMARY KEY,
  page_id          text NOT NULL REFERENCES status_pages(id) ON DELETE CASCADE,
  -- lower-cased
  email            text NOT NULL,
  -- pending | confirmed
  state            text NOT NULL DEFAULT 'pending',
  page_url         text NOT NULL,
  created_at       timestamptz NOT NULL,
  confirmed_at     timestamptz,
  unsubscribed_at  timestamptz
);
CREATE UNIQUE INDEX status_page_subscribers_page_email_idx ON status_page_subscribers (page_id, email);
CREATE INDEX status_page_subscribers_confirmed_idx ON status_page_subscribers (page_id) WHERE state = 'confirmed' AND unsubscribed_at IS NULL;
