import { describe, expect, it } from 'vitest';
import { SettledDays, SETTLED_TTL_MS } from '../../../services/status-pages/settled-days.js';
import type { DailyChecks } from '../../../services/lib/ports/results-store.js';

const DAY = 86_400_000;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** A results store holding fixed daily rows, recording each range it is asked for. */
function recordingStore(rows: Array<DailyChecks & { orgId: string }>) {
  const asked: Array<{ orgId: string; ids: string[]; from: string; to: number }> = [];
  return {
    asked,
    rows,
    async dailyChecks(orgId: string, ids: readonly string[], fromMs: number, toMs: number): Promise<DailyChecks[]> {
      asked.push({ orgId, ids: [...ids], from: day(fromMs), to: toMs });
      return rows
        .filter((r) => r.orgId === orgId && ids.includes(r.monitorId) && r.day >= day(fromMs) && Date.parse(r.day) < toMs)
        .map(({ orgId: _o, ...d }) => d);
    },
  };
}

describe('SettledDays', () => {
  const today = Date.UTC(2026, 11, 2);
  const now = today + 15 * 3_600_000;
  const from = today - 89 * DAY;
  const rows = [
    { orgId: 'org_a', monitorId: 'm1', day: day(today - 30 * DAY), checks: 48, failures: 1 },
    { orgId: 'org_a', monitorId: 'm1', day: day(today - DAY), checks: 48, failures: 0 },
    { orgId: 'org_a', monitorId: 'm1', day: day(today), checks: 30, failures: 2 },
    { orgId: 'org_a', monitorId: 'm2', day: day(today - 89 * DAY), checks: 48, failures: 48 },
    { orgId: 'org_b', monitorId: 'm1', day: day(today - 30 * DAY), checks: 7, failures: 7 },
  ];
  const sorted = (d: DailyChecks[]) => [...d].sort((a, b) => `${a.monitorId}${a.day}`.localeCompare(`${b.monitorId}${b.day}`));

  it('gives what the store gives, then reads only yesterday and today while the settled days are kept', async () => {
    let clock = now;
    const store = recordingStore(rows);
    const days = new SettledDays(() => clock);
    const direct = await store.dailyChecks('org_a', ['m1', 'm2'], from, now + 1);
    store.asked.length = 0;

    expect(sorted(await days.dailyChecks(store, 'org_a', ['m1', 'm2'], from, clock))).toEqual(sorted(direct));
    expect(store.asked.map((a) => a.from)).toEqual([day(from), day(today - DAY)]);

    store.asked.length = 0;
    clock += 60_000;
    expect(sorted(await days.dailyChecks(store, 'org_a', ['m1', 'm2'], from, clock))).toEqual(sorted(direct));
    expect(store.asked).toEqual([{ orgId: 'org_a', ids: ['m1', 'm2'], from: day(today - DAY), to: clock + 1 }]);
  });

  it('keeps each organization apart and reads only the monitors it does not hold', async () => {
    const store = recordingStore(rows);
    const days = new SettledDays(() => now);
    await days.dailyChecks(store, 'org_a', ['m1'], from, now);
    store.asked.length = 0;
    const b = await days.dailyChecks(store, 'org_b', ['m1'], from, now);
    expect(b).toEqual([{ monitorId: 'm1', day: day(today - 30 * DAY), checks: 7, failures: 7 }]);
    store.asked.length = 0;
    await days.dailyChecks(store, 'org_a', ['m1', 'm2'], from, now);
    expect(store.asked[0]).toMatchObject({ ids: ['m2'], from: day(from), to: today - DAY });
  });

  it('shows a late result for an old day once the kept figures expire, and starts over on a new day', async () => {
    let clock = now;
    const store = recordingStore([...rows]);
    const days = new SettledDays(() => clock);
    await days.dailyChecks(store, 'org_a', ['m2'], from, clock);
    store.rows.push({ orgId: 'org_a', monitorId: 'm2', day: day(today - 10 * DAY), checks: 1, failures: 1 });
    const stale = await days.dailyChecks(store, 'org_a', ['m2'], from, clock);
    expect(stale.some((d) => d.day === day(today - 10 * DAY))).toBe(false);

    clock += SETTLED_TTL_MS;
    const fresh = await days.dailyChecks(store, 'org_a', ['m2'], from, clock);
    expect(fresh.some((d) => d.day === day(today - 10 * DAY))).toBe(true);

    // Next day: yesterday's figures become settled and the window moves on by a day.
    clock = now + DAY;
    store.asked.length = 0;
    const next = await days.dailyChecks(store, 'org_a', ['m2'], from + DAY, clock);
    expect(store.asked[0]).toMatchObject({ ids: ['m2'], from: day(from + DAY), to: today });
    expect(next.some((d) => d.day === day(today - 89 * DAY))).toBe(false);
  });

  it('asks the store directly when the whole range is recent', async () => {
    const store = recordingStore(rows);
    const days = new SettledDays(() => now);
    const got = await days.dailyChecks(store, 'org_a', ['m1'], today - DAY, now);
    expect(sorted(got).map((d) => d.day)).toEqual([day(today - DAY), day(today)]);
    expect(store.asked).toHaveLength(1);
  });
});
