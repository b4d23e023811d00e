import type { ApiDeps } from '../../context.js';
import type { BadgeCache } from './badge-cache.js';
import { STATUS_COLOURS, UNKNOWN_COLOUR, renderBadge, uptimeColour, uptimeText } from './render.js';
import type { BadgePeriod, BadgeStyle } from './schema.js';

const DAY_MS = 86_400_000;
const PERIOD_MS: Record<BadgePeriod, number> = { '24h': DAY_MS, '7d': 7 * DAY_MS, '30d': 30 * DAY_MS, '90d': 90 * DAY_MS };

/**
 * Badges are public (no key): they answer by monitor id alone, across organizations, and
 * show only a figure or a status word — never the monitor's name, target or organization
 * (docs/decisions.md, "Public badges").
 */
export interface BadgeContext {
  deps: Pick<ApiDeps, 'monitors' | 'results' | 'now'>;
  cache: BadgeCache;
}

interface BadgeLook {
  label?: string;
  style: BadgeStyle;
}

const unknownBadge = (label: string, style: BadgeStyle) => renderBadge({ label, message: 'unknown', color: UNKNOWN_COLOUR, style });

/** A monitor a badge may show: present and not paused (a deleted monitor is absent). */
async function activeMonitor(ctx: BadgeContext, id: string) {
  const monitor = await ctx.deps.monitors.getById(id);
  return monitor && !monitor.paused ? monitor : null;
}

async function cached(ctx: BadgeContext, key: unknown[], render: () => Promise<string>): Promise<string> {
  const k = JSON.stringify(key);
  const hit = ctx.cache.get(k);
  if (hit !== undefined) return hit;
  const svg = await render();
  ctx.cache.set(k, svg);
  return svg;
}

export async function uptimeBadge({ ctx, input }: { ctx: BadgeContext; input: BadgeLook & { monitorId: string; period: BadgePeriod } }): Promise<string> {
  const label = input.label ?? 'uptime';
  return cached(ctx, ['uptime', input.monitorId, input.period, label, input.style], async () => {
    const monitor = await activeMonitor(ctx, input.monitorId);
    if (!monitor) return unknownBadge(label, input.style);
    const toMs = (ctx.deps.now ?? Date.now)();
    // Uptime counts up and down results only: skipped and missed slots are unknown time.
    const { uptimePercentage } = await ctx.deps.results.monitorStats({ orgId: monitor.orgId, monitorId: monitor.id, fromMs: toMs - PERIOD_MS[input.period], toMs });
    if (uptimePercentage === null) return renderBadge({ label, message: 'no data', color: UNKNOWN_COLOUR, style: input.style });
    return renderBadge({ label, message: uptimeText(uptimePercentage), color: uptimeColour(uptimePercentage), style: input.style });
  });
}

export async function statusBadge({ ctx, input }: { ctx: BadgeContext; input: BadgeLook & { monitorId: string } }): Promise<string> {
  const label = input.label ?? 'status';
  return cached(ctx, ['status', input.monitorId, label, input.style], async () => {
    const monitor = await activeMonitor(ctx, input.monitorId);
    if (!monitor) return unknownBadge(label, input.style);
    return renderBadge({ label, message: monitor.status.toLowerCase(), color: STATUS_COLOURS[monitor.status] ?? UNKNOWN_COLOUR, style: input.style });
  });
}
