import { describe, expect, it } from 'vitest';
import { ownerOf } from '../../../services/scheduler/rendezvous.js';
import { createShardMembership } from '../../../services/scheduler/shard-membership.js';
import { MemoryHotState } from '../../../services/lib/adapters/memory/hot-state.js';

const ids = Array.from({ length: 20_000 }, (_, i) => `mon_${i.toString(36).padStart(8, '0')}`);

describe('rendezvous hashing', () => {
  it('splits monitors evenly over the members', () => {
    const members = ['sched-a', 'sched-b', 'sched-c', 'sched-d'];
    const counts = new Map<string, number>();
    for (const id of ids) counts.set(ownerOf(id, members)!, (counts.get(ownerOf(id, members)!) ?? 0) + 1);
    for (const m of members) expect(Math.abs(counts.get(m)! / ids.length - 0.25), m).toBeLessThan(0.02);
  });

  it('moves only the monitors a joining member takes, and only a leaving member\'s monitors', () => {
    const three = ['a', 'b', 'c'];
    const four = [...three, 'd'];
    let moved = 0;
    for (const id of ids) {
      const before = ownerOf(id, three);
      const after = ownerOf(id, four);
      if (before !== after) {
        moved++;
        expect(after).toBe('d');
      }
      // Leaving: only d's monitors move, the others stay where they were.
      if (after !== 'd') expect(ownerOf(id, three)).toBe(after);
    }
    expect(moved / ids.length).toBeGreaterThan(0.2);
    expect(moved / ids.length).toBeLessThan(0.3);
  });

  it('gives the same owner whatever the order of the member list, and none without members', () => {
    expect(ownerOf('mon_x', ['b', 'a', 'c'])).toBe(ownerOf('mon_x', ['c', 'b', 'a']));
    expect(ownerOf('mon_x', [])).toBeUndefined();
  });
});

describe('shard membership', () => {
  it('sees the live schedulers, drops one whose record expired, and owns nothing once its own renewal is stale', async () => {
    let t = 1_000_000;
    const hotState = new MemoryHotState({ now: () => t });
    const a = createShardMembership({ hotState, schedulerId: 'a', incarnation: '1', ttlMs: 3_000, now: () => t });
    const b = createShardMembership({ hotState, schedulerId: 'b', incarnation: '1', ttlMs: 3_000, now: () => t });
    expect((await a.renew()).current).toEqual(['a']);
    expect(await b.renew()).toEqual({ changed: true, lapsed: false, previous: [], current: ['a', 'b'] });
    expect(await a.renew()).toEqual({ changed: true, lapsed: false, previous: ['a'], current: ['a', 'b'] });
    const owned = ids.slice(0, 1000).filter((id) => a.owns(id)).length + ids.slice(0, 1000).filter((id) => b.owns(id)).length;
    expect(owned).toBe(1000);
    // a stops renewing (killed); b goes on: after a's TTL b alone owns everything.
    t += 2_000;
    expect((await b.renew()).changed).toBe(false);
    t += 1_001;
    expect(await b.renew()).toEqual({ changed: true, lapsed: false, previous: ['a', 'b'], current: ['b'] });
    expect(ids.slice(0, 1000).every((id) => b.owns(id))).toBe(true);
    // a, not renewed for longer than its record lives, owns nothing (it must not publish beside b).
    expect(ids.slice(0, 1000).some((id) => a.owns(id))).toBe(false);
    expect(a.members()).toEqual([]);
    // a comes back from its stall: a lapse (it owned nothing meanwhile), and b is back in its view.
    expect(await a.renew()).toEqual({ changed: false, lapsed: true, previous: ['a', 'b'], current: ['a', 'b'] });
    // A graceful leave is seen at the next renewal.
    await a.leave();
    t += 2;
    expect((await b.renew()).current).toEqual(['b']);
  });
});
