import { describe, expect, it } from 'vitest';
import { nextDueMs, phaseOffsetMs } from '../../../services/scheduler/phase.js';
import { DueQueue } from '../../../services/scheduler/due-queue.js';

describe('phase spread', () => {
  it('spreads monitors over the interval instead of firing them together', () => {
    const offsets = Array.from({ length: 1000 }, (_, i) => phaseOffsetMs(`mon_${i}`, 60_000));
    const buckets = new Array(10).fill(0);
    for (const o of offsets) buckets[Math.floor(o / 6_000)]++;
    // Every tenth of the minute gets a share near 100 of the 1000 monitors.
    for (const b of buckets) expect(b).toBeGreaterThan(60);
    expect(new Set(offsets).size).toBeGreaterThan(900);
  });

  it('next due is strictly after the given instant, on the monitor\'s grid', () => {
    const interval = 30_000;
    const offset = phaseOffsetMs('mon_x', interval);
    for (const after of [0, 1, offset, offset + 1, 1_700_000_000_123]) {
      const due = nextDueMs('mon_x', interval, after);
      expect(due).toBeGreaterThan(after);
      expect(due - after).toBeLessThanOrEqual(interval);
      expect(((due - offset) % interval + interval) % interval).toBe(0);
    }
  });
});

describe('due queue', () => {
  it('pops entries in due order, only when due', () => {
    const q = new DueQueue();
    q.schedule('b', 200);
    q.schedule('a', 100);
    q.schedule('c', 300);
    expect(q.popDue(50)).toBeUndefined();
    expect(q.popDue(250)).toEqual({ monitorId: 'a', dueMs: 100 });
    expect(q.popDue(250)).toEqual({ monitorId: 'b', dueMs: 200 });
    expect(q.popDue(250)).toBeUndefined();
    expect(q.peekDue()).toBe(300);
  });

  it('rescheduling replaces the earlier entry and removal drops it', () => {
    const q = new DueQueue();
    q.schedule('a', 100);
    q.schedule('a', 500);
    q.schedule('b', 200);
    q.remove('b');
    expect(q.size).toBe(1);
    expect(q.popDue(1000)).toEqual({ monitorId: 'a', dueMs: 500 });
    expect(q.popDue(1000)).toBeUndefined();
  });

  it('keeps heap order over many random entries', () => {
    const q = new DueQueue();
    const dues = Array.from({ length: 5000 }, (_, i) => ({ id: `m${i}`, due: Math.floor(Math.random() * 1e6) }));
    for (const d of dues) q.schedule(d.id, d.due);
    const popped: number[] = [];
    for (let e = q.popDue(Infinity); e; e = q.popDue(Infinity)) popped.push(e.dueMs);
    expect(popped).toEqual(dues.map((d) => d.due).sort((a, b) => a - b));
  });
});
