import { CheckJob, CheckType } from '../../../proto/generated/pharos/v1/check.js';
import { checkSettingsOf } from '../../../contracts/checks/index.js';
import { MONITOR_TYPES, type Monitor } from './model.js';

export { toProtoAssertion } from '../../../contracts/checks/website-assertions.js';

/**
 * The job for one monitor in one region at one scheduled instant. The job id is
 * deterministic, so a job published twice (a lease hand-over, a redelivered on-demand
 * check) yields one result id and is stored once. Its settings come from the monitor's
 * check contract, every value explicit.
 */
/** A job still unstarted when its next run is due is superseded: skip, don't pile up. */
export function jobDeadlineMs(monitor: Pick<Monitor, 'intervalSeconds'>, scheduledAtMs: number): number {
  return scheduledAtMs + monitor.intervalSeconds * 1000;
}

export function buildCheckJob(monitor: Monitor, region: string, scheduledAtMs: number, attempt = 1): CheckJob {
  const settings = checkSettingsOf(monitor.type, monitor);
  if (!settings) throw new Error(`no agent checks ${monitor.type} monitors`);
  return {
    jobId: `${monitor.id}.${region}.${scheduledAtMs}`,
    orgId: monitor.orgId,
    monitorId: monitor.id,
    region,
    type: MONITOR_TYPES[monitor.type] as CheckType,
    scheduledAtMs,
    deadlineMs: jobDeadlineMs(monitor, scheduledAtMs),
    timeoutMs: monitor.timeoutSeconds * 1000,
    attempt,
    monitorRevision: monitor.revision,
    settings,
  };
}

export function encodeCheckJob(job: CheckJob): Uint8Array {
  return CheckJob.encode(job).finish();
}
