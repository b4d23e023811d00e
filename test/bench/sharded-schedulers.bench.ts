/**
 * Sharded schedulers at scale (issue 16): BENCH_MONITORS (default 1,000,000) Website monitors
 * at a 60 s interval over BENCH_SCHEDULERS (default 4) sharded schedulers in this process,
 * on the in-process bus and hot state. Reports dispatch lateness (due time → jobs published)
 * and the heap each held monitor costs: the scheduler's own entries (its map and due queue,
 * measured after a forced GC) plus the monitor object as the store returns it (measured apart,
 * since the four schedulers here share one fixture).
 *
 *   node --expose-gc --max-old-space-size=8192 --import tsx test/bench/sharded-schedulers.bench.ts
 */
import v8 from 'node:v8';
import { startScheduler, type RunningScheduler } from '../../services/scheduler/scheduler.js';
import { MemoryJobBus } from '../../services/lib/adapters/memory/job-bus.js';
import { MemoryHotState } from '../../services/lib/adapters/memory/hot-state.js';
import { subjectsFor } from '../../services/lib/subjects.js';
import { createLogger } from '../../services/lib/logger.js';
import { monitorDefaults, type Monitor } from '../../services/lib/monitors/model.js';
import { percentile } from './stats.js';

const MONITORS = Number(process.env.BENCH_MONITORS ?? 1_000_000);
const SCHEDULERS = Number(process.env.BENCH_SCHEDULERS ?? 4);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const WARMUP_MS = 5_000;
/**
 * Longer than in production (3 s): the four schedulers share one event loop here, so one's
 * reload of the whole source stalls the others' renewals, which separate processes would not.
 */
const SHARD_TTL_MS = Number(process.env.BENCH_SHARD_TTL_MS ?? 10_000);
const logger = createLogger(process.env.PHAROS_LOG_LEVEL ?? 'warn');
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  process.stderr.write('run with node --expose-gc (npm run bench does not: the memory figure is then without a forced GC)\n');
}
const heap = () => {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
};

const created = new Date(0);
// monitorDefaults() walks the check contracts (~0.1 ms a call); a parsed copy of its JSON is the
// same fields as distinct objects, as rows read from the database are.
const defaultsJson = JSON.stringify(monitorDefaults(['UsEast']));
function monitor(i: number): Monitor {
  return {
    ...(JSON.parse(defaultsJson) as ReturnType<typeof monitorDefaults>), name: `Monitor ${i}`, type: 'Website', url: `https://service-${i}.example.com/health`,
    id: `mon_bench${i.toString().padStart(8, '0')}`, orgId: `org_bench${i % 1000}`, pingToken: null, paused: false, revision: 1,
    status: 'Up', lastCheckedAt: null, createdAt: created, updatedAt: created,
  };
}
// The store's rows, made once (making them on every reload would be the benchmark's main
// cost here, with four schedulers on one event loop): their heap is measured apart.
const beforeFixture = heap();
const fixture = Array.from({ length: MONITORS }, (_, i) => monitor(i));
const monitorObjectBytes = Math.round((heap() - beforeFixture) / MONITORS);
const source = {
  listActive: async () => fixture,
  getById: async (id: string) => fixture[Number(id.slice('mon_bench'.length))] ?? null,
};

const bus = new MemoryJobBus();
const hotState = new MemoryHotState();
const subjects = subjectsFor(`bench_${Date.now().toString(36)}`);
// Stands in for the region's agents: takes every job off the work queue at once.
await bus.consumeWork({ subject: subjects.jobs('UsEast'), maxInFlight: 10_000, onExpired: () => undefined }, async () => undefined);
const steady: number[] = [];
/** Steady state: from WARMUP_MS after every share settled (the start-up rebalances are behind). */
let steadyFrom: number | undefined;
const all: number[] = [];
const baseline = heap();
const started = Date.now();
const schedulers: RunningScheduler[] = [];
for (let s = 0; s < SCHEDULERS; s++) {
  schedulers.push(await startScheduler({
    monitors: source, bus, hotState, subjects, logger, schedulerId: `sched-${s}`, sharding: { ttlMs: SHARD_TTL_MS },
    onDispatch: (_id, due, published) => {
      all.push(published - due);
      if (steadyFrom !== undefined && published > steadyFrom) steady.push(published - due);
    },
  }));
}
// Every scheduler sees all the others (each renews every second) and holds its share.
const deadline = Date.now() + 120_000;
while (schedulers.some((s) => s.shardMembers().length !== SCHEDULERS) || schedulers.reduce((n, s) => n + s.size(), 0) !== MONITORS) {
  if (Date.now() > deadline) throw new Error(`shares not settled: ${schedulers.map((s) => `${s.shardMembers().length}/${s.size()}`).join(' ')}`);
  await new Promise((r) => setTimeout(r, 100));
}
const settledMs = Date.now() - started;
steadyFrom = Date.now() + WARMUP_MS;
const held = schedulers.map((s) => s.size());
const heapHeld = heap() - baseline;
const rss = process.memoryUsage().rss;
await new Promise((r) => setTimeout(r, WARMUP_MS + SECONDS * 1000));
for (const s of schedulers) await s.stop();
await bus.close();

steady.sort((a, b) => a - b);
all.sort((a, b) => a - b);
const figures = {
  name: 'sharded_schedulers',
  monitors: MONITORS,
  schedulers: SCHEDULERS,
  shardTtlMs: SHARD_TTL_MS,
  intervalSeconds: 60,
  seconds: SECONDS,
  heldPerScheduler: held,
  settledMs,
  schedulerBytesPerHeldMonitor: Math.round(heapHeld / MONITORS),
  monitorObjectBytes,
  bytesPerHeldMonitor: Math.round(heapHeld / MONITORS) + monitorObjectBytes,
  forcedGc: Boolean(gc),
  rssMiB: Math.round(rss / 1024 / 1024),
  heapLimitMiB: Math.round(v8.getHeapStatistics().heap_size_limit / 1024 / 1024),
  dispatches: all.length,
  dispatchesPerSecond: Math.round(all.length / ((Date.now() - started) / 1000)),
  steadyLatenessP50Ms: percentile(steady, 0.5),
  steadyLatenessP99Ms: percentile(steady, 0.99),
  steadyLatenessMaxMs: steady.at(-1) ?? null,
  latenessP99Ms: percentile(all, 0.99),
};
process.stdout.write(`${MONITORS} monitors over ${SCHEDULERS} sharded schedulers: held ${held.join('/')}, ${figures.bytesPerHeldMonitor} B per held monitor ` +
  `(${figures.schedulerBytesPerHeldMonitor} scheduler + ${monitorObjectBytes} monitor object); ` +
  `steady lateness p50 ${figures.steadyLatenessP50Ms} ms, p99 ${figures.steadyLatenessP99Ms} ms\n`);
process.stdout.write(`BENCH ${JSON.stringify(figures)}\n`);
