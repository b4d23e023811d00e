import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { eventually } from './services.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin/pharos.js');

export interface PharosProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the first match of `re` in the process output. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * What a describe block of process tests cleans up after itself (registered with afterAll):
 * a scratch data directory, the processes pushed to `procs` (killed), the `closers` (called).
 */
export function processScratch(prefix: string): { dataDir: string; procs: PharosProcess[]; closers: Array<() => Promise<void>> } {
  const scratch = { dataDir: mkdtempSync(path.join(tmpdir(), prefix)), procs: [] as PharosProcess[], closers: [] as Array<() => Promise<void>> };
  afterAll(async () => {
    await Promise.all(scratch.procs.map((p) => p.stop('SIGKILL')));
    await Promise.all(scratch.closers.map((c) => c()));
    rmSync(scratch.dataDir, { recursive: true, force: true });
  });
  return scratch;
}

/** Runs `pharos <args>` as a child process, the way an operator would. */
export function startPharos(args: string[], env: Record<string, string>): PharosProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PHAROS_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    waitFor: (re, timeoutMs = 60_000) => eventually(() => {
      if (child.exitCode !== null) throw new Error(`pharos ${args.join(' ')} exited ${child.exitCode}:\n${out}`);
      return out.match(re) ?? undefined;
    }, { timeoutMs, what: `${re} in the output of pharos ${args.join(' ')}` }),
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Runs a one-shot `pharos` command and returns its stdout. */
export async function runPharos(args: string[], env: Record<string, string>): Promise<string> {
  const p = startPharos(args, env);
  const code = await new Promise<number | null>((resolve) => p.child.once('exit', resolve));
  if (code !== 0) throw new Error(`pharos ${args.join(' ')} exited ${code}:\n${p.output()}`);
  return p.output();
}

/** A local HTTP target for monitors to check. */
export async function startTarget(): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server: Server = createServer((_req, res) => {
    hits++;
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok healthy');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/health`,
    hits: () => hits,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

/**
 * A small API client, the way the Enori document's Node.js example calls it, that also
 * honours a 429's Retry-After as a well-behaved client does (tests poll, and reads are
 * limited to 200 a minute per key).
 */
export function apiClient(base: string, key: string) {
  return async function enori<T = any>(p: string, options: { method?: string; body?: unknown } = {}): Promise<{ status: number; body: T }> {
    for (;;) {
      const res = await fetch(`${base}${p}`, {
        method: options.method ?? 'GET',
        headers: { 'X-API-Key': key, 'Content-Type': 'application/json' },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
      const text = await res.text();
      if (res.status === 429) {
        const waitS = Number(res.headers.get('retry-after') ?? 1);
        await new Promise((resolve) => setTimeout(resolve, Math.max(1, waitS) * 1000));
        continue;
      }
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    }
  };
}
