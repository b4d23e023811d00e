/**
 * Per-source request spacing shared between Encrata workers through hot state: two worker
 * processes' clients of one source, each with its own Redis connection under one prefix,
 * send their requests one interval apart in all — not one interval apart each. The same
 * over the in-memory hot state (`pharos dev`, one process).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSourceClient } from '../../services/encrata/sources/source-client.js';
import { openRedisHotState } from '../../services/lib/adapters/redis/hot-state.js';
import { MemoryHotState } from '../../services/lib/adapters/memory/hot-state.js';
import type { HotState } from '../../services/lib/ports/hot-state.js';
import { realService, uniqueName } from '../support/services.js';

const INTERVAL_MS = 200;
const PER_WORKER = 4;

let server: http.Server;
let base: string;
const arrivals: Array<{ worker: string; at: number }> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    arrivals.push({ worker: String(req.headers['x-worker']), at: performance.now() });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Both workers fire all their requests at once; returns the server's arrival times, sorted. */
async function burstFromTwoWorkers(hotStates: [HotState, HotState], name: string): Promise<Array<{ worker: string; at: number }>> {
  arrivals.length = 0;
  const clients = hotStates.map((hotState, i) => createSourceClient({
    name, baseUrl: base, timeoutMs: 5_000, attempts: 1, minIntervalMs: INTERVAL_MS, hotState, headers: { 'x-worker': `w${i}` },
  }));
  const answers = await Promise.all(clients.flatMap((c) => Array.from({ length: PER_WORKER }, (_, n) => c.get(`/q${n}`, AbortSignal.timeout(30_000)))));
  expect(answers.every((a) => a.kind === 'found')).toBe(true);
  return [...arrivals].sort((a, b) => a.at - b.at);
}

function expectSpacedAsOne(sorted: Array<{ worker: string; at: number }>) {
  expect(sorted).toHaveLength(2 * PER_WORKER);
  expect(new Set(sorted.map((a) => a.worker))).toEqual(new Set(['w0', 'w1']));
  // One allowance for both: 8 requests take at least 7 intervals (less a little for the
  // network's jitter between deciding and arriving). Per-process spacing would take ~3.
  expect(sorted[sorted.length - 1].at - sorted[0].at).toBeGreaterThanOrEqual((2 * PER_WORKER - 1) * INTERVAL_MS - INTERVAL_MS / 2);
  const gaps = sorted.slice(1).map((a, i) => a.at - sorted[i].at);
  expect(Math.min(...gaps)).toBeGreaterThanOrEqual(INTERVAL_MS / 2);
}

const redisUrl = realService('redis');
if (redisUrl) {
  describe('Encrata source spacing shared through Redis', () => {
    it('two workers of one source share one request allowance', async () => {
      const prefix = `${uniqueName('encrata-pace')}:`;
      const workers = await Promise.all([openRedisHotState({ url: redisUrl, prefix }), openRedisHotState({ url: redisUrl, prefix })]);
      try {
        expectSpacedAsOne(await burstFromTwoWorkers([workers[0], workers[1]], 'gleif'));
      } finally {
        await Promise.all(workers.map((w) => w.close()));
      }
    });

    it('different sources keep separate allowances', async () => {
      const prefix = `${uniqueName('encrata-pace')}:`;
      const workers = await Promise.all([openRedisHotState({ url: redisUrl, prefix }), openRedisHotState({ url: redisUrl, prefix })]);
      try {
        const [a, b] = workers.map((hotState, i) => createSourceClient({ name: i ? 'hibp' : 'gleif', baseUrl: base, timeoutMs: 5_000, attempts: 1, minIntervalMs: 60_000, hotState }));
        // Each source's first request goes at once; were the key shared, the second would wait a minute.
        const answers = await Promise.all([a.get('/x', AbortSignal.timeout(10_000)), b.get('/y', AbortSignal.timeout(10_000))]);
        expect(answers.map((x) => x.kind)).toEqual(['found', 'found']);
      } finally {
        await Promise.all(workers.map((w) => w.close()));
      }
    });
  });
}

describe('Encrata source spacing over in-memory hot state', () => {
  it('clients sharing one hot state share one request allowance', async () => {
    const hotState = new MemoryHotState();
    try {
      expectSpacedAsOne(await burstFromTwoWorkers([hotState, hotState], 'rdap'));
    } finally {
      await hotState.close();
    }
  });

  it('an unreachable hot state falls back to the process\'s own spacing', async () => {
    const broken: HotState = Object.assign(new MemoryHotState(), { consumeRateLimit: async () => { throw new Error('hot state down'); } });
    const c = createSourceClient({ name: 'gleif', baseUrl: base, timeoutMs: 5_000, attempts: 1, minIntervalMs: INTERVAL_MS, hotState: broken });
    arrivals.length = 0;
    const answers = await Promise.all([c.get('/a', AbortSignal.timeout(10_000)), c.get('/b', AbortSignal.timeout(10_000))]);
    expect(answers.map((x) => x.kind)).toEqual(['found', 'found']);
    expect(arrivals[1].at - arrivals[0].at).toBeGreaterThanOrEqual(INTERVAL_MS / 2);
  });
});
