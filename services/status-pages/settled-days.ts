/**
 * A status page's daily figures for days that are over, kept in this process for a while.
 *
 * A page shows 90 daily cells per component; 88 of them are days before yesterday (UTC), whose
 * figures no longer move except for results that arrive very late (an agent's outbox resending
 * after a long outage). Reading those from the hourly rollup on every page render is most of an
 * uncached page's cost (2,160 rollup rows per monitor and region), so they are kept per monitor
 * for SETTLED_TTL_MS, and only yesterday and today are read from the rollup each time. A late
 * result for an older day shows on the page within SETTLED_TTL_MS (docs/decisions.md).
 */
import { TtlCache } from '../api/routes/badges/badge-cache.js';
import type { DailyChecks, ResultStore } from '../lib/ports/results-store.js';

const DAY_MS = 86_400_000;
/** How long a settled day's figures may lag behind a very late result. */
export const SETTLED_TTL_MS = 10 * 60_000;
/** Monitors whose settled days are kept (90 small rows each). */
const MAX_MONITORS = 20_000;

interface SettledFigures {
  /** The range the figures cover: [fromMs, toMs). */
  fromMs: number;
  toMs: number;
  days: DailyChecks[];
}

export class SettledDays {
  private readonly byMonitor: TtlCache<SettledFigures>;

  constructor(now: () => number) {
    this.byMonitor = new TtlCache({ ttlMs: SETTLED_TTL_MS, maxEntries: MAX_MONITORS, now });
  }

  /** Daily figures of these monitors from fromMs (a UTC day's start) up to nowMs, as ResultStore.dailyChecks gives them. */
  async dailyChecks(results: Pick<ResultStore, 'dailyChecks'>, orgId: string, monitorIds: readonly string[], fromMs: number, nowMs: number): Promise<DailyChecks[]> {
    const settledTo = Math.floor(nowMs / DAY_MS) * DAY_MS - DAY_MS;
    if (fromMs >= settledTo) return results.dailyChecks(orgId, monitorIds, fromMs, nowMs + 1);
    const fromDay = new Date(fromMs).toISOString().slice(0, 10);
    const out: DailyChecks[] = [];
    const missing: string[] = [];
    for (const id of monitorIds) {
      const kept = this.byMonitor.get(key(orgId, id));
      if (kept && kept.fromMs <= fromMs && kept.toMs === settledTo) {
        for (const d of kept.days) if (d.day >= fromDay) out.push(d);
      } else {
        missing.push(id);
      }
    }
    const [settled, recent] = await Promise.all([
      missing.length > 0 ? results.dailyChecks(orgId, missing, fromMs, settledTo) : Promise.resolve([]),
      results.dailyChecks(orgId, monitorIds, settledTo, nowMs + 1),
    ]);
    const fresh = new Map<string, DailyChecks[]>(missing.map((id) => [id, []]));
    for (const d of settled) fresh.get(d.monitorId)?.push(d);
    for (const [id, days] of fresh) {
      this.byMonitor.set(key(orgId, id), { fromMs, toMs: settledTo, days });
      out.push(...days);
    }
    out.push(...recent);
    return out;
  }
}

const key = (orgId: string, monitorId: string) => `${orgId}\u0000${monitorId}`;
