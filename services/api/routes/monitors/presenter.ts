import type { Monitor } from '../../../lib/monitors/model.js';
import type { StoredResult } from '../../../lib/results/types.js';
import type { ApiDeps } from '../../context.js';

const UPTIME_WINDOW_MS = 30 * 86_400_000;

function present(m: Monitor, uptime: number | undefined) {
  const { orgId: _org, paused: _paused, revision: _rev, ...config } = m;
  return {
    ...config,
    // No check yet means no downtime recorded: 100, always a number, as the Enori
    // document's own examples format it (`f"{m['uptimePercentage']:.2f}"`).
    uptimePercentage: uptime ?? 100,
    lastCheckedAt: m.lastCheckedAt?.toISOString() ?? null,
    createdAt: m.createdAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
  };
}

/** Monitors as the api shows them, with their 30-day uptime from the results store. */
export async function presentMonitors(deps: ApiDeps, orgId: string, monitors: Monitor[]) {
  const now = (deps.now ?? Date.now)();
  const uptime = monitors.length ? await deps.results.uptimeByMonitor(orgId, monitors.map((m) => m.id), now - UPTIME_WINDOW_MS) : new Map<string, number>();
  return monitors.map((m) => present(m, uptime.get(m.id)));
}

export async function presentMonitor(deps: ApiDeps, monitor: Monitor) {
  return (await presentMonitors(deps, monitor.orgId, [monitor]))[0];
}

const STATUS_NAME = { up: 'Up', down: 'Down', skipped: 'Skipped' } as const;

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
    tlsCertificateExpiresAt: r.tlsNotAfterMs ? new Date(r.tlsNotAfterMs).toISOString() : null,
  };
}
