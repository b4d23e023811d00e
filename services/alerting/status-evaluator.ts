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

export interface StatusEvaluatorDeps {
  bus: JobBus;
  subjects: Subjects;
  monitors: MonitorStore;
  statuses: MonitorStatusStore;
  /** Opens and resolves incidents with each status change, in its transaction. */
  incidents?: IncidentStore;
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
  return bus.consumeDurable(
    { durable: STATUS_CONSUMER, subject: subjects.allResults, maxDeliver: 50, ackWaitMs: 30_000 },
    async (msg) => {
      const result = CheckResult.decode(msg.data);
      // Skipped and missed slots say nothing about the target: they neither fail nor recover it.
      if (result.status !== CheckStatus.CHECK_STATUS_UP && result.status !== CheckStatus.CHECK_STATUS_DOWN) return;
      const monitor = await monitors.getById(result.monitorId);
      if (!monitor || monitor.orgId !== result.orgId || monitor.paused) return;
      const policy = {
        regions: statusRegions(monitor),
        failureThreshold: monitor.failureThreshold,
        recoveryThreshold: monitor.recoveryThreshold,
        quorum: effectiveQuorum(monitor),
      };
      const transition = await statuses.update(monitor.orgId, monitor.id, (state) => {
        const evaluation = applyResult(state, policy, {
          resultId: result.resultId,
          region: result.region,
          up: result.status === CheckStatus.CHECK_STATUS_UP,
          startedAtMs: result.startedAtMs,
          errorMessage: result.errorMessage,
        });
        return evaluation.applied ? { state: evaluation.state, result: evaluation.transition } : null;
      }, async (tx, change) => {
        if (change && deps.incidents) await deps.incidents.applyTransition(tx, monitor, change);
      });
      if (transition) {
        logger.info({ event: 'monitor.status_changed', monitorId: monitor.id, orgId: monitor.orgId, from: transition.from, to: transition.to, evidence: transition.evidence }, 'monitor status changed');
        await deps.onTransition?.(monitor, transition);
      }
    },
  );
}
