/**
 * A sharded scheduler whose hot state stops answering owns nothing once its record may have
 * expired (another would have taken its share), and when it can renew again it publishes
 * the slots it left out meanwhile whose deadline has not passed: no slot is lost to the lapse
 * and none is queued twice. In-process bus and hot state; the outage is injected.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CheckJob } from '../../proto/generated/pharos/v1/check.js';
import { MemoryJobBus } from '../../services/lib/adapters/memory/job-bus.js';
import { MemoryHotState } from '../../services/lib/adapters/memory/hot-state.js';
import { createLogger } from '../../services/lib/logger.js';
import { monitorDefaults, type Monitor } from '../../services/lib/monitors/model.js';
import { subjectsFor } from '../../services/lib/subjects.js';
import { nextDueMs } from '../../services/scheduler/phase.js';
import { startScheduler, type RunningScheduler } from '../../services/scheduler/scheduler.js';
import { eventually } from '../support/services.js';
import { pagedList } from '../support/monitor-source.js';

/** Hot state whose record writes fail while `down` is set, as Redis being unreachable. */
class FlakyHotState extends MemoryHotState {
  down = false;
  override async putRecord(group: string, field: string, value: string, ttlMs: number) {
    if (this.down) throw new Error('hot state unavailable');
    return super.putRecord(group, field, value, ttlMs);
  }
}

const INTERVAL_MS = 1_000;
const created = new Date(0);
const monitors: Monitor[] = Array.from({ length: 20 }, (_, i) => ({
  ...monitorDefaults(['local']), name: `m${i}`, type: 'Website', url: 'http://127.0.0.1:9/', intervalSeconds: INTERVAL_MS / 1000,
  id: `mon_lapse_${i}`, orgId: 'org_lapse', pingToken: null, paused: false, revision: 1, status: 'Pending', lastCheckedAt: null, createdAt: created, updatedAt: created,
}));

const running: RunningScheduler[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

describe('sharded scheduler lapse', () => {
  it('stops publishing while it cannot renew, then publishes the slots it left out: each slot queued once', async () => {
    const bus = new MemoryJobBus();
    const hotState = new FlakyHotState();
    const subjects = subjectsFor('lapse');
    const queued = new Map<string, number>();
    const take = async (m: { data: Uint8Array }) => {
      const id = CheckJob.decode(m.data).jobId;
      queued.set(id, (queued.get(id) ?? 0) + 1);
    };
    await bus.consumeWork({ subject: subjects.jobs('local'), maxInFlight: 1000, onExpired: take }, take);
    const byId = new Map(monitors.map((m) => [m.id, m]));
    const scheduler = await startScheduler({
      monitors: { listActivePage: pagedList(() => monitors), getById: async (id) => byId.get(id) ?? null },
      bus, hotState, subjects, logger: createLogger('silent'), schedulerId: 'solo', sharding: { ttlMs: 900 },
      // Full reloads run during the lapse too: they must keep the share in memory.
      fullReloadMs: 200,
    });
    running.push(scheduler);
    await eventually(() => scheduler.size() === monitors.length, { timeoutMs: 5_000, what: 'monitors held' });
    const from = Date.now() + 200;
    await eventually(() => Date.now() > from + 1_500, { timeoutMs: 3_000, what: 'a steady second' });

    hotState.down = true;
    await eventually(() => scheduler.shardMembers().length === 0, { timeoutMs: 3_000, intervalMs: 20, what: 'the scheduler gives up its share' });
    const lapsedAt = Date.now();
    // Slots fall due while it owns nothing; it still holds its monitors (nobody else has them).
    let heldDuringLapse = Infinity;
    await eventually(() => {
      heldDuringLapse = Math.min(heldDuringLapse, scheduler.size());
      return Date.now() > lapsedAt + 700;
    }, { timeoutMs: 2_000, intervalMs: 20, what: 'slots during the lapse' });
    expect(heldDuringLapse).toBe(monitors.length);
    const missedMeanwhile = monitors.filter((m) => !queued.has(`${m.id}.local.${nextDueMs(m.id, INTERVAL_MS, lapsedAt)}`)).length;
    hotState.down = false;
    await eventually(() => scheduler.shardMembers().length === 1, { timeoutMs: 3_000, intervalMs: 20, what: 'the scheduler renews again' });
    const until = Date.now() + 1_500;
    await eventually(() => Date.now() > until + 300, { timeoutMs: 3_000, what: 'a steady second after' });

    // While it owned nothing, slots went unpublished (the lapse is real) …
    expect(missedMeanwhile).toBeGreaterThan(0);
    // … and afterwards every slot of the whole time is queued, once.
    const wrong: string[] = [];
    for (const m of monitors) {
      for (let slot = nextDueMs(m.id, INTERVAL_MS, from); slot <= until; slot += INTERVAL_MS) {
        const n = queued.get(`${m.id}.local.${slot}`) ?? 0;
        if (n !== 1) wrong.push(`${m.id}@${slot}: ${n}`);
      }
    }
    expect(wrong).toEqual([]);
    await bus.close();
  }, 20_000);
});
