/**
 * `npm start` to a first answer: `pharos dev` started on a new data directory (fresh) and on
 * the one it left behind (existing), from the built program (dist/cli, what `npm install`
 * builds) and from the TypeScript sources through tsx, in turn. A first answer is an
 * authenticated `GET /api/monitors` returning 200 (the api, both stores and the migrations
 * ready), polled every 20 ms. Reports the median wall time and the process's CPU time and
 * RSS at that moment. Aim (issue 18): ≤ 5 s fresh, ≤ 3 s existing. Prints one `BENCH {...}` line.
 */
import { spawn } from 'node:child_process';
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
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** `BENCH_MODES=built` times the built program alone (the default is both, alternating). */
const MODES = (process.env.BENCH_MODES ?? 'built,sources').split(',');
const KEY = 'pk_startup_bench_0123456789abcdef0123456789abcdef';
const PORT = 18_480;
const CLOCK_TICKS = 100; // USER_HZ on Linux

if (!currentBuiltProgram(ROOT)) {
  console.error('dist/cli is missing or older than the sources: run `npm run build` first');
  process.exit(1);
}

interface Start { wallMs: number; cpuMs: number; rssMiB: number }

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS; // utime, stime
}
const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

async function startOnce(dataDir: string, fromSources: boolean): Promise<Start> {
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/pharos.js'), 'dev'], {
    cwd: ROOT,
    env: {
      // As `npm start` runs it (bin/malloc-env.js).
      ...MALLOC_ENV, PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), PHAROS_DATA_DIR: dataDir, PHAROS_HTTP_PORT: String(PORT),
      PHAROS_BOOTSTRAP_KEY: KEY, PHAROS_LOG_LEVEL: 'warn', ...(fromSources ? { PHAROS_RUN_SOURCES: '1' } : {}),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`pharos dev exited ${child.exitCode}`);
      const ok = await request(`http://127.0.0.1:${PORT}/api/monitors`, { headers: { 'x-api-key': KEY } })
        .then(async (r) => { await r.body.dump(); return r.statusCode === 200; }, () => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    return { wallMs: performance.now() - started, cpuMs: cpuMs(child.pid!), rssMiB: rssMiB(child.pid!) };
  } finally {
    child.kill('SIGINT');
    await exited;
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const summary = (runs: Start[]) => ({
  wallMs: Math.round(median(runs.map((r) => r.wallMs))), cpuMs: Math.round(median(runs.map((r) => r.cpuMs))), rssMiB: Math.round(median(runs.map((r) => r.rssMiB))),
  wallRangeMs: [Math.round(Math.min(...runs.map((r) => r.wallMs))), Math.round(Math.max(...runs.map((r) => r.wallMs)))],
});

const results: Record<string, Start[]> = {};
// Built and sources alternate run by run, so a change in the machine's load hits both.
for (let i = 0; i < RUNS; i++) {
  for (const mode of MODES) {
    const fromSources = mode === 'sources';
    const dir = mkdtempSync(path.join(tmpdir(), 'pharos-startup-'));
    try {
      (results[`${mode}.fresh`] ??= []).push(await startOnce(dir, fromSources));
      (results[`${mode}.existing`] ??= []).push(await startOnce(dir, fromSources));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
const figures = Object.fromEntries(Object.entries(results).map(([k, runs]) => [k, summary(runs)]));
for (const [k, f] of Object.entries(figures)) console.log(`${k.padEnd(17)} wall ${f.wallMs} ms (${f.wallRangeMs.join('–')})  cpu ${f.cpuMs} ms  rss ${f.rssMiB} MiB`);
console.log(`BENCH ${JSON.stringify({ bench: 'startup', runs: RUNS, ...figures })}`);
