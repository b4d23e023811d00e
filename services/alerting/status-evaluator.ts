import { CheckResult } from '../../proto/generated/pharos/v1/result.js';
import { CheckStatus } from '../../proto/generated/pharos/v1/result.js';
import type { JobBus, Subscription } from '../lib/ports/job-bus.js';
import type { Subjects } from '../lib/subjects.js';
import type { Logger } from '../lib/logger.js';
import type { MonitorStore } from '../lib/monitors/store.js';
import { effectiveQuorum, statusRegions, type Monitor } from '../lib/monitors/model.js';
import { applyResult, type StatusTransition } from './status-machine.js';
import type { MonitorStatusStore } from './status-store.js';
import type { IncidentStore } from './incident-store.js';
import type { AlertOutbox } from './deliveries/outbox.js';
import type { EscalationStopper } from './incident-lifecycle.js';
import type { MaintenanceWindowStore } from './maintenance/store.js';
import type { DarkRegions } from './dark-regions.js';
import { ResponseTimeWindows } from './degradation/response-time-window.js';
import { decideDegradation, decideSslExpiring, decideTransitionEvents, type DecidedEvent, type ObservedCertificate, type TriggeringResult } from './alert-decisions.js';
import type { SqlClient } from '../lib/ports/sql-client.js';
import { errorKindName, errorPhaseName } from '../ingest/to-stored-result.js';

export interface StatusEvaluatorDeps {
  bus: JobBus;
  subjects: Subjects;
  monitors: MonitorStore;
  statuses: MonitorStatusStore;
  /** Opens and resolves incidents with each status change, in its transaction. */
  incidents?: IncidentStore;
  /** Starts an opened incident's escalation and stops a resolved one's, in the status change's transaction. */
  escalations?: EscalationStopper;
  /** Regions whose agents all stopped reporting: left out of the quorum (absent: every region counts). */
  darkRegions?: DarkRegions;
  /** Maintenance windows: a result taken while one holds the monitor changes nothing (no status, alert or incident). */
  maintenance?: Pick<MaintenanceWindowStore, 'inForce'>;
  /** Where decided events go, in the status change's transaction (absent: nobody is told). */
  outbox?: AlertOutbox;
  /** Called after a transaction that queued deliveries commits, to wake the delivery workers. */
  onDeliveriesQueued?: () => void;
  /** When an event is decided (its deliveries are due from then); the result's time is the event's timestamp. */
  now?: () => number;
  /** Recent response times per monitor for monitor.degraded (this process's own, bounded). */
  responseTimes?: ResponseTimeWindows;
  logger: Logger;
  /** Called after a status change is stored (incidents and notifications hook in here). */
  onTransition?: (monitor: Monitor, transition: StatusTransition) => Promise<void>;
}

export const STATUS_CONSUMER = 'alerting-status';

/**
 * Consumes stored results from the durable results stream and advances each monitor's
 * state machine. A message is acknowledged only after the new state is committed, so a
 * crash redelivers it; the state machine ignores a result it has already applied, so a
 * redelivery never counts twice.
 */
export async function startStatusEvaluator(deps: StatusEvaluatorDeps): Promise<Subscription> {
  const { bus, subjects, monitors, statuses, logger } = deps;
  const responseTimes = deps.responseTimes ?? new ResponseTimeWindows();
  return bus.consumeDurable(
    { durable: STATUS_CONSUMER, subject: subjects.allResults, maxDeliver: 50, ackWaitMs: 30_000 },
    async (msg) => {
      const result = CheckResult.decode(msg.data);
      // Skipped and missed slots say nothing about the target: they neither fail nor recover it.
      if (result.status !== CheckStatus.CHECK_STATUS_UP && result.status !== CheckStatus.CHECK_STATUS_DOWN) return;
      const monitor = await monitors.getById(result.monitorId);
      if (!monitor || monitor.orgId !== result.orgId || monitor.paused) return;
      // Judged at the check's own time, so a redelivery after the window decides the same.
      if (deps.maintenance && (await deps.maintenance.inForce(monitor.orgId, [monitor], result.startedAtMs)).has(monitor.id)) return;
      const regions = statusRegions(monitor);
      const dark = deps.darkRegions ? await deps.darkRegions() : new Set<string>();
      const unknownRegions = regions.filter((r) => dark.has(r));
      const known = regions.filter((r) => !dark.has(r));
      const policy = {
        regions,
        failureThreshold: monitor.failureThreshold,
        recoveryThreshold: monitor.recoveryThreshold,
        // The quorum is taken over the regions that can still answer.
        quorum: effectiveQuorum({ ...monitor, regions: known.length ? known : regions }),
        unknownRegions,
      };
      const up = result.status === CheckStatus.CHECK_STATUS_UP;
      const responseTimeMs = responseTimeOf(result);
      // Successful checks only: a failure's time measures the failure, not the service.
      const p95Ms = up && responseTimeMs !== null && monitor.p95ThresholdMs !== null
        ? responseTimes.observe(monitor.id, monitor.p95WindowSeconds * 1000, { resultId: result.resultId, atMs: result.startedAtMs, ms: responseTimeMs })
        : null;
      let queued = 0;
      let newStatus: string = 'Pending';
      const transition = await statuses.update(monitor.orgId, monitor.id, (state) => {
        const evaluation = applyResult(state, policy, {
          resultId: result.resultId,
          region: result.region,
          up,
          startedAtMs: result.startedAtMs,
          errorMessage: result.errorMessage,
          errorKind: errorKindName(result),
          errorPhase: errorPhaseName(result),
        });
        newStatus = evaluation.state.status;
        return evaluation.applied ? { state: evaluation.state, result: evaluation.transition } : null;
      }, async (tx, change) => {
        const incidents = change && deps.incidents ? await deps.incidents.applyTransition(tx, monitor, change) : { opened: null, resolved: null };
        const nowMs = (deps.now ?? Date.now)();
        if (incidents.opened) await deps.escalations?.start(tx, incidents.opened, monitor, nowMs);
        if (incidents.resolved) await deps.escalations?.stop(tx, incidents.resolved.id, nowMs, 'Resolved');
        if (!deps.outbox) return;
        const trigger: TriggeringResult = { atMs: result.startedAtMs, responseTimeMs };
        const events: DecidedEvent[] = change ? decideTransitionEvents(monitor, change, incidents, trigger) : [];
        const ssl = await sslExpiringEvent(tx, monitor, result, trigger);
        if (ssl) events.push(ssl);
        const degraded = await degradedEvent(tx, monitor, newStatus, p95Ms, trigger);
        if (degraded) events.push(degraded);
        queued = await deps.outbox.enqueue(tx, monitor, events, nowMs);
      });
      // Committed: the workers may pick the deliveries up now rather than at their next poll.
      if (queued > 0) deps.onDeliveriesQueued?.();
      if (transition) {
        logger.info({ event: 'monitor.status_changed', monitorId: monitor.id, orgId: monitor.orgId, from: transition.from, to: transition.to, evidence: transition.evidence }, 'monitor status changed');
        await deps.onTransition?.(monitor, transition);
      }
    },
  );
}

function responseTimeOf(result: CheckResult): number | null {
  const total = result.timings?.totalMs ?? 0;
  return total > 0 ? Math.round(total) : null;
}

function certificateOf(result: CheckResult): ObservedCertificate | null {
  const tls = result.tls;
  if (!tls || tls.notAfterMs <= 0) return null;
  return { notAfterMs: tls.notAfterMs, subject: tls.subject, fingerprint: tls.fingerprintSha256, expiringSoon: tls.expiringSoon };
}

/**
 * monitor.ssl_expiring once per certificate: the last notified certificate is kept on the
 * monitor's status row (locked by this transaction), so every region's checks of the same
 * certificate and every redelivery agree it was told already.
 */
async function sslExpiringEvent(tx: SqlClient, monitor: Monitor, result: CheckResult, trigger: TriggeringResult): Promise<DecidedEvent | null> {
  const cert = certificateOf(result);
  if (!cert?.expiringSoon) return null;
  const { rows } = await tx.query<{ ssl_notified_cert: string | null }>(`SELECT ssl_notified_cert FROM monitor_status WHERE monitor_id = $1`, [monitor.id]);
  const decided = decideSslExpiring(monitor, cert, rows[0]?.ssl_notified_cert ?? null, trigger);
  if (!decided) return null;
  await tx.query(`UPDATE monitor_status SET ssl_notified_cert = $2 WHERE monitor_id = $1`, [monitor.id, decided.key]);
  return decided.event;
}

/**
 * monitor.degraded once per crossing: whether the monitor is degraded lives on its status row
 * (the window is only this process's cache), so redeliveries and restarts agree.
 */
async function degradedEvent(tx: SqlClient, monitor: Monitor, status: string, p95Ms: number | null, trigger: TriggeringResult): Promise<DecidedEvent | null> {
  // Off: nothing to read (a flag left from before reads as not degraded, see MonitorStore).
  if (monitor.p95ThresholdMs === null) return null;
  const { rows } = await tx.query<{ degraded: boolean }>(`SELECT degraded FROM monitor_status WHERE monitor_id = $1`, [monitor.id]);
  const was = rows[0]?.degraded ?? false;
  const decided = decideDegradation(monitor, status, was, p95Ms, trigger);
  if (decided.degraded !== was) await tx.query(`UPDATE monitor_status SET degraded = $2 WHERE monitor_id = $1`, [monitor.id, decided.degraded]);
  return decided.event;
}
