/**
 * The server side behind an api harness for tests of what follows a result: ingest's
 * heartbeat intake and writer into the results store (marking checks taken in maintenance
 * windows), the status evaluator with incidents
 * and the alerts they decide (queued in the outbox; no delivery worker runs),
 * and the heartbeat watchdog on the harness's clock (ticked by the test, never by a timer).
 */
import type { ApiHarness } from './api-harness.js';
import { createLogger } from '../../services/lib/logger.js';
import { subjectsFor } from '../../services/lib/subjects.js';
import { ResultWriter } from '../../services/ingest/result-writer.js';
import { startHeartbeatIntake } from '../../services/ingest/heartbeat-intake.js';
import { startStatusEvaluator } from '../../services/alerting/status-evaluator.js';
import { MonitorStatusStore } from '../../services/alerting/status-store.js';
import { IncidentStore } from '../../services/alerting/incident-store.js';
import { EscalationTimers } from '../../services/alerting/escalation/timers.js';
import { AlertOutbox } from '../../services/alerting/deliveries/outbox.js';
import { MaintenanceWindowStore } from '../../services/alerting/maintenance/store.js';
import { MaintenanceCalendar } from '../../services/alerting/maintenance/calendar.js';
import { HeartbeatStore } from '../../services/heartbeats/heartbeat-store.js';
import { publishHeartbeatResults } from '../../services/heartbeats/heartbeat-results.js';
import { startHeartbeatWatchdog, type HeartbeatWatchdog } from '../../services/heartbeats/watchdog.js';

export interface AlertingHarness {
  watchdog: HeartbeatWatchdog;
  /** Ingest's maintenance windows in memory; refreshed by the test (no timer), as a process does every 15 s. */
  calendar: MaintenanceCalendar;
  stop(): Promise<void>;
}

/** `subjects` must be the harness's (`subjectsFor('test')`). */
export async function startAlertingHarness(h: ApiHarness, now: () => number): Promise<AlertingHarness> {
  const logger = createLogger('silent');
  const subjects = subjectsFor('test');
  const calendar = new MaintenanceCalendar(h.sql);
  await calendar.refresh();
  const writer = new ResultWriter({ store: h.results, hotState: h.hotState, bus: h.bus, subjects, logger, maintenance: calendar }, { maxDelayMs: 2, quietDelayMs: 2 });
  const intake = await startHeartbeatIntake({ bus: h.bus, subjects, writer, retentionDays: 30 });
  const evaluator = await startStatusEvaluator({
    bus: h.bus, subjects, monitors: h.monitors, statuses: new MonitorStatusStore(h.sql), incidents: new IncidentStore(h.sql), outbox: new AlertOutbox(), logger, now,
    maintenance: new MaintenanceWindowStore(h.sql),
    escalations: new EscalationTimers({ sql: h.sql, outbox: new AlertOutbox() }),
  });
  const watchdog = startHeartbeatWatchdog({
    store: new HeartbeatStore(h.sql), publish: (r) => publishHeartbeatResults(h.bus, subjects, r), logger, now, intervalMs: 3_600_000,
  });
  return {
    watchdog,
    calendar,
    async stop() {
      await watchdog.stop();
      await evaluator.unsubscribe();
      await intake.unsubscribe();
      await writer.drain();
    },
  };
}
