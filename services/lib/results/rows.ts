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
  'tls_not_before', 'tls_issuer', 'tls_subject', 'tls_sans', 'tls_chain_valid', 'tls_hostname_valid', 'tls_expiring_soon',
  'tls_verification_error', 'assertion_source', 'assertion_operator', 'assertion_expected', 'assertion_actual',
  'assertion_passed', 'ping_address', 'ping_sent', 'ping_received', 'ping_packet_loss', 'ping_rtt_min_ms', 'ping_rtt_avg_ms',
  'ping_rtt_max_ms', 'ping_jitter_ms', 'dns_rcode', 'dns_values', 'dns_resolver', 'domain_expires_at', 'domain_registered_at',
  'domain_registrar', 'domain_statuses', 'domain_source', 'domain_expiring_soon',
] as const;

/** The detail columns' values, in INSERT_COLUMNS order after retention_days. */
function detailValues(r: StoredResult): unknown[] {
  const a = r.assertions;
  return [
    toDateTime64(r.tlsNotBeforeMs), r.tlsIssuer, r.tlsSubject, r.tlsSubjectAltNames, +r.tlsChainValid, +r.tlsHostnameValid,
    +r.tlsExpiringSoon, r.tlsVerificationError, a.map((x) => x.source), a.map((x) => x.operator), a.map((x) => x.expected),
    a.map((x) => x.actual), a.map((x) => +x.passed), r.pingAddress, r.pingSent, r.pingReceived, r.pingPacketLossPercent,
    r.pingRttMinMs, r.pingRttAvgMs, r.pingRttMaxMs, r.pingJitterMs, r.dnsRcode, r.dnsValues, r.dnsResolver,
    toDateTime64(r.domainExpiresAtMs), toDateTime64(r.domainRegisteredAtMs), r.domainRegistrar, r.domainStatuses,
    r.domainSource, +r.domainExpiringSoon,
  ];
}

/** The row as values in INSERT_COLUMNS order: no keys to build, write or match. */
export function toCompactRow(r: StoredResult): unknown[] {
  return [
    r.resultId, r.jobId, r.orgId, r.monitorId, r.region, r.agentId, r.type,
    toDateTime64(r.scheduledAtMs), toDateTime64(r.startedAtMs),
    r.status, r.errorKind, r.errorPhase, r.errorMessage,
    r.dnsMs, r.connectMs, r.tlsMs, r.ttfbMs, r.transferMs, r.totalMs,
    r.statusCode, toDateTime64(r.tlsNotAfterMs), r.retentionDays,
    ...detailValues(r),
  ];
}

export function toRow(r: StoredResult): Record<string, unknown> {
  const details = detailValues(r);
  const base = INSERT_COLUMNS.length - details.length;
  return {
    ...Object.fromEntries(details.map((v, i) => [INSERT_COLUMNS[base + i], v])),
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
  total_ms, status_code, toUnixTimestamp64Milli(tls_not_after) AS tls_not_after_ms, retention_days,
  toUnixTimestamp64Milli(tls_not_before) AS tls_not_before_ms, tls_issuer, tls_subject, tls_sans, tls_chain_valid,
  tls_hostname_valid, tls_expiring_soon, tls_verification_error, assertion_source, assertion_operator, assertion_expected,
  assertion_actual, assertion_passed, ping_address, ping_sent, ping_received, ping_packet_loss, ping_rtt_min_ms,
  ping_rtt_avg_ms, ping_rtt_max_ms, ping_jitter_ms, dns_rcode, dns_values, dns_resolver,
  toUnixTimestamp64Milli(domain_expires_at) AS domain_expires_at_ms, toUnixTimestamp64Milli(domain_registered_at) AS domain_registered_at_ms,
  domain_registrar, domain_statuses, domain_source, domain_expiring_soon`;

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
    tlsNotBeforeMs: num(row.tls_not_before_ms),
    tlsIssuer: String(row.tls_issuer),
    tlsSubject: String(row.tls_subject),
    tlsSubjectAltNames: strings(row.tls_sans),
    tlsChainValid: bool(row.tls_chain_valid),
    tlsHostnameValid: bool(row.tls_hostname_valid),
    tlsExpiringSoon: bool(row.tls_expiring_soon),
    tlsVerificationError: String(row.tls_verification_error),
    assertions: assertionsOf(row),
    pingAddress: String(row.ping_address),
    pingSent: num(row.ping_sent),
    pingReceived: num(row.ping_received),
    pingPacketLossPercent: num(row.ping_packet_loss),
    pingRttMinMs: num(row.ping_rtt_min_ms),
    pingRttAvgMs: num(row.ping_rtt_avg_ms),
    pingRttMaxMs: num(row.ping_rtt_max_ms),
    pingJitterMs: num(row.ping_jitter_ms),
    dnsRcode: String(row.dns_rcode),
    dnsValues: strings(row.dns_values),
    dnsResolver: String(row.dns_resolver),
    domainExpiresAtMs: num(row.domain_expires_at_ms),
    domainRegisteredAtMs: num(row.domain_registered_at_ms),
    domainRegistrar: String(row.domain_registrar),
    domainStatuses: strings(row.domain_statuses),
    domainSource: String(row.domain_source),
    domainExpiringSoon: bool(row.domain_expiring_soon),
  };
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
const bool = (v: unknown): boolean => v === true || Number(v) === 1;

function assertionsOf(row: Row): StoredResult['assertions'] {
  const sources = strings(row.assertion_source);
  const operators = strings(row.assertion_operator);
  const expected = strings(row.assertion_expected);
  const actual = strings(row.assertion_actual);
  const passed = Array.isArray(row.assertion_passed) ? row.assertion_passed : [];
  return sources.map((source, i) => ({
    source, operator: operators[i] ?? '', expected: expected[i] ?? '', actual: actual[i] ?? '', passed: bool(passed[i]),
  }));
}
