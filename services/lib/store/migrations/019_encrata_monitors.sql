-- The Encrata surface (issue 15): entity monitors that enrich emails, phones, domains, IPs,
-- companies and breach exposure on a schedule and report what changed. Ids are UUIDs (the
-- Encrata document's `id`), not the prefixed ids of the Enori surface.

-- Contact lists: the targets of a monitor whose data_source_type is `list`. A list holds one
-- kind of entry (its entry_type, a monitor type); a monitor reads its list at every run, so
-- edits are picked up at the next run.
CREATE TABLE encrata_contact_lists (
  id          text PRIMARY KEY,
  org_id      text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name        text NOT NULL,
  entry_type  text NOT NULL,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL
);
CREATE INDEX encrata_contact_lists_org_idx ON encrata_contact_lists (org_id, created_at, id);

CREATE TABLE encrata_contact_list_entries (
  list_id     text NOT NULL REFERENCES encrata_contact_lists(id) ON DELETE CASCADE,
  -- the normalised value (lower-case email and domain, E.164 phone, canonical IP)
  value       text NOT NULL,
  created_at  timestamptz NOT NULL,
  PRIMARY KEY (list_id, value)
);

CREATE TABLE encrata_monitors (
  id                text PRIMARY KEY,
  org_id            text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name              text NOT NULL,
  -- email | phone | domain | ip | company | darkweb
  monitor_type      text NOT NULL,
  -- weekly | biweekly | monthly | quarterly
  frequency         text NOT NULL,
  -- diff_only | full_refresh
  change_detection  text NOT NULL,
  -- active | paused
  status            text NOT NULL,
  -- JSON Pointers into a target's record; empty = the type's default set
  tracked_fields    jsonb NOT NULL DEFAULT '[]',
  -- csv (targets stored below, from the body or a CSV upload) | list (a contact list's entries)
  data_source_type  text NOT NULL,
  -- a list source's contact list; a list in use cannot be deleted
  data_source_ref   text REFERENCES encrata_contact_lists(id) ON DELETE RESTRICT,
  next_run_at       timestamptz NOT NULL,
  -- set by creation and "run now": the scheduler loop runs it at its next scan
  run_requested_at  timestamptz,
  last_run_at       timestamptz,
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL
);
CREATE INDEX encrata_monitors_org_idx ON encrata_monitors (org_id, created_at, id);
CREATE INDEX encrata_monitors_due_idx ON encrata_monitors (next_run_at) WHERE status = 'active';

-- A csv-source monitor's targets (normalised values, as listed).
CREATE TABLE encrata_targets (
  monitor_id  text NOT NULL REFERENCES encrata_monitors(id) ON DELETE CASCADE,
  value       text NOT NULL,
  position    integer NOT NULL,
  -- company monitors: a pinned legal entity identifier (an LEI or an SEC CIK), else null
  pinned_id   text,
  PRIMARY KEY (monitor_id, value)
);

-- One run of a monitor (scheduled or requested); its targets are enriched in chunks by the
-- encrata workers, each chunk counting what it saw.
CREATE TABLE encrata_runs (
  id                 text PRIMARY KEY,
  monitor_id         text NOT NULL REFERENCES encrata_monitors(id) ON DELETE CASCADE,
  org_id             text NOT NULL,
  trigger            text NOT NULL,
  baseline           boolean NOT NULL,
  chunks_total       integer NOT NULL,
  chunks_done        integer NOT NULL DEFAULT 0,
  targets_total      integer NOT NULL,
  targets_changed    integer NOT NULL DEFAULT 0,
  targets_unchanged  integer NOT NULL DEFAULT 0,
  targets_inconclusive integer NOT NULL DEFAULT 0,
  started_at         timestamptz NOT NULL,
  finished_at        timestamptz
);
CREATE INDEX encrata_runs_monitor_idx ON encrata_runs (monitor_id, started_at DESC);
-- A chunk counted once even when its message is delivered twice.
CREATE TABLE encrata_run_chunks (
  run_id  text NOT NULL REFERENCES encrata_runs(id) ON DELETE CASCADE,
  chunk   integer NOT NULL,
  PRIMARY KEY (run_id, chunk)
);

-- Each target's current record: the canonical snapshot and its hash.
CREATE TABLE encrata_snapshots (
  monitor_id   text NOT NULL REFERENCES encrata_monitors(id) ON DELETE CASCADE,
  target       text NOT NULL,
  hash         text NOT NULL,
  record       jsonb NOT NULL,
  -- sections a source could not answer at the last run (their values carried over)
  inconclusive jsonb NOT NULL DEFAULT '[]',
  enriched_at  timestamptz NOT NULL,
  changed_at   timestamptz NOT NULL,
  PRIMARY KEY (monitor_id, target)
);

-- The history of changes: one row per target and run that changed a tracked field.
CREATE TABLE encrata_changes (
  id          text PRIMARY KEY,
  monitor_id  text NOT NULL REFERENCES encrata_monitors(id) ON DELETE CASCADE,
  run_id      text NOT NULL,
  target      text NOT NULL,
  -- [{ field: JSON Pointer, kind: added|removed|changed, before, after }]
  changes     jsonb NOT NULL,
  created_at  timestamptz NOT NULL,
  UNIQUE (run_id, target)
);
CREATE INDEX encrata_changes_target_idx ON encrata_changes (monitor_id, target, created_at DESC);
