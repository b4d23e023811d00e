-- Events about no monitor (issue 12): a manual incident created without a monitor announces
-- its created / acknowledged / updated / resolved events to the organization's rules that
-- select every monitor. Such an event and its deliveries name no monitor.
ALTER TABLE alert_events ALTER COLUMN monitor_id DROP NOT NULL;
ALTER TABLE alert_deliveries ALTER COLUMN monitor_id DROP NOT NULL;
