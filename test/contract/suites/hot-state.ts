/**
 * HotState contract (services/lib/ports/hot-state.ts), run against every adapter.
 * Expiry is driven by the fixture: the memory adapter advances a fake clock, Redis
 * waits (polling, never a fixed sleep) for a real short TTL to pass. "Still there"
 * after an expiry is asserted against a short-TTL sibling that must have expired first.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HotState } from '../../../services/lib/ports/hot-state.js';

export interface HotStateFixture {
  state: HotState;
  /** Lets `ttlMs` pass, then resolves once `probe` holds (fails if it never does). */
  afterTtl(ttlMs: number, probe: () => Promise<boolean>, what: string): Promise<void>;
  dispose(): Promise<void>;
}

/** Long enough never to expire during a test, short enough to clean itself up. */
const LONG = 60_000;
const SHORT = 300;

export function hotStateContract(name: string, open: () => Promise<HotStateFixture>): void {
  describe(`HotState contract: ${name}`, () => {
    let f: HotStateFixture;
    let hs: HotState;

    beforeEach(async () => {
      f = await open();
      hs = f.state;
    });
    afterEach(async () => {
      await f.dispose();
    });

    it('rate-limits with GCRA: a full burst, then one request per interval, per key', async () => {
      const t0 = 1_800_000_000_000;
      const decisions = [];
      for (let i = 0; i < 5; i++) decisions.push(await hs.consumeRateLimit('key_a:check', 5, 60_000, t0));
      expect(decisions.map((d) => [d.allowed, d.remaining])).toEqual([[true, 4], [true, 3], [true, 2], [true, 1], [true, 0]]);
      const refused = await hs.consumeRateLimit('key_a:check', 5, 60_000, t0 + 1_000);
      expect(refused).toMatchObject({ allowed: false, remaining: 0, retryAfterMs: 11_000, limit: 5 });
      expect(refused.resetAtMs).toBe(t0 + 60_000);
      expect(await hs.consumeRateLimit('key_b:check', 5, 60_000, t0 + 1_000)).toMatchObject({ allowed: true, remaining: 4 });
      expect((await hs.consumeRateLimit('key_a:check', 5, 60_000, t0 + 12_000)).allowed).toBe(true);
      expect((await hs.consumeRateLimit('key_a:check', 5, 60_000, t0 + 12_001)).allowed).toBe(false);
      // After a whole period of quiet the full allowance is back.
      expect(await hs.consumeRateLimit('key_a:check', 5, 60_000, t0 + 200_000)).toMatchObject({ allowed: true, remaining: 4, resetAtMs: t0 + 212_000 });
    });

    it('gives a lease to one holder at a time', async () => {
      expect(await hs.acquireLease('scheduler', 'a', LONG)).toBe(true);
      expect(await hs.acquireLease('scheduler', 'b', LONG)).toBe(false);
      expect(await hs.acquireLease('scheduler', 'a', LONG)).toBe(true); // renew
      expect(await hs.acquireLease('scheduler', 'b', LONG)).toBe(false);
      expect(await hs.acquireLease('other', 'b', LONG)).toBe(true); // leases are independent
    });

    it('frees a lease on release by its holder only', async () => {
      expect(await hs.acquireLease('l', 'a', LONG)).toBe(true);
      await hs.releaseLease('l', 'b'); // not b's to give up
      expect(await hs.acquireLease('l', 'b', LONG)).toBe(false);
      await hs.releaseLease('l', 'a');
      expect(await hs.acquireLease('l', 'b', LONG)).toBe(true);
      expect(await hs.acquireLease('l', 'a', LONG)).toBe(false);
    });

    it('lets a standby take an expired lease', async () => {
      expect(await hs.acquireLease('l', 'a', SHORT)).toBe(true);
      await f.afterTtl(SHORT, () => hs.acquireLease('l', 'b', LONG), 'b takes the expired lease');
      expect(await hs.acquireLease('l', 'a', LONG)).toBe(false);
    });

    it('extends a lease on renew', async () => {
      expect(await hs.acquireLease('renewed', 'a', SHORT)).toBe(true);
      expect(await hs.acquireLease('renewed', 'a', LONG)).toBe(true);
      expect(await hs.acquireLease('barrier', 'a', SHORT)).toBe(true);
      await f.afterTtl(SHORT, () => hs.acquireLease('barrier', 'b', LONG), 'barrier lease expired');
      expect(await hs.acquireLease('renewed', 'b', LONG)).toBe(false);
    });

    it('keeps record fields until each one expires', async () => {
      await hs.putRecord('agents:eu', 'agent-1', '{"v":1}', LONG);
      await hs.putRecord('agents:eu', 'agent-2', 'x', SHORT);
      await hs.putRecord('agents:us', 'agent-3', 'y', LONG);
      expect(await hs.getRecords('agents:eu')).toEqual({ 'agent-1': '{"v":1}', 'agent-2': 'x' });
      await hs.putRecord('agents:eu', 'agent-1', 'value:with:colons', LONG); // overwrite
      await f.afterTtl(SHORT, async () => !('agent-2' in (await hs.getRecords('agents:eu'))), 'agent-2 expired');
      expect(await hs.getRecords('agents:eu')).toEqual({ 'agent-1': 'value:with:colons' });
      expect(await hs.getRecords('agents:us')).toEqual({ 'agent-3': 'y' });
      expect(await hs.getRecords('nobody')).toEqual({});
    });

    it('re-putting a field with a longer TTL keeps it alive', async () => {
      await hs.putRecord('g', 'f', 'old', SHORT);
      await hs.putRecord('g', 'f', 'new', LONG);
      await hs.putRecord('g', 'barrier', 'b', SHORT);
      await f.afterTtl(SHORT, async () => !('barrier' in (await hs.getRecords('g'))), 'barrier expired');
      expect(await hs.getRecords('g')).toEqual({ f: 'new' });
    });

    it('reports seen ids per namespace until their marks expire', async () => {
      expect(await hs.filterSeen('results', ['a', 'b'])).toEqual(new Set());
      await hs.markSeen('results', ['a', 'b'], LONG);
      await hs.markSeen('results', ['c'], SHORT);
      await hs.markSeen('other', ['d'], LONG);
      expect(await hs.filterSeen('results', ['a', 'c', 'd', 'z'])).toEqual(new Set(['a', 'c']));
      expect(await hs.filterSeen('other', ['a', 'd'])).toEqual(new Set(['d']));
      expect(await hs.filterSeen('results', [])).toEqual(new Set());
      await f.afterTtl(SHORT, async () => !(await hs.filterSeen('results', ['c'])).has('c'), 'c expired');
      expect(await hs.filterSeen('results', ['a', 'b', 'c'])).toEqual(new Set(['a', 'b']));
    });

    it('handles thousands of ids per call', async () => {
      const ids = Array.from({ length: 5_000 }, (_, i) => `res_${i}`);
      await hs.markSeen('bulk', ids.filter((_, i) => i % 2 === 0), LONG);
      const seen = await hs.filterSeen('bulk', ids);
      expect(seen.size).toBe(2_500);
      expect(seen.has('res_0') && seen.has('res_4998') && !seen.has('res_4999')).toBe(true);
    });
  });
}
