/**
 * Slots that no scheduler published, as explicit `missed` results (docs/decisions.md, "No
 * silent gaps"). Their ids are the job ids the slots would have had, so a result the slot
 * did produce after all (a job published just before a crash) wins at ingest's
 * de-duplication when it arrives first, and a missed record is never stored twice.
 */
import { CheckResult, CheckStatus, ErrorKind } from '../../proto/generated/pharos/v1/result.js';
import type { CheckType } from '../../proto/generated/pharos/v1/check.js';
import { MONITOR_TYPES, type Monitor } from '../lib/monitors/model.js';
import { nextDueMs } from './phase.js';

export type MissedReason = 'scheduler_down' | 'bus_unavailable';

const KINDS: Record<MissedReason, ErrorKind> = {
  scheduler_down: ErrorKind.ERROR_KIND_SCHEDULER_DOWN,
  bus_unavailable: ErrorKind.ERROR_KIND_BUS_UNAVAILABLE,
};

const MESSAGES: Record<MissedReason, string> = {
  scheduler_down: 'no scheduler was running when this check fell due',
  bus_unavailable: 'the job bus was unreachable until past this check\'s deadline',
};

/** Who recorded a missed slot, where an agent id goes. */
export const SCHEDULER_AGENT_ID = 'pharos-scheduler';

/** The monitor's slots strictly after `afterMs` and strictly before `beforeMs`, oldest first. */
export function slotsBetween(m: Pick<Monitor, 'id' | 'intervalSeconds'>, afterMs: number, beforeMs: number): number[] {
  const intervalMs = m.intervalSeconds * 1000;
  const out: number[] = [];
  for (let s = nextDueMs(m.id, intervalMs, afterMs); s < beforeMs; s += intervalMs) out.push(s);
  return out;
}

export function missedResult(m: Pick<Monitor, 'id' | 'orgId' | 'type'>, region: string, slotMs: number, reason: MissedReason): CheckResult {
  const id = `${m.id}.${region}.${slotMs}`;
  return CheckResult.fromPartial({
    resultId: id,
    jobId: id,
    orgId: m.orgId,
    monitorId: m.id,
    region,
    agentId: SCHEDULER_AGENT_ID,
    type: MONITOR_TYPES[m.type] as CheckType,
    scheduledAtMs: slotMs,
    startedAtMs: slotMs,
    status: CheckStatus.CHECK_STATUS_MISSED,
    errorKind: KINDS[reason],
    errorMessage: MESSAGES[reason],
  });
}
