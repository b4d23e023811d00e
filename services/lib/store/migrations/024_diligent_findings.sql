-- Diligent findings as announcements (docs/diligent.md, "Verdict events"): the last
-- conclusive verdict of each check of a monitoring, {"<check>": "flagged" | "clear"}, kept
-- on the transaction that stores an execution; an execution announces the checks whose
-- verdict differs from it, so a redelivered or re-run execution announces nothing twice.
ALTER TABLE diligent_monitorings ADD COLUMN announced_verdicts jsonb NOT NULL DEFAULT '{}'::jsonb;
