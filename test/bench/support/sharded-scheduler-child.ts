/**
 * One sharded scheduler of `sharded-schedulers.bench.ts`, in its own process. Its monitors
 * come from a paged generator (BENCH_MONITORS Website monitors, made a page at a time as the
 * store's rows would arrive: no process holds the million as objects); membership is in
 * Redis (PHAROS_BENCH_REDIS_URL); jobs go to NATS (PHAROS_BENCH_NATS_URL) or, without it, to
 * a sink that takes every job at once (a stand-in for the work queue: its memory and CPU are
 * then not in the figures). Talks to the parent over IPC: `status` every 250 ms; on `steady`
 * it starts the steady lateness histogram; on `report` it answers with its figures and stops.
 */
import v8 from 'node:v8';
import { startScheduler } from '../../../services/scheduler/scheduler.js';
import { MemoryJobBus } from '../../../services/lib/adapters/memory/job-bus.js';
import { openNatsJobBus } from '../../../services/lib/adapters/nats/job-bus.js';
import { openRedisHotState } from '../../../services/lib/adapters/redis/hot-state.js';
import { subjectsFor } from '../../../services/lib/subjects.js';
import { createLogger } from '../../../services/lib/logger.js';
import type { JobBus, WorkPublish } from '../../../services/lib/ports/job-bus.js';
import { monitorDefaults, type Monitor } from '../../../services/lib/monitors/model.js';

const env = process.env;
const MONITORS = Number(env.BENCH_MONITORS);
const id = env.BENCH_SCHEDULER_ID!;
const prefix = env.BENCH_PREFIX!;
const logger = createLogger(env.PHAROS_LOG_LEVEL ?? 'warn');
const send = (msg: object) => process.send!(msg);
const gc = (globalThis as { gc?: () => void }).gc!;
const heap = () => {
  gc();
  gc();
  const u = process.memoryUsage();
  return { heapUsed: u.heapUsed, arrayBuffers: u.arrayBuffers };
};

/** Jobs taken at once and dropped, as an agent fleet that keeps up would. */
class SinkBus extends MemoryJobBus {
  jobs = 0;
  override async publishWork(_subject: string, _data: Uint8Array, _opts: WorkPublish): Promise<void> {
    this.jobs++;
  }
}

// Ids as the store makes them (`mon_` + 26 characters), in id order = index order.
const ID_DIGITS = 26 - 'bench'.length;
const idOf = (i: number) => `mon_bench${String(i).padStart(ID_DIGITS, '0')}`;
const indexOf = (monitorId: string) => Number(monitorId.slice('mon_bench'.length));
// A fresh top-level object per row, its nested defaults (empty header and assertion lists)
// shared: the scheduler keeps nothing of a row but copied or interned values, so for its
// memory this is as a store's rows. Built by a literal of fixed shape: a spread or a parsed
// copy per row cost 30-70 µs here, which a real store spends decoding rows and which would
// swamp the scheduler's own work (four processes each read every monitor on every reload).
const defaults = monitorDefaults(['UsEast']) as unknown as Record<string, unknown>;
const row = new Function('d', 'i', 'id', 'orgId', 'url', 'now', `return { ${Object.keys(defaults).map((k) => `${JSON.stringify(k)}: d[${JSON.stringify(k)}]`).join(', ')},
  name: 'Monitor ' + i, type: 'Website', url, id, orgId, pingToken: null, paused: false, revision: 1,
  status: 'Up', lastCheckedAt: now, createdAt: now, updatedAt: now };`) as (d: object, i: number, id: string, orgId: string, url: string, now: Date) => Monitor;
const created = new Date(0);
const monitor = (i: number): Monitor => row(defaults, i, idOf(i), `org_bench${String(i % 1000).padStart(17, '0')}`, `https://service-${i}.example.com/health`, created);
let pagesRead = 0;
const source = {
  async listActivePage(afterId: string | null, limit: number): Promise<Monitor[]> {
    pagesRead++;
    const from = afterId === null ? 0 : indexOf(afterId) + 1;
    const page: Monitor[] = [];
    for (let i = from; i < Math.min(MONITORS, from + limit); i++) page.push(monitor(i));
    return page;
  },
  getById: async (monitorId: string) => {
    const i = indexOf(monitorId);
    return i >= 0 && i < MONITORS ? monitor(i) : null;
  },
};

const natsUrl = env.PHAROS_BENCH_NATS_URL;
const bus: JobBus = natsUrl ? await openNatsJobBus({ url: natsUrl, prefix, logger, name: `bench-${id}` }) : new SinkBus();
const hotState = await openRedisHotState({ url: env.PHAROS_BENCH_REDIS_URL!, prefix: `${prefix}:` });

/** Lateness histograms in 1 ms buckets up to 10 minutes; the last bucket takes the rest. */
const BUCKETS = 600_001;
const all = new Uint32Array(BUCKETS);
const steady = new Uint32Array(BUCKETS);
let steadyFrom = Infinity;
let dispatches = 0;
const before = heap();
const startedAt = Date.now();
const scheduler = await startScheduler({
  monitors: source, bus, hotState, subjects: subjectsFor(prefix), logger, schedulerId: id,
  sharding: { ttlMs: Number(env.BENCH_SHARD_TTL_MS ?? 3_000) },
  // The periodic full reload (default 60 s); BENCH_FULL_RELOAD_MS shows what it costs the lateness.
  fullReloadMs: env.BENCH_FULL_RELOAD_MS ? Number(env.BENCH_FULL_RELOAD_MS) : undefined,
  onDispatch: (_monitorId, due, published) => {
    const late = Math.min(BUCKETS - 1, Math.max(0, published - due));
    all[late]++;
    dispatches++;
    if (published >= steadyFrom) steady[late]++;
  },
});

function percentiles(h: Uint32Array) {
  let n = 0;
  for (let i = 0; i < h.length; i++) n += h[i];
  const at = (q: number) => {
    if (!n) return null;
    const want = Math.ceil(q * n);
    let seen = 0;
    for (let i = 0; i < h.length; i++) if ((seen += h[i]) >= want) return i;
    return h.length - 1;
  };
  let max: number | null = null;
  for (let i = h.length - 1; i >= 0; i--) if (h[i]) { max = i; break; }
  return { n, p50: at(0.5), p99: at(0.99), max, histogram: compress(h) };
}
/** Non-empty buckets only, so the parent can merge the four histograms. */
function compress(h: Uint32Array): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < h.length; i++) if (h[i]) out.push([i, h[i]]);
  return out;
}

const statusTimer = setInterval(() => send({ type: 'status', members: scheduler.shardMembers().length, held: scheduler.size() }), 250);
process.on('message', (msg: { type: string; at?: number }) => {
  if (msg.type === 'steady') steadyFrom = msg.at!;
  if (msg.type === 'measure') {
    // Right after settling: what holding the share costs, before the bus's own state grows.
    const after = heap();
    send({
      type: 'memory', held: scheduler.size(),
      heapBytes: after.heapUsed - before.heapUsed, arrayBufferBytes: after.arrayBuffers - before.arrayBuffers,
      rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
      heapLimitMiB: Math.round(v8.getHeapStatistics().heap_size_limit / 2 ** 20),
    });
  }
  if (msg.type === 'report') {
    clearInterval(statusTimer);
    const rssMiB = Math.round(process.memoryUsage().rss / 2 ** 20);
    void (async () => {
      await scheduler.stop();
      send({
        type: 'report', id, held: scheduler.size(), dispatches, seconds: (Date.now() - startedAt) / 1000, pagesRead, rssMiB,
        jobs: bus instanceof SinkBus ? bus.jobs : null, all: percentiles(all), steady: percentiles(steady),
      });
      await bus.close();
      await hotState.close();
      process.exit(0);
    })();
  }
});
send({ type: 'started' });
