-- The delivery workers' claim orders due deliveries by (next_attempt_at, id) and takes the
-- first few. 007's index covers next_attempt_at alone, so a burst of deliveries sharing one
-- due time (every event of one transaction, or a backlog after an outage) had to be read and
-- sorted whole on every claim. With id in the key the claim reads only the rows it takes
-- (plus the few still leased ahead of them): an index scan under the LIMIT, no sort.
-- (008 is another change's number.)
CREATE INDEX alert_deliveries_claim_idx ON alert_deliveries (next_attempt_at, id) WHERE status IN ('Pending', 'Retrying');
DROP INDEX alert_deliveries_due_idx;
