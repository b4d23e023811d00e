/**
 * `pharos server` end to end on Postgres, NATS and Redis (issue 18: ≤ 0.5 CPU-ms per check):
 * the built program's `pharos server` (every role in one process; results in chDB, as the
 * configuration allows for one `pharos server` without PHAROS_CLICKHOUSE_URL), one
 * `pharos agent` connected to it, BENCH_MONITORS (default 2,000) Website monitors at
 * BENCH_INTERVAL seconds (default 5: 400 checks/s) against a local HTTP target.
 *
 * So that every CPU-second can be charged, the bench starts its own nats-server and
 * redis-server (the machine's binaries, on free loopback ports, keeping nothing) and its own
 * Postgres database on BENCH_DATABASE_URL's server (default the machine's, database
 * `pharos_bench_server`, dropped and created anew): Postgres backends are counted by that
 * database in pg_stat_activity (read every 250 ms: the pools open and close connections); Postgres's shared background processes (checkpointer, WAL
 * writer) are not. Reports CPU-ms per check of each part and in all, over BENCH_SECONDS
 * (default 60) after one interval + 10 s of settling, and the oldest monitor status at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { request } from 'undici';
// @ts-expect-error plain JavaScript without declarations
import { currentBuiltProgram } from '../../bin/built-program.js';
import { startTicks, treeCpuMs, treeRssMiB, uptimeTicks } from './support/process-tree.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MONITORS = Number(process.env.BENCH_MONITORS ?? 2000);
const INTERVAL_S = Number(process.env.BENCH_INTERVAL ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB = 'pharos_bench_server';
const KEY = 'pk_server_load_bench_0123456789abcdef0123456789abcd';
// Settings for the server and agent, to compare them: BENCH_PHAROS_ENV="PHAROS_AGENT_BATCH_DELAY_MS=500,…".
const EXTRA_ENV = Object.fromEntries((process.env.BENCH_PHAROS_ENV ?? '').split(',').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));

if (!currentBuiltProgram(ROOT)) {
  console.error('dist/cli is missing or older than the sources: run `npm run build` first');
  process.exit(1);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
const freePort = () => new Promise<number>((resolve) => {
  const s = createNetServer().listen(0, '127.0.0.1', () => { const { port } = s.address() as AddressInfo; s.close(() => resolve(port)); });
});

interface Proc { name: string; child: ChildProcess; out: () => string; exited: Promise<void> }
const procs: Proc[] = [];
function run(name: string, cmd: string, args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(cmd, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => { out = (out + d.toString()).slice(-20_000); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const p = { name, child, out: () => out, exited: new Promise<void>((r) => child.once('exit', () => r())) };
  procs.push(p);
  return p;
}
async function waitFor(p: Proc, re: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = p.out().match(re);
    if (m) return m;
    if (p.child.exitCode !== null) throw new Error(`${p.name} exited ${p.child.exitCode}:\n${p.out()}`);
    if (Date.now() > deadline) throw new Error(`${p.name}: no ${re} in ${timeoutMs} ms:\n${p.out()}`);
    await sleep(50);
  }
}

let hits = 0;
const target = createServer((_req, res) => { hits++; res.end('ok'); });
await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
const targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}/health`;

const dir = mkdtempSync(path.join(tmpdir(), 'pharos-server-load-'));
const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
await admin.query(`CREATE DATABASE ${DB}`);
const dbUrl = new URL(ADMIN_URL);
dbUrl.pathname = `/${DB}`;

try {
  const natsPort = await freePort();
  const nats = run('nats-server', 'nats-server', ['-a', '127.0.0.1', '-p', String(natsPort), '-js', '-sd', path.join(dir, 'nats')]);
  const redisPort = await freePort();
  const redis = run('redis-server', 'redis-server', ['--bind', '127.0.0.1', '--port', String(redisPort), '--save', '', '--appendonly', 'no', '--dir', dir]);
  await waitFor(nats, /Server is ready/);
  await waitFor(redis, /Ready to accept connections/);

  const httpPort = await freePort();
  const env = {
    PHAROS_LOG_LEVEL: 'warn', ...EXTRA_ENV,
    PHAROS_DATA_DIR: path.join(dir, 'server'), PHAROS_DATABASE_URL: dbUrl.toString(), PHAROS_NATS_URL: `nats://127.0.0.1:${natsPort}`,
    PHAROS_REDIS_URL: `redis://127.0.0.1:${redisPort}`, PHAROS_HTTP_PORT: String(httpPort), PHAROS_GRPC_PORT: '0',
    PHAROS_BOOTSTRAP_KEY: KEY, PHAROS_ALLOW_PRIVATE_TARGETS: 'true', PHAROS_MIN_INTERVAL_SECONDS: String(Math.min(5, INTERVAL_S)),
  };
  const server = run('pharos server', process.execPath, ['bin/pharos.js', 'server'], env);
  const [, grpcPort] = await waitFor(server, /Agent ingest \(gRPC\): port (\d+)/);
  const token = run('agent-token', process.execPath, ['bin/pharos.js', 'agent-token', 'create', '--region', 'local', '--name', 'bench'], env);
  await token.exited;
  if (token.child.exitCode !== 0) throw new Error(`agent-token create exited ${token.child.exitCode}:\n${token.out()}`);
  const agent = run('pharos agent', process.execPath, ['bin/pharos.js', 'agent', '--region', 'local'], {
    PHAROS_LOG_LEVEL: 'warn', ...EXTRA_ENV, PHAROS_NATS_URL: env.PHAROS_NATS_URL, PHAROS_AGENT_TOKEN: token.out().trim().split('\n').pop()!,
    PHAROS_INGEST_ADDRESS: `127.0.0.1:${grpcPort}`, PHAROS_AGENT_ID: 'bench-agent', PHAROS_ALLOW_PRIVATE_TARGETS: 'true',
    PHAROS_AGENT_DATA_DIR: path.join(dir, 'agent'),
  });
  await waitFor(agent, /serving region local/);

  const api = (p: string, init: { method?: string; body?: unknown; key?: string } = {}) => request(`http://127.0.0.1:${httpPort}${p}`, {
    method: (init.method ?? 'GET') as 'GET', headers: { 'x-api-key': init.key ?? KEY, 'content-type': 'application/json' }, body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const keys: string[] = [];
  for (let i = 0; i < Math.ceil(MONITORS / 900); i++) {
    const res = await api('/api/keys', { method: 'POST', body: { name: `load ${i}`, scopes: ['monitors:write'] } });
    if (res.statusCode !== 201) throw new Error(`key create answered ${res.statusCode}: ${await res.body.text()}`);
    keys.push(((await res.body.json()) as { key: string }).key);
  }
  const created = Date.now();
  for (let i = 0; i < MONITORS; i += 10) {
    await Promise.all(Array.from({ length: Math.min(10, MONITORS - i) }, async (_, k) => {
      for (;;) {
        const res = await api('/api/monitors', { method: 'POST', key: keys[Math.floor((i + k) / 900)], body: { name: `load ${i + k}`, type: 'Website', url: targetUrl, intervalSeconds: INTERVAL_S, timeoutSeconds: Math.min(10, INTERVAL_S) } });
        const text = await res.body.text();
        if (res.statusCode === 201) return;
        if (res.statusCode !== 429) throw new Error(`create answered ${res.statusCode}: ${text}`);
        await sleep(Number(res.headers['retry-after'] ?? 1) * 1000);
      }
    }));
  }
  const createSeconds = Math.round((Date.now() - created) / 1000);
  await sleep(INTERVAL_S * 1000 + 10_000);

  // Postgres backends of the bench's database come and go (the pools close idle connections):
  // each is read every 250 ms, from 0 if it started inside the window, else from its first reading.
  const backends = async () => (await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [DB])).rows.map((r) => r.pid);
  const pgSeen = new Map<number, { from: number; last: number }>();
  let windowStartTicks = 0;
  const readBackends = async () => {
    for (const pid of await backends()) {
      const cpu = treeCpuMs(pid);
      const seen = pgSeen.get(pid);
      if (seen) seen.last = Math.max(seen.last, cpu);
      else pgSeen.set(pid, { from: (startTicks(pid) ?? 0) > windowStartTicks ? 0 : cpu, last: cpu });
    }
  };
  const parts = () => ({ server: server.child.pid!, agent: agent.child.pid!, nats: nats.child.pid!, redis: redis.child.pid! });
  const cpuOf = (pids: Record<string, number>) => Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, treeCpuMs(pid)]));
  windowStartTicks = uptimeTicks();
  await readBackends();
  const cpu0 = cpuOf(parts());
  const hits0 = hits;
  const t0 = Date.now();
  const rss: number[] = [];
  let nextRss = t0 + 10_000;
  while (Date.now() - t0 < SECONDS * 1000) {
    await sleep(250);
    await readBackends();
    if (Date.now() >= nextRss) { rss.push(treeRssMiB(server.child.pid!)); nextRss += 10_000; }
  }
  const elapsedS = (Date.now() - t0) / 1000;
  const checks = hits - hits0;
  const cpu1 = cpuOf(parts());
  await readBackends();
  let pgCpu = 0;
  for (const { from, last } of pgSeen.values()) pgCpu += last - from;
  const perCheck: Record<string, number> = {};
  for (const k of Object.keys(cpu0)) perCheck[k] = round((cpu1[k]! - cpu0[k]!) / checks, 3);
  perCheck.postgres = round(pgCpu / checks, 3);
  const total = round(Object.values(perCheck).reduce((a, b) => a + b, 0), 3);

  let oldest = 0;
  let never = 0;
  const now = Date.now();
  for (let offset = 0; offset < MONITORS; offset += 500) {
    const res = await api(`/api/monitors?limit=500&offset=${offset}`);
    const { items } = (await res.body.json()) as { items: Array<{ lastCheckedAt: string | null }> };
    for (const m of items) {
      if (!m.lastCheckedAt) never++;
      else oldest = Math.max(oldest, (now - Date.parse(m.lastCheckedAt)) / 1000);
    }
  }
  const figures = {
    bench: 'server-load', monitors: MONITORS, intervalSeconds: INTERVAL_S, createSeconds,
    checksPerSecond: round(checks / elapsedS, 1), expectedChecksPerSecond: MONITORS / INTERVAL_S,
    cpuMsPerCheck: { ...perCheck, total }, serverRssMiB: { min: Math.min(...rss), max: Math.max(...rss) },
    postgresBackends: pgSeen.size,
    oldestStatusS: round(oldest, 1), neverChecked: never,
  };
  console.log(`${MONITORS} monitors at ${INTERVAL_S} s: ${figures.checksPerSecond}/${figures.expectedChecksPerSecond} checks/s, CPU-ms per check ${Object.entries(figures.cpuMsPerCheck).map(([k, v]) => `${k} ${v}`).join(', ')}; server RSS ${figures.serverRssMiB.min}–${figures.serverRssMiB.max} MiB; oldest status ${figures.oldestStatusS} s, never checked ${never}`);
  console.log(`BENCH ${JSON.stringify(figures)}`);
} finally {
  for (const p of [...procs].reverse()) {
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGINT');
    await Promise.race([p.exited, sleep(20_000).then(() => { p.child.kill('SIGKILL'); return p.exited; })]);
  }
  await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`).catch(() => undefined);
  await admin.end();
  target.close();
  rmSync(dir, { recursive: true, force: true });
}
