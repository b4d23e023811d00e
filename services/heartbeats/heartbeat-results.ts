/**
 * Job monitors' results: a success or failure ping, a missed ping and an overrunning run
 * become `CheckResult`s like an agent's, so storage, statistics and the status machine
 * treat every monitor type alike. They travel to ingest as one `ResultBatch` per durable
 * message; ids are deterministic where a retry could produce the result twice.
 */
import { createHash } from 'node:crypto';
import { CheckType } from '../../proto/generated/pharos/v1/check.js';
import { ResultBatch } from '../../proto/generated/pharos/v1/agent.js';
import { CheckPhase, CheckResult, CheckStatus, ErrorKind } from '../../proto/generated/pharos/v1/result.js';
import type { JobBus } from '../lib/ports/job-bus.js';
import type { Subjects } from '../lib/subjects.js';
import { HEARTBEAT_REGION, type Monitor } from '../lib/monitors/model.js';

const SERVER_AGENT = 'pharos-heartbeats';

function base(monitor: Pick<Monitor, 'id' | 'orgId'>, resultId: string, atMs: number): CheckResult {
  return {
    resultId,
    jobId: resultId,
    orgId: monitor.orgId,
    monitorId: monitor.id,
    region: HEARTBEAT_REGION,
    agentId: SERVER_AGENT,
    type: CheckType.CHECK_TYPE_JOB,
    scheduledAtMs: atMs,
    startedAtMs: atMs,
    status: CheckStatus.CHECK_STATUS_UP,
    errorKind: ErrorKind.ERROR_KIND_UNSPECIFIED,
    errorPhase: CheckPhase.CHECK_PHASE_UNSPECIFIED,
    errorMessage: '',
    timings: undefined,
    statusCode: 0,
    tls: undefined,
    assertions: [],
    ping: undefined,
    dns: undefined,
    domain: undefined,
  };
}

export interface FinishPing {
  id: string;
  kind: 'success' | 'fail';
  exitCode: number | null;
  receivedAtMs: number;
  runtimeMs: number | null;
  body: string | null;
}

/** A finished run: Up on success, Down on failure; the runtime is its response time. */
export function finishResult(monitor: Pick<Monitor, 'id' | 'orgId'>, ping: FinishPing): CheckResult {
  const r = base(monitor, ping.id, ping.receivedAtMs);
  const runtime = ping.runtimeMs ?? 0;
  r.timings = { dnsMs: 0, connectMs: 0, tlsMs: 0, ttfbMs: 0, transferMs: 0, totalMs: runtime };
  if (ping.kind === 'fail') {
    r.status = CheckStatus.CHECK_STATUS_DOWN;
    r.errorKind = ErrorKind.ERROR_KIND_JOB_FAILED;
    r.errorPhase = CheckPhase.CHECK_PHASE_HEARTBEAT;
    const firstLine = firstLineOf(ping.body);
    r.errorMessage = [ping.exitCode !== null ? `job failed with exit code ${ping.exitCode}` : 'job reported failure', firstLine].filter(Boolean).join(': ');
  }
  return r;
}

/** The body's first line, at most 200 bytes of it (whole characters), as an error message. */
function firstLineOf(body: string | null): string {
  const line = body?.split('\n', 1)[0]?.trim() ?? '';
  const bytes = Buffer.from(line, 'utf8');
  if (bytes.length <= 200) return line;
  return bytes.subarray(0, 200).toString('utf8').replace(/\uFFFD$/, '');
}

/** No ping by the expected time plus grace. One id per missed slot. */
export function missedResult(monitor: Pick<Monitor, 'id' | 'orgId' | 'graceSeconds'>, expectedAtMs: number, nowMs: number): CheckResult {
  const r = base(monitor, `${monitor.id}.missed.${expectedAtMs}`, nowMs);
  r.scheduledAtMs = expectedAtMs;
  r.status = CheckStatus.CHECK_STATUS_DOWN;
  r.errorKind = ErrorKind.ERROR_KIND_HEARTBEAT_MISSED;
  r.errorPhase = CheckPhase.CHECK_PHASE_HEARTBEAT;
  r.errorMessage = `no ping by ${new Date(expectedAtMs).toISOString()} + ${monitor.graceSeconds} s grace`;
  return r;
}

/** A start with no success or failure within the grace time. One id per run. */
export function overrunResult(monitor: Pick<Monitor, 'id' | 'orgId' | 'graceSeconds'>, runStartedAtMs: number, nowMs: number): CheckResult {
  const r = base(monitor, `${monitor.id}.overrun.${runStartedAtMs}`, nowMs);
  r.scheduledAtMs = runStartedAtMs;
  r.status = CheckStatus.CHECK_STATUS_DOWN;
  r.errorKind = ErrorKind.ERROR_KIND_RUNNING_TOO_LONG;
  r.errorPhase = CheckPhase.CHECK_PHASE_HEARTBEAT;
  r.errorMessage = `started at ${new Date(runStartedAtMs).toISOString()} and not finished within ${monitor.graceSeconds} s grace`;
  return r;
}

/**
 * Hands results to ingest durably. The batch id is derived from the result ids, so the
 * same results published twice (a retried watchdog pass) are one message to the bus, and
 * ingest de-duplicates by result id besides.
 */
export async function publishHeartbeatResults(bus: JobBus, subjects: Subjects, results: CheckResult[]): Promise<void> {
  await publishResultBatches(bus, subjects.heartbeatResults, 'hb', results);
}

/**
 * Server-made results to ingest as durable ResultBatches; a batch id is a hash of its result
 * ids, so a retried publish of the same results is de-duplicated by the stream.
 */
export async function publishResultBatches(bus: JobBus, subject: string, idPrefix: string, results: CheckResult[]): Promise<void> {
  for (const chunk of chunksUnder(results, MAX_MESSAGE_BYTES)) {
    const hash = createHash('sha256');
    for (const r of chunk) hash.update(r.resultId).update('\0');
    const batchId = `${idPrefix}-${hash.digest('base64url').slice(0, 32)}`;
    await bus.publishDurable(subject, ResultBatch.encode({ batchId, results: chunk }).finish(), batchId);
  }
}

/** Well under NATS's default max_payload (1 MiB), whatever the batch. */
const MAX_MESSAGE_BYTES = 512 * 1024;

/** Consecutive runs of results whose encoded size stays under `maxBytes` each. */
function chunksUnder(results: CheckResult[], maxBytes: number): CheckResult[][] {
  const chunks: CheckResult[][] = [];
  let current: CheckResult[] = [];
  let size = 0;
  for (const r of results) {
    const bytes = CheckResult.encode(r).finish().length + 8;
    if (current.length && size + bytes > maxBytes) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(r);
    size += bytes;
  }
  if (current.length) chunks.push(current);
  return chunks;
}
