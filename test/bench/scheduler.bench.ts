/**
 * Scheduler dispatch lateness with 100,000 active monitors (60 s interval, one region):
 * how long after its due instant each job is published. Runs the real scheduler over the
 * in-process bus, or over NATS when PHAROS_BENCH_NATS_URL is set.
 *
 *   node --import tsx test/bench/scheduler.bench.ts
 */
import { startScheduler } from '../../services/scheduler/scheduler.js';
import { MemoryJobBus } from '../../services/lib/adapters/memory/job-bus.js';
import { MemoryHotState } from '../../services/lib/adapters/memory/hot-state.js';
import { openNatsJobBus } from '../../services/lib/adapters/nats/job-bus.js';
import { subjectsFor } from '../../services/lib/subjects.js';
import { createLogger } from '../../services/lib/logger.js';
import { monitorDefaults, type Monitor } from '../../services/lib/monitors/model.js';
import { percentile } from './stats.js';
import { pagedList } from '../support/monitor-source.js';

const MONITORS = Number(process.env.BENCH_MONITORS ?? 100_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const logger = createLogger('warn');
const prefix = `bench_${Date.now().toString(36)}`;
const natsUrl = process.env.PHAROS_BENCH_NATS_URL;
const bus = natsUrl ? await openNatsJobBus({ url: natsUrl, prefix, logger, name: 'scheduler-bench' }) : new MemoryJobBus();

const now = new Date();
const monitors: Monitor[] = Array.from({ length: MONITORS }, (_, i) => ({
  ...monitorDefaults(['UsEast']),
  name: `m${i}`,
  type: 'Website',
  url: 'http://127.0.0.1:9/',
  id: `mon_bench${i.toString().padStart(7, '0')}`,
  orgId: 'org_bench',
  pingToken: null,
  paused: false,
  revision: 1,
  status: 'Up',
  lastCheckedAt: null,
  createdAt: now,
  updatedAt: now,
}));

const lateness: number[] = [];
/** Lateness after the first 5 s, once the start-up load is behind it. */
const steady: number[] = [];
const WARMUP_MS = 5_000;
const rssStart = process.memoryUsage().rss;
const started = Date.now();
const scheduler = await startScheduler({
  monitors: { listActivePage: pagedList(() => monitors), getById: async (id) => monitors.find((m) => m.id === id) ?? null },
  bus,
  hotState: new MemoryHotState(),
  subjects: subjectsFor(prefix),
  logger,
  schedulerId: 'bench',
  onDispatch: (_id, due, published) => {
    lateness.push(published - due);
    if (published - started > WARMUP_MS) steady.push(published - due);
  },
});
const loadMs = Date.now() - started;
await new Promise((r) => setTimeout(r, SECONDS * 1000));
await scheduler.stop();
await bus.close();

lateness.sort((a, b) => a - b);
steady.sort((a, b) => a - b);
const figures = {
  name: 'scheduler_dispatch_lateness',
  engine: natsUrl ? 'nats' : 'in-process bus',
  monitors: MONITORS,
  intervalSeconds: 60,
  seconds: SECONDS,
  dispatches: lateness.length,
  dispatchesPerSecond: Math.round(lateness.length / SECONDS),
  latenessP50Ms: percentile(lateness, 0.5),
  latenessP99Ms: percentile(lateness, 0.99),
  latenessMaxMs: lateness.at(-1) ?? null,
  steadyLatenessP50Ms: percentile(steady, 0.5),
  steadyLatenessP99Ms: percentile(steady, 0.99),
  steadyLatenessMaxMs: steady.at(-1) ?? null,
  loadMs,
  rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
  rssGrowthMiB: Math.round((process.memoryUsage().rss - rssStart) / 2 ** 20),
};
console.log(`scheduler: ${figures.monitors} monitors, ${figures.dispatches} dispatches in ${SECONDS}s over ${figures.engine}; lateness p50 ${figures.latenessP50Ms} ms, p99 ${figures.latenessP99Ms} ms, max ${figures.latenessMaxMs} ms; after start-up p99 ${figures.steadyLatenessP99Ms} ms, max ${figures.steadyLatenessMaxMs} ms (start-up load ${loadMs} ms)`);
console.log(`BENCH ${JSON.stringify(figures)}`);
process.exit(0);
