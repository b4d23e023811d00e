/**
 * `pharos dev` under load (issue 18): the built program with N Website monitors at 20 s
 * against a local HTTP target, as a self-hoster runs it. For each N (BENCH_MONITORS, default
 * "100,1000,10000"; 10,000 takes ~6 minutes, mostly creating the monitors): start, create the monitors over the API, let them settle for one interval,
 * then for BENCH_SECONDS (default 60) sample every 10 s the process's CPU time and RSS, the
 * checks the target answered, and the oldest `lastCheckedAt` of every monitor — a status
 * older than one interval plus a few seconds means the status path is falling behind.
 * Reports CPU-ms per check, idle RSS before the monitors, RSS under load, and the oldest
 * status age per sample. Prints one `BENCH {...}` line per N.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
// @ts-expect-error plain JavaScript without declarations
import { currentBuiltProgram } from '../../bin/built-program.js';
// @ts-expect-error plain JavaScript without declarations
import { MALLOC_ENV } from '../../bin/malloc-env.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SIZES = (process.env.BENCH_MONITORS ?? '100,1000,10000').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const INTERVAL_S = 20;
const KEY = 'pk_dev_load_bench_0123456789abcdef0123456789abcdef';
const PORT = 18_490;
const CLOCK_TICKS = 100;

if (!currentBuiltProgram(ROOT)) {
  console.error('dist/cli is missing or older than the sources: run `npm run build` first');
  process.exit(1);
}

const cpuMs = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / CLOCK_TICKS;
};
const rssMiB = (pid: number) => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const api = (p: string, init: { method?: string; body?: unknown; key?: string } = {}) => request(`http://127.0.0.1:${PORT}${p}`, {
  method: (init.method ?? 'GET') as 'GET', headers: { 'x-api-key': init.key ?? KEY, 'content-type': 'application/json' }, body: init.body === undefined ? undefined : JSON.stringify(init.body),
});
// Optional CPU profile of the process under test (`node --cpu-prof` into this directory).
const PROFILE_DIR = process.env.BENCH_CPU_PROF_DIR;
// Optional settings for the process under test, to compare them: BENCH_PHAROS_ENV="PHAROS_AGENT_BATCH_DELAY_MS=1000,…".
const EXTRA_ENV = Object.fromEntries((process.env.BENCH_PHAROS_ENV ?? '').split(',').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));

let hits = 0;
const target = createServer((_req, res) => { hits++; res.end('ok'); });
await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
const targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}/health`;

async function oldestStatusAgeS(n: number): Promise<{ oldestS: number; never: number }> {
  let oldest = 0;
  let never = 0;
  const now = Date.now();
  for (let offset = 0; offset < n; offset += 500) {
    const res = await api(`/api/monitors?limit=500&offset=${offset}`);
    const { items } = (await res.body.json()) as { items: Array<{ lastCheckedAt: string | null }> };
    for (const m of items) {
      if (!m.lastCheckedAt) never++;
      else oldest = Math.max(oldest, (now - Date.parse(m.lastCheckedAt)) / 1000);
    }
  }
  return { oldestS: Math.round(oldest * 10) / 10, never };
}

for (const n of SIZES) {
  const dir = mkdtempSync(path.join(tmpdir(), 'pharos-devload-'));
  const child = spawn(process.execPath, [...(PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : []), path.join(ROOT, 'bin/pharos.js'), 'dev'], {
    cwd: ROOT,
    // As `npm start` runs it (bin/malloc-env.js); BENCH_PHAROS_ENV can override.
    env: { ...MALLOC_ENV, PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...EXTRA_ENV, PHAROS_DATA_DIR: dir, PHAROS_HTTP_PORT: String(PORT), PHAROS_BOOTSTRAP_KEY: KEY, PHAROS_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`pharos dev exited ${child.exitCode}`);
      if (await api('/api/monitors?limit=1').then(async (r) => { await r.body.dump(); return r.statusCode === 200; }, () => false)) break;
      await sleep(50);
    }
    await sleep(10_000);
    const idleRss = rssMiB(child.pid!);
    const idleCpu0 = cpuMs(child.pid!);
    await sleep(10_000);
    const idleCpuPct = ((cpuMs(child.pid!) - idleCpu0) / 10_000) * 100;

    // Created a few at a time, within the self-hosted plan's general rate limit (1,000 a
    // minute per key): one key per 900 monitors, so 10,000 take about a minute, not ten.
    const keys: string[] = [];
    for (let i = 0; i < Math.ceil(n / 900); i++) {
      const res = await api('/api/keys', { method: 'POST', body: { name: `load ${i}`, scopes: ['monitors:write'] } });
      if (res.statusCode !== 201) throw new Error(`key create answered ${res.statusCode}`);
      keys.push(((await res.body.json()) as { key: string }).key);
    }
    const created = Date.now();
    for (let i = 0; i < n; i += 10) {
      await Promise.all(Array.from({ length: Math.min(10, n - i) }, async (_, k) => {
        for (;;) {
          const res = await api('/api/monitors', { method: 'POST', key: keys[Math.floor((i + k) / 900)], body: { name: `load ${i + k}`, type: 'Website', url: targetUrl, intervalSeconds: INTERVAL_S, timeoutSeconds: 10 } });
          await res.body.dump();
          if (res.statusCode === 201) return;
          if (res.statusCode !== 429) throw new Error(`create answered ${res.statusCode}`);
          await sleep(Number(res.headers['retry-after'] ?? 1) * 1000);
        }
      }));
    }
    const createSeconds = (Date.now() - created) / 1000;
    await sleep(INTERVAL_S * 1000 + 5_000);

    const samples: Array<{ atS: number; oldestStatusS: number; neverChecked: number; rssMiB: number }> = [];
    const cpu0 = cpuMs(child.pid!);
    const hits0 = hits;
    const t0 = Date.now();
    while (Date.now() - t0 < SECONDS * 1000) {
      await sleep(10_000);
      const { oldestS, never } = await oldestStatusAgeS(n);
      samples.push({ atS: Math.round((Date.now() - t0) / 1000), oldestStatusS: oldestS, neverChecked: never, rssMiB: rssMiB(child.pid!) });
      console.error(`  ${n} monitors, ${samples.at(-1)!.atS} s: oldest status ${oldestS} s, never checked ${never}, RSS ${samples.at(-1)!.rssMiB} MiB`);
    }
    const elapsedS = (Date.now() - t0) / 1000;
    const checks = hits - hits0;
    const cpu = cpuMs(child.pid!) - cpu0;
    const figures = {
      bench: 'dev-load', monitors: n, intervalSeconds: INTERVAL_S, createSeconds: Math.round(createSeconds),
      idleRssMiB: idleRss, idleCpuPercent: Math.round(idleCpuPct * 10) / 10,
      checksPerSecond: Math.round((checks / elapsedS) * 10) / 10, expectedChecksPerSecond: n / INTERVAL_S,
      cpuMsPerCheck: checks ? Math.round((cpu / checks) * 100) / 100 : null, cpuPercent: Math.round((cpu / (elapsedS * 1000)) * 1000) / 10,
      samples,
    };
    console.log(`${n} monitors: ${figures.checksPerSecond}/${figures.expectedChecksPerSecond} checks/s, ${figures.cpuMsPerCheck} CPU-ms per check, ${figures.cpuPercent} % CPU, idle ${idleRss} MiB / ${figures.idleCpuPercent} %, oldest status ${samples.map((s) => s.oldestStatusS).join(' → ')} s, RSS ${samples.at(-1)?.rssMiB} MiB`);
    console.log(`BENCH ${JSON.stringify(figures)}`);
  } finally {
    child.kill('SIGINT');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}
target.close();
