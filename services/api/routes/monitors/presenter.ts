import type { Monitor } from '../../../lib/monitors/model.js';
import type { StoredPing } from '../../../heartbeats/heartbeat-store.js';
import type { VerbContext } from '../../context.js';
import { MaintenanceWindowStore, type MonitorMaintenance } from '../../../alerting/maintenance/store.js';
import { createDarkRegions } from '../../../alerting/dark-regions.js';

export { presentResult } from './result-presenter.js';

const UPTIME_WINDOW_MS = 30 * 86_400_000;

/** What a monitor reads: Paused wins; then Maintenance; then Unknown when every region it checks from went dark (a verdict it had is stale). */
export function statusOf(m: Monitor, maintenance: MonitorMaintenance | undefined, unknownRegions: string[]): Monitor['status'] {
  if (m.status === 'Paused') return m.status;
  if (maintenance) return 'Maintenance';
  const allDark = m.type !== 'Job' && m.regions.length > 0 && unknownRegions.length === m.regions.length;
  return allDark && m.status !== 'Pending' ? 'Unknown' : m.status;
}

function present(m: Monitor, uptime: number | undefined, baseUrl: string, maintenance: MonitorMaintenance | undefined, dark: ReadonlySet<string>) {
  const { orgId: _org, paused: _paused, revision: _rev, ...config } = m;
  const unknownRegions = m.type === 'Job' ? [] : m.regions.filter((r) => dark.has(r));
  return {
    ...config,
    status: statusOf(m, maintenance, unknownRegions),
    unknownRegions,
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
  const dark = await createDarkRegions(deps.hotState, deps.config.regions, () => now, 0)();
  return monitors.map((m) => present(m, uptime.get(m.id), ctx.baseUrl ?? '', maintenance.get(m.id), dark));
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
