import type { Monitor } from '../../../lib/monitors/model.js';
import type { StoredPing } from '../../../heartbeats/heartbeat-store.js';
import type { VerbContext } from '../../context.js';
import { MaintenanceWindowStore, type MonitorMaintenance } from '../../../alerting/maintenance/store.js';

export { presentResult } from './result-presenter.js';

const UPTIME_WINDOW_MS = 30 * 86_400_000;

function present(m: Monitor, uptime: number | undefined, baseUrl: string, maintenance: MonitorMaintenance | undefined) {
  const { orgId: _org, paused: _paused, revision: _rev, ...config } = m;
  return {
    ...config,
    // A paused monitor stays Paused; any other reads Maintenance while a window holds it.
    status: maintenance && m.status !== 'Paused' ? 'Maintenance' as const : m.status,
    maintenanceWindowId: maintenance?.windowId ?? null,
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
  const maintenance = await new MaintenanceWindowStore(deps.sql).inForce(orgId, monitors, now);
  return monitors.map((m) => present(m, uptime.get(m.id), ctx.baseUrl ?? '', maintenance.get(m.id)));
}

export async function presentMonitor(ctx: VerbContext, monitor: Monitor) {
  return (await presentMonitors(ctx, monitor.orgId, [monitor]))[0];
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
