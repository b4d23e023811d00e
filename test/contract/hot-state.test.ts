import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { MemoryHotState } from '../../services/lib/adapters/memory/hot-state.js';
import { openRedisHotState } from '../../services/lib/adapters/redis/hot-state.js';
import { eventually, realService, uniqueName } from '../support/services.js';
import { hotStateContract } from './suites/hot-state.js';

hotStateContract('memory', async () => {
  let now = 1_700_000_000_000;
  const state = new MemoryHotState({ now: () => now });
  return {
    state,
    afterTtl: async (ttlMs, probe, what) => {
      now += ttlMs + 1;
      await eventually(probe, { timeoutMs: 100, what });
    },
    dispose: () => state.close(),
  };
});

const redisUrl = realService('redis');
if (redisUrl) {
  /** Deletes every key under the suite's own prefix (never anything else). */
  async function dropPrefix(prefix: string): Promise<number> {
    const admin = new Redis(redisUrl!);
    try {
      let n = 0;
      for await (const keys of admin.scanStream({ match: `${prefix}*`, count: 500 })) {
        if ((keys as string[]).length) n += await admin.del(...(keys as string[]));
      }
      return n;
    } finally {
      admin.disconnect();
    }
  }

  hotStateContract('redis', async () => {
    const prefix = `${uniqueName('hs')}:`;
    const state = await openRedisHotState({ url: redisUrl, prefix });
    return {
      state,
      afterTtl: async (ttlMs, probe, what) => {
        await eventually(probe, { timeoutMs: ttlMs + 5_000, intervalMs: 25, what });
      },
      dispose: async () => {
        await state.close();
        await dropPrefix(prefix);
      },
    };
  });

  describe('RedisHotState specifics', () => {
    it('keeps tenants with different prefixes apart', async () => {
      const p1 = `${uniqueName('hs')}:`;
      const p2 = `${uniqueName('hs')}:`;
      const a = await openRedisHotState({ url: redisUrl, prefix: p1 });
      const b = await openRedisHotState({ url: redisUrl, prefix: p2 });
      try {
        expect(await a.acquireLease('l', 'x', 60_000)).toBe(true);
        expect(await b.acquireLease('l', 'y', 60_000)).toBe(true);
        await a.markSeen('ns', ['id'], 60_000);
        expect(await b.filterSeen('ns', ['id'])).toEqual(new Set());
      } finally {
        await a.close();
        await b.close();
      }
      expect(await dropPrefix(p1)).toBe(2); // lease + seen set, all under the prefix
      expect(await dropPrefix(p2)).toBe(1);
    });

    it('fails to open against an unreachable server', async () => {
      await expect(openRedisHotState({ url: 'redis://127.0.0.1:1', prefix: 'x:' })).rejects.toMatchObject({
        name: 'HotStateUnavailableError',
        transient: true,
      });
    });
  });
}
