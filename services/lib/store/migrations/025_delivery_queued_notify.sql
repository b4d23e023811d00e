-- Queued deliveries wake a waiting worker (docs/alerting.md, "Delivery"). A statement that
-- inserts deliveries notifies the channel `alert_deliveries_queued`; Postgres delivers the
-- notification when the transaction commits, once per transaction however many rows it
-- inserted, to the sessions that LISTEN on it. `pharos dev`, PGlite's only client, listens
-- and sleeps until the next due delivery instead of polling every second; `pharos server`'s
-- workers poll, and with nobody listening a notification is a queue entry dropped at once.
CREATE FUNCTION alert_deliveries_queued() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('alert_deliveries_queued', '');
  RETURN NULL;
END
$$;
CREATE TRIGGER alert_deliveries_queued AFTER INSERT ON alert_deliveries
  FOR EACH STATEMENT EXECUTE FUNCTION alert_deliveries_queued();
