/**
 * StoredResult ⇄ check_results_v1 row. Times travel as 'YYYY-MM-DD hh:mm:ss.mmm' in UTC
 * (the columns are UTC): the one DateTime64 input every ClickHouse version reads the same
 * way — bare integers and short "seconds.millis" text are read differently across versions.
 */
import type { StoredResult } from './types.js';

/**
 * 'YYYY-MM-DD hh:mm:ss' per whole second, memoised: a flush's times cluster in a few
 * seconds, and formatting through Date.toISOString for every value was a fifth of the
 * insert's JS time. Bounded: cleared when it grows past SECONDS_CACHED entries.
 */
const secondPrefixes = new Map<number, string>();
const SECONDS_CACHED = 4_096;

export function toDateTime64(ms: number): string {
  // Before 1970 is not representable; 0 is the documented "none" (e.g. no TLS certificate).
  const t = Math.max(0, Math.trunc(ms));
  const sec = Math.floor(t / 1000);
  let prefix = secondPrefixes.get(sec);
  if (prefix === undefined) {
    const iso = new Date(sec * 1000).toISOString();
    prefix = `${iso.slice(0, 10)} ${iso.slice(11, 19)}.`;
    if (secondPrefixes.size >= SECONDS_CACHED) secondPrefixes.clear();
    secondPrefixes.set(sec, prefix);
  }
  const milli = t - sec * 1000;
  return prefix + (milli >= 100 ? '' : milli >= 10 ? '0' : '00') + milli;
}

/** Column order of toCompactRow (JSONCompactEachRow inserts name their columns). */
export const INSERT_COLUMNS = [
  'result_id', 'job_id', 'org_id', 'monitor_id', 'region', 'agent_id', 'type', 'scheduled_at', 'ts',
  'status', 'error_kind', 'error_phase', 'error_message', 'dns_ms', 'connect_ms', 'tls_ms', 'ttfb_ms',
  'transfer_ms', 'total_ms', 'status_code', 'tls_not_after', 'retention_days',
] as const;

/** The row as values in INSERT_COLUMNS order: no keys to build, write or match. */
export function toCompactRow(r: StoredResult): unknown[] {
  return [
    r.resultId, r.jobId, r.orgId, r.monitorId, r.region, r.agentId, r.type,
    toDateTime64(r.scheduledAtMs), toDateTime64(r.startedAtMs),
    r.status, r.errorKind, r.errorPhase, r.errorMessage,
    r.dnsMs, r.connectMs, r.tlsMs, r.ttfbMs, r.transferMs, r.totalMs,
    r.statusCode, toDateTime64(r.tlsNotAfterMs), r.retentionDays,
  ];
}

export function toRow(r: StoredResult): Record<string, unknown> {
  return {
    result_id: r.resultId,
    job_id: r.jobId,
    org_id: r.orgId,
    monitor_id: r.monitorId,
    region: r.region,
    agent_id: r.agentId,
    type: r.type,
    scheduled_at: toDateTime64(r.scheduledAtMs),
    ts: toDateTime64(r.startedAtMs),
    status: r.status,
    error_kind: r.errorKind,
    error_phase: r.errorPhase,
    error_message: r.errorMessage,
    dns_ms: r.dnsMs,
    connect_ms: r.connectMs,
    tls_ms: r.tlsMs,
    ttfb_ms: r.ttfbMs,
    transfer_ms: r.transferMs,
    total_ms: r.totalMs,
    status_code: r.statusCode,
    tls_not_after: toDateTime64(r.tlsNotAfterMs),
    retention_days: r.retentionDays,
  };
}

/** The SELECT list that reads a row back in the shape fromRow expects. */
export const RESULT_COLUMNS = `result_id, job_id, org_id, monitor_id, region, agent_id, type,
  toUnixTimestamp64Milli(scheduled_at) AS scheduled_at_ms, toUnixTimestamp64Milli(ts) AS started_at_ms,
  status, error_kind, error_phase, error_message, dns_ms, connect_ms, tls_ms, ttfb_ms, transfer_ms,
  total_ms, status_code, toUnixTimestamp64Milli(tls_not_after) AS tls_not_after_ms, retention_days`;

type Row = Record<string, unknown>;

// 64-bit integers arrive quoted or not depending on output_format_json_quote_64bit_integers.
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));

export function fromRow(row: Row): StoredResult {
  return {
    resultId: String(row.result_id),
    jobId: String(row.job_id),
    orgId: String(row.org_id),
    monitorId: String(row.monitor_id),
    region: String(row.region),
    agentId: String(row.agent_id),
    type: String(row.type),
    scheduledAtMs: num(row.scheduled_at_ms),
    startedAtMs: num(row.started_at_ms),
    status: String(row.status) as StoredResult['status'],
    errorKind: String(row.error_kind),
    errorPhase: String(row.error_phase),
    errorMessage: String(row.error_message),
    dnsMs: num(row.dns_ms),
    connectMs: num(row.connect_ms),
    tlsMs: num(row.tls_ms),
    ttfbMs: num(row.ttfb_ms),
    transferMs: num(row.transfer_ms),
    totalMs: num(row.total_ms),
    statusCode: num(row.status_code),
    tlsNotAfterMs: num(row.tls_not_after_ms),
    retentionDays: num(row.retention_days),
  };
}
