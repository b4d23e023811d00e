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
  /** Pops everything due at `t` as [handle, due] pairs. */
  const drain = (q: DueQueue, t: number) => {
    const out: Array<[number, number]> = [];
    for (let h = q.popDue(t); h >= 0; h = q.popDue(t)) out.push([h, q.lastDueMs(h)]);
    return out;
  };

  it('pops entries in due order, only when due', () => {
    const q = new DueQueue();
    q.schedule(2, 200);
    q.schedule(1, 100);
    q.schedule(3, 300);
    expect(q.popDue(50)).toBe(-1);
    expect(drain(q, 250)).toEqual([[1, 100], [2, 200]]);
    expect(q.peekDue()).toBe(300);
    expect(q.dueOf(3)).toBe(300);
    expect(q.dueOf(1)).toBeUndefined();
  });

  it('rescheduling moves the entry (earlier or later) and removal drops it', () => {
    const q = new DueQueue();
    q.schedule(0, 100);
    q.schedule(0, 500);
    q.schedule(1, 200);
    q.schedule(2, 900);
    q.schedule(2, 50);
    q.remove(1);
    q.remove(7);
    expect(q.size).toBe(2);
    expect(q.has(1)).toBe(false);
    expect(drain(q, 1000)).toEqual([[2, 50], [0, 500]]);
    expect(q.popDue(1000)).toBe(-1);
  });

  it('keeps heap order over many random entries, moves and removals, growing past its first size', () => {
    const q = new DueQueue(16);
    const due = new Map<number, number>();
    for (let h = 0; h < 5000; h++) {
      const d = Math.floor(Math.random() * 1e6);
      q.schedule(h, d);
      due.set(h, d);
    }
    for (let h = 0; h < 5000; h += 7) {
      const d = Math.floor(Math.random() * 1e6);
      q.schedule(h, d);
      due.set(h, d);
    }
    for (let h = 3; h < 5000; h += 11) {
      q.remove(h);
      due.delete(h);
    }
    expect(q.size).toBe(due.size);
    const popped = drain(q, Infinity);
    expect(popped.map(([, d]) => d)).toEqual([...due.values()].sort((a, b) => a - b));
    expect(new Map(popped)).toEqual(due);
  });
});
