-- Queued deliveries wake a waiting worker (docs/alerting.md, "Delivery"). A statement that
-- inserts deliveries notifies the channel `alert_deliveries_queued` when its session asked
-- for it (`pharos.notify_queued_deliveries` on: `pharos dev`, PGlite's only session, which
-- listens and sleeps until the next due delivery instead of polling every second). Postgres
-- delivers the notification when the transaction commits, once however many rows it
-- inserted. `pharos server`'s workers poll and never set it, so its commits queue no
-- notification (nor take NOTIFY's database-wide commit lock).
CREATE FUNCTION alert_deliveries_queued() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('pharos.notify_queued_deliveries', true) = 'on' THEN
    PERFORM pg_notify('alert_deliveries_queued', '');
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER alert_deliveries_queued AFTER INSERT ON alert_deliveries
  FOR EACH STATEMENT EXECUTE FUNCTION alert_deliveries_queued();
