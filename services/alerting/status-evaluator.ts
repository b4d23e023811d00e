import { CheckResult } from '../../proto/generated/pharos/v1/result.js';
import { CheckStatus } from '../../proto/generated/pharos/v1/result.js';
import type { JobBus, Subscription } from '../lib/ports/job-bus.js';
import type { Subjects } from '../lib/subjects.js';
import type { Logger } from '../lib/logger.js';
import type { MonitorStore } from '../lib/monitors/store.js';
import { effectiveQuorum, statusRegions, type Monitor } from '../lib/monitors/model.js';
import { applyResult, type StatusPolicy, type StatusTransition } from './status-machine.js';
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
  maintenance?: Pick<MaintenanceWindowStore, 'inForceAt'>;
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

/** Results evaluated in one transaction, at most; and the results the bus may hand over unacknowledged. */
const MAX_BATCH = 500;
const MAX_IN_FLIGHT = 2 * MAX_BATCH;

interface Pending {
  result: CheckResult;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Consumes stored results from the durable results stream and advances each monitor's
 * state machine. Results are evaluated in batches: those that arrived while the previous
 * batch was being written go together into one transaction (the monitors read in one query,
 * their status rows locked and read in one, written in one), so the status path keeps up
 * with hundreds of results a second on PGlite. A message is acknowledged only after its
 * batch is committed, so a crash redelivers it; the state machine ignores a result it has
 * already applied, so a redelivery never counts twice. A batch that fails is retried one
 * result at a time, so one result that cannot be evaluated holds back only itself.
 */
export async function startStatusEvaluator(deps: StatusEvaluatorDeps): Promise<Subscription> {
  const { bus, subjects, logger } = deps;
  const responseTimes = deps.responseTimes ?? new ResponseTimeWindows();
  const evaluate = (results: readonly CheckResult[]) => evaluateBatch(deps, responseTimes, results);
  const pending: Pending[] = [];
  let draining = false;

  async function drain(): Promise<void> {
    while (pending.length > 0) {
      const batch = pending.splice(0, MAX_BATCH);
      try {
        await evaluate(batch.map((p) => p.result));
        for (const p of batch) p.resolve();
      } catch (err) {
        if (batch.length === 1) {
          batch[0]!.reject(err);
          continue;
        }
        logger.warn({ err, event: 'status.batch_failed', results: batch.length }, 'status batch failed; evaluating its results one by one');
        for (const p of batch) await evaluate([p.result]).then(p.resolve, p.reject);
      }
    }
    draining = false;
  }

  return bus.consumeDurable(
    { durable: STATUS_CONSUMER, subject: subjects.allResults, maxDeliver: 50, ackWaitMs: 30_000, maxInFlight: MAX_IN_FLIGHT },
    (msg) => new Promise<void>((resolve, reject) => {
      // A message that does not decode fails alone, before it can fail a batch.
      const result = CheckResult.decode(msg.data);
      pending.push({ result, resolve, reject });
      if (draining) return;
      draining = true;
      // After the messages the bus hands over in this turn, so they make one batch.
      setImmediate(() => void drain());
    }),
  );
}

interface Evaluable {
  result: CheckResult;
  monitor: Monitor;
}

async function evaluateBatch(deps: StatusEvaluatorDeps, responseTimes: ResponseTimeWindows, all: readonly CheckResult[]): Promise<void> {
  const { monitors, statuses, logger } = deps;
  const started = performance.now();
  // Skipped and missed slots say nothing about the target: they neither fail nor recover it.
  const results = all.filter((r) => r.status === CheckStatus.CHECK_STATUS_UP || r.status === CheckStatus.CHECK_STATUS_DOWN);
  if (results.length === 0) return;
  const byId = new Map((await monitors.getByIds([...new Set(results.map((r) => r.monitorId))])).map((m) => [m.id, m]));
  let evaluable: Evaluable[] = [];
  for (const result of results) {
    const monitor = byId.get(result.monitorId);
    if (monitor && monitor.orgId === result.orgId && !monitor.paused) evaluable.push({ result, monitor });
  }
  // Judged at the check's own time, so a redelivery after the window decides the same.
  if (deps.maintenance && evaluable.length > 0) {
    const inForce = new Map<string, Awaited<ReturnType<MaintenanceWindowStore['inForceAt']>>>();
    for (const orgId of new Set(evaluable.map((e) => e.monitor.orgId))) inForce.set(orgId, await deps.maintenance.inForceAt(orgId));
    evaluable = evaluable.filter(({ result, monitor }) => !inForce.get(monitor.orgId)!([monitor], result.startedAtMs).has(monitor.id));
  }
  if (evaluable.length === 0) return;
  const dark = deps.darkRegions ? await deps.darkRegions() : new Set<string>();
  const policies = new Map<string, StatusPolicy>();
  const policyOf = (monitor: Monitor): StatusPolicy => {
    let policy = policies.get(monitor.id);
    if (!policy) {
      const regions = statusRegions(monitor);
      const known = regions.filter((r) => !dark.has(r));
      policy = {
        regions,
        failureThreshold: monitor.failureThreshold,
        recoveryThreshold: monitor.recoveryThreshold,
        // The quorum is taken over the regions that can still answer.
        quorum: effectiveQuorum({ ...monitor, regions: known.length ? known : regions }),
        unknownRegions: regions.filter((r) => dark.has(r)),
      };
      policies.set(monitor.id, policy);
    }
    return policy;
  };

  let queued = 0;
  const transitions: Array<{ monitor: Monitor; transition: StatusTransition }> = [];
  await statuses.updateMany(evaluable.map(({ monitor }) => ({ orgId: monitor.orgId, monitorId: monitor.id })), async (batch) => {
    for (const { result, monitor } of evaluable) {
      const up = result.status === CheckStatus.CHECK_STATUS_UP;
      const responseTimeMs = responseTimeOf(result);
      // Successful checks only: a failure's time measures the failure, not the service.
      const p95Ms = up && responseTimeMs !== null && monitor.p95ThresholdMs !== null
        ? responseTimes.observe(monitor.id, monitor.p95WindowSeconds * 1000, { resultId: result.resultId, atMs: result.startedAtMs, ms: responseTimeMs })
        : null;
      const evaluation = applyResult(batch.get(monitor.id), policyOf(monitor), {
        resultId: result.resultId,
        region: result.region,
        up,
        startedAtMs: result.startedAtMs,
        errorMessage: result.errorMessage,
        errorKind: errorKindName(result),
        errorPhase: errorPhaseName(result),
      });
      if (!evaluation.applied) continue;
      batch.set(monitor.id, evaluation.state);
      const change = evaluation.transition;
      const { tx } = batch;
      if (change) {
        // The new status is stored before the incident, as when each result had its own transaction.
        await batch.write();
        transitions.push({ monitor, transition: change });
      }
      const incidents = change && deps.incidents ? await deps.incidents.applyTransition(tx, monitor, change) : { opened: null, resolved: null };
      const nowMs = (deps.now ?? Date.now)();
      if (incidents.opened) await deps.escalations?.start(tx, incidents.opened, monitor, nowMs);
      if (incidents.resolved) await deps.escalations?.stop(tx, incidents.resolved.id, nowMs, 'Resolved');
      if (!deps.outbox) continue;
      const trigger: TriggeringResult = { atMs: result.startedAtMs, responseTimeMs };
      const events: DecidedEvent[] = change ? decideTransitionEvents(monitor, change, incidents, trigger) : [];
      const ssl = await sslExpiringEvent(tx, monitor, result, trigger);
      if (ssl) events.push(ssl);
      const degraded = await degradedEvent(tx, monitor, evaluation.state.status, p95Ms, trigger);
      if (degraded) events.push(degraded);
      queued += await deps.outbox.enqueue(tx, monitor, events, nowMs);
    }
  });
  // Committed: the workers may pick the deliveries up now rather than at their next poll.
  if (queued > 0) deps.onDeliveriesQueued?.();
  logger.debug({ event: 'status.batch_evaluated', results: all.length, evaluated: evaluable.length, transitions: transitions.length, deliveriesQueued: queued, ms: Math.round(performance.now() - started) }, 'status batch evaluated');
  for (const { monitor, transition } of transitions) {
    logger.info({ event: 'monitor.status_changed', monitorId: monitor.id, orgId: monitor.orgId, from: transition.from, to: transition.to, evidence: transition.evidence }, 'monitor status changed');
    await deps.onTransition?.(monitor, transition);
  }
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
