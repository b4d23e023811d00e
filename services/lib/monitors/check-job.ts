import { CheckJob, CheckType } from '../../../proto/generated/pharos/v1/check.js';
import { MONITOR_TYPES, type Monitor } from './model.js';

/**
 * The job for one monitor in one region at one scheduled instant. The job id is
 * deterministic, so a job published twice (a lease hand-over, a redelivered on-demand
 * check) yields one result id and is stored once.
 */
export function buildCheckJob(monitor: Monitor, region: string, scheduledAtMs: number, attempt = 1): CheckJob {
  const intervalMs = monitor.intervalSeconds * 1000;
  const job: CheckJob = {
    jobId: `${monitor.id}.${region}.${scheduledAtMs}`,
    orgId: monitor.orgId,
    monitorId: monitor.id,
    region,
    type: MONITOR_TYPES[monitor.type] as CheckType,
    scheduledAtMs,
    // A job still unstarted when its next run is due is superseded: skip, don't pile up.
    deadlineMs: scheduledAtMs + intervalMs,
    timeoutMs: monitor.timeoutSeconds * 1000,
    attempt,
    monitorRevision: monitor.revision,
    settings: undefined,
  };
  switch (monitor.type) {
    case 'Website':
      job.settings = {
        $case: 'website',
        value: {
          url: monitor.url ?? '',
          method: monitor.httpMethod,
          headers: Object.entries(monitor.requestHeaders).map(([name, value]) => ({ name, value })),
          body: monitor.requestBody ?? '',
          expectedStatusCode: monitor.expectedStatusCode,
          followRedirects: monitor.followRedirects,
          maxRedirects: monitor.maxRedirects,
          keyword: monitor.keyword ?? '',
          keywordAbsent: monitor.keywordAbsent,
          ignoreTlsErrors: monitor.ignoreTlsErrors,
        },
      };
      break;
    case 'Port':
      job.settings = { $case: 'port', value: { hostname: monitor.hostname ?? '', port: monitor.port ?? 0 } };
      break;
    default:
      throw new Error(`no checker for monitor type ${monitor.type}`);
  }
  return job;
}

export function encodeCheckJob(job: CheckJob): Uint8Array {
  return CheckJob.encode(job).finish();
}
