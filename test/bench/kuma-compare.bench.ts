/**
 * `pharos dev` beside Uptime Kuma (issue 18), in one run, one after the other, against the
 * same local HTTP target: N HTTP monitors at 20 s (Kuma's minimum) in each. Kuma is not part
 * of this repository: build it outside it (docs/performance.md says how) and pass its folder:
 *
 *   BENCH_KUMA_DIR=/work/kuma-build npm run bench -- kuma-compare
 *
 * Without BENCH_KUMA_DIR the bench prints why and does nothing. For each N (BENCH_MONITORS,
 * default "100,1000") and each program (BENCH_TOOLS, default "kuma,pharos"):
 *   1. start on a fresh data folder, time until the first authenticated answer (Kuma: the
 *      socket.io `setup` then `login` callback; Pharos: GET /api/monitors with the key);
 *   2. idle: RSS after 10 s, CPU over the next 10 s (no client connected);
 *   3. create N monitors over the program's own API (Kuma: socket.io `add`, as its UI does),
 *      disconnect, wait one interval + 5 s;
 *   4. for BENCH_SECONDS (default 60): CPU time of the process tree, the checks the target
 *      answered for this program (each program's monitors use their own URL prefix, so a
 *      straggler of the other is never counted), RSS every 10 s;
 *   5. stop, start again on the same data, time until the first authenticated answer.
 * Prints one `BENCH {...}` line per program and N, and a ratio line per N.
 *
 * Kuma runs as a self-hoster runs it (`node server/server.js`, production mode, SQLite),
 * with HTTPS_PROXY pointed at a closed loopback port so that its update check cannot leave
 * the machine (it is the only request it makes on its own for HTTP monitors on an IP).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
// @ts-expect-error plain JavaScript without declarations
import { currentBuiltProgram } from '../../bin/built-program.js';
import { treeCpuMs, treeRssMiB } from './support/process-tree.js';
// @ts-expect-error plain JavaScript without declarations
import { MALLOC_ENV } from '../../bin/malloc-env.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const KUMA_DIR = process.env.BENCH_KUMA_DIR;
const SIZES = (process.env.BENCH_MONITORS ?? '100,1000').split(',').map(Number);
const TOOLS = (process.env.BENCH_TOOLS ?? 'kuma,pharos').split(',') as Tool[];
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const INTERVAL_S = 20;
const TIMEOUT_S = 10;
const PHAROS_PORT = 18_491;
const KUMA_PORT = 18_492;
const KEY = 'pk_kuma_compare_bench_0123456789abcdef0123456789abcd';
const KUMA_USER = 'bench';
const KUMA_PASSWORD = 'Bench-compare-2026!';
// Settings for `pharos dev`, to compare them: BENCH_PHAROS_ENV="PHAROS_LOG_LEVEL=warn,…".
const PHAROS_ENV = Object.fromEntries((process.env.BENCH_PHAROS_ENV ?? '').split(',').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));

type Tool = 'kuma' | 'pharos';

if (!KUMA_DIR) {
  console.log('kuma-compare: BENCH_KUMA_DIR is not set, nothing measured (docs/performance.md says how to build Uptime Kuma for it)');
  process.exit(0);
}
if (!existsSync(path.join(KUMA_DIR, 'server/server.js')) || !existsSync(path.join(KUMA_DIR, 'node_modules/socket.io-client'))) {
  console.error(`BENCH_KUMA_DIR=${KUMA_DIR} is not a built Uptime Kuma (server/server.js and node_modules/socket.io-client expected)`);
  process.exit(1);
}
if (TOOLS.includes('pharos') && !currentBuiltProgram(ROOT)) {
  console.error('dist/cli is missing or older than the sources: run `npm run build` first');
  process.exit(1);
}

// Kuma's own socket.io client, from its node_modules: Pharos does not depend on it.
interface KumaSocket {
  connected: boolean;
  on(event: string, cb: (...args: unknown[]) => void): void;
  emit(event: string, ...args: unknown[]): void;
  disconnect(): void;
}
const { io } = createRequire(path.join(KUMA_DIR, 'package.json'))('socket.io-client') as { io: (url: string, opts: object) => KumaSocket };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** How long a start may take before the bench gives up on it. */
const START_LIMIT_MS = 120_000;
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

const hits: Record<Tool, number> = { kuma: 0, pharos: 0 };
const target = createServer((req, res) => {
  const tool = req.url?.split('/')[1];
  if (tool === 'kuma' || tool === 'pharos') hits[tool]++;
  res.end('ok');
});
await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
const targetBase = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;

interface Running { child: ChildProcess; exited: Promise<void>; stderrTail: () => string }

function start(tool: Tool, dataDir: string): Running {
  const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir() };
  const child = tool === 'kuma'
    ? spawn(process.execPath, ['server/server.js'], {
      cwd: KUMA_DIR,
      env: { ...base, NODE_ENV: 'production', DATA_DIR: dataDir, UPTIME_KUMA_DB_TYPE: 'sqlite', UPTIME_KUMA_HOST: '127.0.0.1', UPTIME_KUMA_PORT: String(KUMA_PORT), HTTPS_PROXY: 'http://127.0.0.1:9' },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    : spawn(process.execPath, [path.join(ROOT, 'bin/pharos.js'), 'dev'], {
      cwd: ROOT,
      // As `npm start` runs it (bin/malloc-env.js); BENCH_PHAROS_ENV can override.
      env: { ...base, ...MALLOC_ENV, ...PHAROS_ENV, PHAROS_DATA_DIR: dataDir, PHAROS_HTTP_PORT: String(PHAROS_PORT), PHAROS_BOOTSTRAP_KEY: KEY },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  let tail = '';
  child.stderr!.on('data', (d: Buffer) => { tail = (tail + d.toString()).slice(-4000); });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return { child, exited, stderrTail: () => tail };
}

async function stop(run: Running): Promise<void> {
  if (run.child.exitCode !== null) return;
  run.child.kill('SIGINT');
  const killed = await Promise.race([run.exited.then(() => false), sleep(30_000).then(() => true)]);
  if (killed) { run.child.kill('SIGKILL'); await run.exited; }
}

// ---- Kuma over its socket.io API -----------------------------------------------------

function kumaEmit<T>(socket: KumaSocket, event: string, ...args: unknown[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Kuma did not answer ${event} in 60 s`)), 60_000);
    socket.emit(event, ...args, (answer: T) => { clearTimeout(timer); resolve(answer); });
  });
}

function kumaConnect(): Promise<KumaSocket | undefined> {
  return new Promise((resolve) => {
    const socket = io(`http://127.0.0.1:${KUMA_PORT}`, { transports: ['websocket'], reconnection: false, timeout: 5_000 });
    // Kuma registers its event handlers only after it sent `info` to a new connection.
    socket.on('info', () => resolve(socket));
    socket.on('connect_error', () => { socket.disconnect(); resolve(undefined); });
  });
}

/** Connects and logs in (setting the user up first on a fresh database); retries until Kuma listens. */
async function kumaLogin(run: Running): Promise<KumaSocket> {
  const deadline = Date.now() + START_LIMIT_MS;
  for (;;) {
    if (Date.now() > deadline) throw new Error(`Kuma did not let the bench log in within ${START_LIMIT_MS} ms: ${run.stderrTail()}`);
    if (run.child.exitCode !== null) throw new Error(`Uptime Kuma exited ${run.child.exitCode}: ${run.stderrTail()}`);
    const socket = await kumaConnect();
    if (socket) {
      if (await kumaEmit<boolean>(socket, 'needSetup')) {
        const setup = await kumaEmit<{ ok: boolean; msg?: string }>(socket, 'setup', KUMA_USER, KUMA_PASSWORD);
        if (!setup.ok) throw new Error(`Kuma setup: ${setup.msg}`);
      }
      const login = await kumaEmit<{ ok: boolean; msg?: string }>(socket, 'login', { username: KUMA_USER, password: KUMA_PASSWORD, token: '' });
      if (login.ok) return socket;
      socket.disconnect();
      throw new Error(`Kuma login: ${login.msg}`);
    }
    await sleep(50);
  }
}

/** An HTTP monitor as Kuma's "Add New Monitor" form sends it, with the bench's interval and timeout. */
const kumaMonitor = (i: number) => ({
  type: 'http', name: `load ${i}`, url: `${targetBase}/kuma/${i}`, method: 'GET', interval: INTERVAL_S, retryInterval: INTERVAL_S,
  resendInterval: 0, maxretries: 0, timeout: TIMEOUT_S, active: true, notificationIDList: {}, ignoreTls: false, upsideDown: false,
  maxredirects: 10, accepted_statuscodes: ['200-299'], kafkaProducerBrokers: [], kafkaProducerSaslOptions: { mechanism: 'None' },
  rabbitmqNodes: [], conditions: [],
});

async function kumaCreate(run: Running, n: number): Promise<void> {
  const socket = await kumaLogin(run);
  try {
    for (let i = 0; i < n; i += 10) {
      await Promise.all(Array.from({ length: Math.min(10, n - i) }, async (_, k) => {
        const added = await kumaEmit<{ ok: boolean; msg?: string }>(socket, 'add', kumaMonitor(i + k));
        if (!added.ok) throw new Error(`Kuma add: ${added.msg}`);
      }));
    }
  } finally {
    socket.disconnect(); // the browser tab is closed: no one is watching heartbeats
  }
}

// ---- Pharos over its HTTP API --------------------------------------------------------

const api = (p: string, init: { method?: string; body?: unknown; key?: string } = {}) => request(`http://127.0.0.1:${PHAROS_PORT}${p}`, {
  method: (init.method ?? 'GET') as 'GET', headers: { 'x-api-key': init.key ?? KEY, 'content-type': 'application/json' }, body: init.body === undefined ? undefined : JSON.stringify(init.body),
});

async function pharosFirstAnswer(run: Running): Promise<void> {
  const deadline = Date.now() + START_LIMIT_MS;
  for (;;) {
    if (Date.now() > deadline) throw new Error(`pharos dev did not answer within ${START_LIMIT_MS} ms: ${run.stderrTail()}`);
    if (run.child.exitCode !== null) throw new Error(`pharos dev exited ${run.child.exitCode}: ${run.stderrTail()}`);
    if (await api('/api/monitors?limit=1').then(async (r) => { await r.body.dump(); return r.statusCode === 200; }, () => false)) return;
    await sleep(50);
  }
}

async function pharosCreate(n: number): Promise<void> {
  // One key per 900 monitors: the self-hosted plan's general rate limit is 1,000 a minute per key.
  const keys: string[] = [];
  for (let i = 0; i < Math.ceil(n / 900); i++) {
    const res = await api('/api/keys', { method: 'POST', body: { name: `load ${i}`, scopes: ['monitors:write'] } });
    if (res.statusCode !== 201) throw new Error(`key create answered ${res.statusCode}`);
    keys.push(((await res.body.json()) as { key: string }).key);
  }
  for (let i = 0; i < n; i += 10) {
    await Promise.all(Array.from({ length: Math.min(10, n - i) }, async (_, k) => {
      for (;;) {
        const res = await api('/api/monitors', { method: 'POST', key: keys[Math.floor((i + k) / 900)], body: { name: `load ${i + k}`, type: 'Website', url: `${targetBase}/pharos/${i + k}`, intervalSeconds: INTERVAL_S, timeoutSeconds: TIMEOUT_S } });
        await res.body.dump();
        if (res.statusCode === 201) return;
        if (res.statusCode !== 429) throw new Error(`create answered ${res.statusCode}`);
        await sleep(Number(res.headers['retry-after'] ?? 1) * 1000);
      }
    }));
  }
}

// ---- One program, one size -----------------------------------------------------------

async function firstAnswer(tool: Tool, run: Running): Promise<void> {
  if (tool === 'pharos') return pharosFirstAnswer(run);
  (await kumaLogin(run)).disconnect();
}

async function measure(tool: Tool, n: number) {
  const dir = mkdtempSync(path.join(tmpdir(), `bench-${tool}-`));
  try {
    let t = Date.now();
    let run = start(tool, dir);
    let figures: Record<string, unknown>;
    try {
      await firstAnswer(tool, run);
      const freshStartS = (Date.now() - t) / 1000;
      const pid = run.child.pid!;
      await sleep(10_000);
      const idleRssMiB = treeRssMiB(pid);
      const idleCpu0 = treeCpuMs(pid);
      await sleep(10_000);
      const idleCpuPercent = ((treeCpuMs(pid) - idleCpu0) / 10_000) * 100;

      t = Date.now();
      if (tool === 'kuma') await kumaCreate(run, n);
      else await pharosCreate(n);
      const createSeconds = (Date.now() - t) / 1000;
      await sleep(INTERVAL_S * 1000 + 5_000);

      const rss: number[] = [];
      const cpu0 = treeCpuMs(pid);
      const hits0 = hits[tool];
      const t0 = Date.now();
      while (Date.now() - t0 < SECONDS * 1000) {
        await sleep(10_000);
        rss.push(treeRssMiB(pid));
      }
      const elapsedS = (Date.now() - t0) / 1000;
      const cpu = treeCpuMs(pid) - cpu0;
      const checks = hits[tool] - hits0;
      figures = {
        bench: 'kuma-compare', tool, monitors: n, intervalSeconds: INTERVAL_S,
        freshStartS: round(freshStartS, 2), idleRssMiB, idleCpuPercent: round(idleCpuPercent), createSeconds: Math.round(createSeconds),
        checksPerSecond: round(checks / elapsedS), expectedChecksPerSecond: n / INTERVAL_S,
        cpuMsPerCheck: checks ? round(cpu / checks, 2) : null, cpuPercent: round((cpu / (elapsedS * 1000)) * 100),
        rssMiB: { min: Math.min(...rss), max: Math.max(...rss) },
      };
    } finally {
      await stop(run);
    }
    t = Date.now();
    run = start(tool, dir);
    try {
      await firstAnswer(tool, run);
      figures.existingStartS = round((Date.now() - t) / 1000, 2);
    } finally {
      await stop(run);
    }
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const n of SIZES) {
  const byTool: Partial<Record<Tool, Record<string, unknown>>> = {};
  for (const tool of TOOLS) {
    const f = await measure(tool, n);
    byTool[tool] = f;
    const rss = f.rssMiB as { min: number; max: number };
    console.log(`${tool} ${n} monitors: ${f.checksPerSecond}/${f.expectedChecksPerSecond} checks/s, ${f.cpuMsPerCheck} CPU-ms per check, ${f.cpuPercent} % CPU, RSS ${rss.min}–${rss.max} MiB; idle ${f.idleRssMiB} MiB / ${f.idleCpuPercent} %; first answer ${f.freshStartS} s fresh, ${f.existingStartS} s existing`);
    console.log(`BENCH ${JSON.stringify(f)}`);
  }
  const k = byTool.kuma?.cpuMsPerCheck as number | undefined;
  const p = byTool.pharos?.cpuMsPerCheck as number | undefined;
  if (k && p) console.log(`${n} monitors: pharos dev uses ${round(p / k, 2)}× Uptime Kuma's CPU per check (aim ≤ 0.5×)`);
}
target.close();
