import type { Monitor } from '../../../lib/monitors/model.js';
import type { StoredResult } from '../../../lib/results/types.js';
import type { StoredPing } from '../../../heartbeats/heartbeat-store.js';
import type { VerbContext } from '../../context.js';

const UPTIME_WINDOW_MS = 30 * 86_400_000;

function present(m: Monitor, uptime: number | undefined, baseUrl: string) {
  const { orgId: _org, paused: _paused, revision: _rev, ...config } = m;
  return {
    ...config,
    pingUrl: m.pingToken ? `${baseUrl}/ping/${m.pingToken}` : null,
    // No check yet means no downtime recorded: 100, always a number, as the Enori
    // document's own examples format it (`f"{m['uptimePercentage']:.2f}"`).
    uptimePercentage: uptime ?? 100,
    lastCheckedAt: m.lastCheckedAt?.toISOString() ?? null,
    createdAt: m.createdAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
  };
}

/** Monitors as the api shows them, with their 30-day uptime from the results store. */
export async function presentMonitors(ctx: VerbContext, orgId: string, monitors: Monitor[]) {
  const { deps } = ctx;
  const now = (deps.now ?? Date.now)();
  const uptime = monitors.length ? await deps.results.uptimeByMonitor(orgId, monitors.map((m) => m.id), now - UPTIME_WINDOW_MS) : new Map<string, number>();
  return monitors.map((m) => present(m, uptime.get(m.id), ctx.baseUrl ?? ''));
}

export async function presentMonitor(ctx: VerbContext, monitor: Monitor) {
  return (await presentMonitors(ctx, monitor.orgId, [monitor]))[0];
}

const STATUS_NAME = { up: 'Up', down: 'Down', skipped: 'Skipped' } as const;
const iso = (ms: number) => (ms ? new Date(ms).toISOString() : null);
const DAY_MS = 86_400_000;

export function presentResult(r: StoredResult) {
  return {
    id: r.resultId,
    checkedAt: new Date(r.startedAtMs).toISOString(),
    region: r.region,
    status: STATUS_NAME[r.status],
    responseTimeMs: r.totalMs,
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

const PING_KIND_NAME = { start: 'Start', success: 'Success', fail: 'Fail' } as const;

export function presentPing(p: StoredPing) {
  return {
    id: p.id,
    kind: PING_KIND_NAME[p.kind],
    receivedAt: new Date(p.receivedAtMs).toISOString(),
    exitCode: p.exitCode,
    runtimeMs: p.runtimeMs,
    message: p.body,
    messageBytes: p.bodyBytes,
    method: p.method,
    sourceIp: p.sourceIp,
    userAgent: p.userAgent,
  };
}
