-- Diligent findings as announcements (docs/diligent.md, "Verdict events"): the last
-- conclusive verdict of each check of a monitoring, {"<check>": "flagged" | "clear"}, kept
-- on the transaction that stores an execution; an execution announces the checks whose
-- verdict differs from it, so a redelivered or re-run execution announces nothing twice.
ALTER TABLE diligent_monitorings ADD COLUMN announced_verdicts jsonb NOT NULL DEFAULT '{}'::jsonb;

-- Regions (docs/diligent.md, "Regions"): the Diligent regions an execution runs in, and each
-- region's findings as it reports, {"<region>": [finding, …]}; the execution's `results` are
-- their merge, written when every region has reported or the regions' deadline passed.
ALTER TABLE diligent_executions ADD COLUMN regions text[] NOT NULL DEFAULT '{}';
ALTER TABLE diligent_executions ADD COLUMN region_results jsonb NOT NULL DEFAULT '{}'::jsonb;
