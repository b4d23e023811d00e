/**
 * Sharded schedulers at scale (issue 16): BENCH_MONITORS (default 1,000,000) Website monitors
 * at a 60 s interval over BENCH_SCHEDULERS (default 4) sharded schedulers, each its own
 * process (test/bench/support/sharded-scheduler-child.ts), sharing membership in real Redis
 * (PHAROS_BENCH_REDIS_URL; skipped without it). Jobs go to real NATS when
 * PHAROS_BENCH_NATS_URL is set, else each process drops them into a sink. Each process
 * reads its monitors from a paged generator, a page at a time, as from the store.
 *
 * Reports the time until every scheduler sees all the others and the shares add up to the
 * monitors (settled), the heap each held monitor costs (per process: heap after a forced GC
 * once settled, minus before the scheduler started, over the monitors it holds), RSS per
 * process, and dispatch lateness (due time → jobs published) over the run and in steady
 * state (from BENCH_WARMUP_SECONDS after settling, for BENCH_SECONDS).
 *
 *   PHAROS_BENCH_REDIS_URL=redis://127.0.0.1:6379 npm run bench -- sharded-schedulers
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openNatsJobBus } from '../../services/lib/adapters/nats/job-bus.js';
import { createLogger } from '../../services/lib/logger.js';
import { subjectsFor } from '../../services/lib/subjects.js';
import { deletePrefixStreams } from '../support/nats-streams.js';

const MONITORS = Number(process.env.BENCH_MONITORS ?? 1_000_000);
const SCHEDULERS = Number(process.env.BENCH_SCHEDULERS ?? 4);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 120);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 60);
const SHARD_TTL_MS = Number(process.env.BENCH_SHARD_TTL_MS ?? 3_000);
const SETTLE_LIMIT_MS = Number(process.env.BENCH_SETTLE_LIMIT_MS ?? 600_000);
const redisUrl = process.env.PHAROS_BENCH_REDIS_URL;
if (!redisUrl) {
  process.stdout.write('sharded-schedulers: skipped, set PHAROS_BENCH_REDIS_URL (the schedulers are separate processes sharing membership in Redis)\n');
  process.exit(0);
}
const prefix = `benchshard${Date.now().toString(36)}`;
const childFile = path.join(path.dirname(fileURLToPath(import.meta.url)), 'support/sharded-scheduler-child.ts');

interface Child {
  id: string;
  proc: ChildProcess;
  members: number;
  held: number;
  replies: Map<string, (msg: Record<string, unknown>) => void>;
}
type Figures = Record<string, unknown>;

function startChild(id: string): Promise<Child> {
  const proc = fork(childFile, [], {
    execArgv: ['--expose-gc', '--max-old-space-size=4096', '--import', 'tsx'],
    env: { ...process.env, BENCH_MONITORS: String(MONITORS), BENCH_SCHEDULER_ID: id, BENCH_PREFIX: prefix, BENCH_SHARD_TTL_MS: String(SHARD_TTL_MS) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const child: Child = { id, proc, members: 0, held: 0, replies: new Map() };
  proc.on('exit', (code, signal) => {
    if (!stopping) {
      process.stderr.write(`scheduler ${id} exited (${code ?? signal}) before the end\n`);
      process.exit(1);
    }
  });
  proc.on('message', (msg: Record<string, unknown>) => {
    if (msg.type === 'status') {
      child.members = msg.members as number;
      child.held = msg.held as number;
    }
    child.replies.get(msg.type as string)?.(msg);
  });
  return new Promise((resolve) => child.replies.set('started', () => resolve(child)));
}
const ask = (c: Child, type: string, reply: string, extra: object = {}) => new Promise<Figures>((resolve) => {
  c.replies.set(reply, resolve);
  c.proc.send({ type, ...extra });
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let stopping = false;

// Over NATS, this process is the region's agents: it takes every job off the work queue.
const natsUrl = process.env.PHAROS_BENCH_NATS_URL;
let taken = 0;
const agents = natsUrl ? await openNatsJobBus({ url: natsUrl, prefix, logger: createLogger('warn'), name: 'bench-agents' }) : undefined;
const agentSub = await agents?.consumeWork({ subject: subjectsFor(prefix).jobs('UsEast'), maxInFlight: 2_000, onExpired: async () => { taken++; } }, async () => { taken++; });

const started = Date.now();
const children = await Promise.all(Array.from({ length: SCHEDULERS }, (_, s) => startChild(`sched-${s}`)));
const processesUpMs = Date.now() - started;
// Settled: every scheduler sees all the others and the shares add up, twice in a row (a quarter second apart).
let stableFor = 0;
while (stableFor < 2) {
  if (Date.now() - started > SETTLE_LIMIT_MS) {
    process.stderr.write(`not settled after ${SETTLE_LIMIT_MS} ms: ${children.map((c) => `${c.members}/${c.held}`).join(' ')}\n`);
    process.exit(1);
  }
  await sleep(250);
  if (process.env.BENCH_TRACE) process.stderr.write(`${((Date.now() - started) / 1000).toFixed(1)} s: ${children.map((c) => `${c.members}/${c.held}`).join(' ')}\n`);
  const ok = children.every((c) => c.members === SCHEDULERS) && children.reduce((n, c) => n + c.held, 0) === MONITORS;
  stableFor = ok ? stableFor + 1 : 0;
}
const settledMs = Date.now() - started;
const memory = await Promise.all(children.map((c) => ask(c, 'measure', 'memory')));
const steadyFrom = Date.now() + WARMUP_SECONDS * 1000;
for (const c of children) c.proc.send({ type: 'steady', at: steadyFrom });
await sleep(WARMUP_SECONDS * 1000 + SECONDS * 1000);
stopping = true;
const reports = await Promise.all(children.map((c) => ask(c, 'report', 'report')));
await agentSub?.unsubscribe();
await agents?.close();
if (natsUrl) await deletePrefixStreams(natsUrl, prefix);

/** Merges the processes' lateness histograms. */
function merged(key: 'all' | 'steady') {
  const counts = new Map<number, number>();
  for (const r of reports) for (const [ms, n] of (r[key] as { histogram: Array<[number, number]> }).histogram) counts.set(ms, (counts.get(ms) ?? 0) + n);
  const sorted = [...counts].sort((a, b) => a[0] - b[0]);
  const n = sorted.reduce((s, [, k]) => s + k, 0);
  const at = (q: number) => {
    let seen = 0;
    for (const [ms, k] of sorted) if ((seen += k) >= Math.ceil(q * n)) return ms;
    return null;
  };
  return { n, p50: at(0.5), p99: at(0.99), p999: at(0.999), max: sorted.at(-1)?.[0] ?? null };
}
const heldTotal = memory.reduce((s, m) => s + (m.held as number), 0);
const heapTotal = memory.reduce((s, m) => s + (m.heapBytes as number), 0);
const abTotal = memory.reduce((s, m) => s + (m.arrayBufferBytes as number), 0);
const steady = merged('steady');
const all = merged('all');
const figures = {
  name: 'sharded_schedulers',
  monitors: MONITORS,
  schedulers: SCHEDULERS,
  processes: true,
  bus: process.env.PHAROS_BENCH_NATS_URL ? 'nats' : 'sink',
  hotState: 'redis',
  shardTtlMs: SHARD_TTL_MS,
  fullReloadMs: Number(process.env.BENCH_FULL_RELOAD_MS ?? 60_000),
  intervalSeconds: 60,
  processesUpMs,
  settledMs,
  heldPerScheduler: memory.map((m) => m.held),
  bytesPerHeldMonitor: Math.round(heapTotal / heldTotal),
  bytesPerHeldMonitorPerScheduler: memory.map((m) => Math.round((m.heapBytes as number) / (m.held as number))),
  arrayBufferBytesPerHeldMonitor: Math.round(abTotal / heldTotal),
  rssMiBAtSettle: memory.map((m) => m.rssMiB),
  rssMiBAtEnd: reports.map((r) => r.rssMiB),
  warmupSeconds: WARMUP_SECONDS,
  steadySeconds: SECONDS,
  dispatches: all.n,
  steadyDispatches: steady.n,
  steadyDispatchesPerSecond: Math.round(steady.n / SECONDS),
  steadyLatenessP50Ms: steady.p50,
  steadyLatenessP99Ms: steady.p99,
  steadyLatenessP999Ms: steady.p999,
  steadyLatenessMaxMs: steady.max,
  latenessP50Ms: all.p50,
  latenessP99Ms: all.p99,
  latenessMaxMs: all.max,
  pagesRead: reports.map((r) => r.pagesRead),
  jobsTakenOffNats: natsUrl ? taken : null,
};
process.stdout.write(`${MONITORS} monitors over ${SCHEDULERS} scheduler processes: settled in ${(settledMs / 1000).toFixed(1)} s, held ${figures.heldPerScheduler.join('/')}, ` +
  `${figures.bytesPerHeldMonitor} B heap per held monitor, RSS ${figures.rssMiBAtEnd.join('/')} MiB; ` +
  `steady lateness p50 ${steady.p50} ms, p99 ${steady.p99} ms, max ${steady.max} ms over ${steady.n} dispatches\n`);
process.stdout.write(`BENCH ${JSON.stringify(figures)}\n`);
process.exit(0);
