/**
 * One stored check result as the api shows it (result-schema.ts): type-specific parts are
 * null when the check type does not record them. Hand-written beside the schema; the drift
 * test (test/unit/results/api-result.test.ts) fails when a stored field is not shown here.
 */
import type { StoredResult } from '../../../lib/results/types.js';
import type { ResultStatus } from '../../../lib/results/columns.js';

const STATUS_NAME = { up: 'Up', down: 'Down', skipped: 'Skipped', missed: 'Missed' } as const satisfies Record<ResultStatus, string>;
const iso = (ms: number) => (ms ? new Date(ms).toISOString() : null);
const DAY_MS = 86_400_000;

export function presentResult(r: StoredResult) {
  return {
    id: r.resultId,
    checkedAt: new Date(r.startedAtMs).toISOString(),
    region: r.region,
    status: STATUS_NAME[r.status],
    responseTimeMs: r.totalMs,
    inMaintenance: r.inMaintenance,
    statusCode: r.statusCode || null,
    error: r.errorKind ? { kind: r.errorKind, phase: r.errorPhase, message: r.errorMessage } : null,
    timings: { dnsMs: r.dnsMs, connectMs: r.connectMs, tlsMs: r.tlsMs, ttfbMs: r.ttfbMs, transferMs: r.transferMs, totalMs: r.totalMs },
    tlsCertificateExpiresAt: iso(r.tlsNotAfterMs),
    tls: r.tlsNotAfterMs ? {
      issuer: r.tlsIssuer,
      subject: r.tlsSubject,
      subjectAltNames: r.tlsSubjectAltNames,
      validFrom: iso(r.tlsNotBeforeMs),
      expiresAt: iso(r.tlsNotAfterMs),
      daysUntilExpiry: Math.floor((r.tlsNotAfterMs - r.startedAtMs) / DAY_MS),
      chainValid: r.tlsChainValid,
      hostnameValid: r.tlsHostnameValid,
      expiringSoon: r.tlsExpiringSoon,
      verificationError: r.tlsVerificationError || null,
    } : null,
    assertions: r.assertions,
    ping: r.pingSent ? {
      address: r.pingAddress,
      sent: r.pingSent,
      received: r.pingReceived,
      packetLossPercent: r.pingPacketLossPercent,
      rttMinMs: r.pingRttMinMs,
      rttAvgMs: r.pingRttAvgMs,
      rttMaxMs: r.pingRttMaxMs,
      jitterMs: r.pingJitterMs,
    } : null,
    dns: r.dnsRcode ? { rcode: r.dnsRcode, values: r.dnsValues, resolver: r.dnsResolver } : null,
    domain: r.domainSource ? {
      expiresAt: iso(r.domainExpiresAtMs),
      daysUntilExpiry: r.domainExpiresAtMs ? Math.floor((r.domainExpiresAtMs - r.startedAtMs) / DAY_MS) : null,
      registeredAt: iso(r.domainRegisteredAtMs),
      registrar: r.domainRegistrar || null,
      statuses: r.domainStatuses,
      source: r.domainSource,
      expiringSoon: r.domainExpiringSoon,
    } : null,
  };
}
