-- Monthly SLA reports (issue 13): generated on request and kept. A deleted report keeps its
-- row (deleted_at) because the plan's "Reports per Month" counts reports generated, not kept.
CREATE TABLE sla_reports (
  id            text PRIMARY KEY,
  org_id        text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  -- the calendar month reported, 'YYYY-MM' (UTC)
  month         text NOT NULL,
  created_at    timestamptz NOT NULL,
  deleted_at    timestamptz,
  -- the whole report as the API returns it (figures are frozen when it is generated)
  body          jsonb NOT NULL
);
CREATE INDEX sla_reports_org_created_idx ON sla_reports (org_id, created_at DESC, id DESC);
