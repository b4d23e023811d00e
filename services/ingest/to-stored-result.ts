/**
 * A CheckResult off the wire → the row it becomes. The region is the token's, whatever the
 * agent wrote; enums become the snake_case names dashboards filter on.
 */
import { CheckPhase, CheckResult, CheckStatus, ErrorKind } from '../../proto/generated/pharos/v1/result.js';
import { CheckType } from '../../proto/generated/pharos/v1/check.js';
import { NO_DETAILS, type ResultDetails, type StoredResult } from '../lib/results/types.js';

const TYPE_NAMES: Partial<Record<CheckType, string>> = {
  [CheckType.CHECK_TYPE_PORT]: 'Port',
  [CheckType.CHECK_TYPE_PING]: 'Ping',
  [CheckType.CHECK_TYPE_DNS]: 'Dns',
  [CheckType.CHECK_TYPE_DOMAIN]: 'Domain',
  [CheckType.CHECK_TYPE_JOB]: 'Job',
  [CheckType.CHECK_TYPE_WEBSITE]: 'Website',
};

const STATUS: Partial<Record<CheckStatus, StoredResult['status']>> = {
  [CheckStatus.CHECK_STATUS_UP]: 'up',
  [CheckStatus.CHECK_STATUS_DOWN]: 'down',
  [CheckStatus.CHECK_STATUS_SKIPPED]: 'skipped',
};

/** ERROR_KIND_CONNECTION_REFUSED → 'connection_refused'; *_UNSPECIFIED → ''. */
function enumName(value: number, names: Record<number, string>, prefix: string): string {
  const name = names[value];
  if (!name || name.endsWith('_UNSPECIFIED')) return '';
  return name.slice(prefix.length).toLowerCase();
}

export class InvalidResult extends Error {}

/** Throws InvalidResult for a result no retry can fix (missing ids, no status). */
export function toStoredResult(r: CheckResult, region: string, retentionDays: number): StoredResult {
  if (!r.resultId || !r.orgId || !r.monitorId) throw new InvalidResult('result_id, org_id and monitor_id are required');
  const status = STATUS[r.status];
  if (!status) throw new InvalidResult(`result ${r.resultId} has no status`);
  const t = r.timings;
  return {
    resultId: r.resultId,
    jobId: r.jobId,
    orgId: r.orgId,
    monitorId: r.monitorId,
    region,
    agentId: r.agentId,
    type: TYPE_NAMES[r.type] ?? '',
    scheduledAtMs: Number(r.scheduledAtMs),
    startedAtMs: Number(r.startedAtMs),
    status,
    errorKind: enumName(r.errorKind, ErrorKind as unknown as Record<number, string>, 'ERROR_KIND_'),
    errorPhase: enumName(r.errorPhase, CheckPhase as unknown as Record<number, string>, 'CHECK_PHASE_'),
    errorMessage: r.errorMessage,
    dnsMs: t?.dnsMs ?? 0,
    connectMs: t?.connectMs ?? 0,
    tlsMs: t?.tlsMs ?? 0,
    ttfbMs: t?.ttfbMs ?? 0,
    transferMs: t?.transferMs ?? 0,
    totalMs: t?.totalMs ?? 0,
    statusCode: r.statusCode,
    tlsNotAfterMs: Number(r.tls?.notAfterMs ?? 0),
    retentionDays,
    ...detailsOf(r),
  };
}

/** The type-specific parts of a result, flattened into the row's detail columns. */
function detailsOf(r: CheckResult): ResultDetails {
  const { tls, ping, dns, domain } = r;
  return {
    ...NO_DETAILS,
    ...(tls && {
      tlsNotBeforeMs: Number(tls.notBeforeMs),
      tlsIssuer: tls.issuer,
      tlsSubject: tls.subject,
      tlsSubjectAltNames: tls.subjectAltNames,
      tlsChainValid: tls.chainValid,
      tlsHostnameValid: tls.hostnameValid,
      tlsExpiringSoon: tls.expiringSoon,
      tlsVerificationError: tls.verificationError,
    }),
    assertions: r.assertions.map((a) => ({ source: a.source, operator: a.operator, expected: a.expected, actual: a.actual, passed: a.passed })),
    ...(ping && {
      pingAddress: ping.address,
      pingSent: ping.sent,
      pingReceived: ping.received,
      pingPacketLossPercent: ping.packetLossPercent,
      pingRttMinMs: ping.rttMinMs,
      pingRttAvgMs: ping.rttAvgMs,
      pingRttMaxMs: ping.rttMaxMs,
      pingJitterMs: ping.jitterMs,
    }),
    ...(dns && { dnsRcode: dns.rcode, dnsValues: dns.values, dnsResolver: dns.resolver }),
    ...(domain && {
      domainExpiresAtMs: Number(domain.expiresAtMs),
      domainRegisteredAtMs: Number(domain.registeredAtMs),
      domainRegistrar: domain.registrar,
      domainStatuses: domain.statuses,
      domainSource: domain.source,
      domainExpiringSoon: domain.expiringSoon,
    }),
  };
}
