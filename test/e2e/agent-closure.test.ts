import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { eventually, realService, uniqueName } from '../support/services.js';

/**
 * `pharos agent` loads no storage code (DESIGN.md §2, issue 9): the modules the agent
 * process really loads — every ESM resolution and every CommonJS require, recorded by a
 * module hook in the process itself — contain none of the server's drivers or its web
 * framework. With a NATS server the agent runs (jobs subscribed, ingest being dialled)
 * before it is stopped; without one it loads everything up to the connection and exits.
 * Both ways `pharos` runs: from the sources (where the server's own modules are visible by
 * name too) and from the built program, dist/cli (deploy/build.mjs), whose chunks must keep
 * the same lazy loading.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RECORDER = pathToFileURL(path.join(ROOT, 'test/support/module-closure/record.mjs')).href;
const natsUrl = realService('nats');

const STORAGE_PACKAGES = ['pg', '@electric-sql/pglite', 'chdb', '@clickhouse/client', 'ioredis', 'fastify'];

/** The package a module file belongs to (innermost node_modules), or undefined for the project's own files. */
function packageOf(file: string): string | undefined {
  const at = file.lastIndexOf('/node_modules/');
  if (at < 0) return undefined;
  const parts = file.slice(at + '/node_modules/'.length).split('/');
  return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

function loadedFiles(log: string): string[] {
  return readFileSync(log, 'utf8').split('\n').flatMap((line) => {
    const [kind, where] = [line.slice(0, 3), line.slice(4)];
    if (kind === 'esm' && where.startsWith('file:')) return [fileURLToPath(where)];
    if (kind === 'cjs') return [where];
    return [];
  });
}

/**
 * The modules esbuild bundled into a chunk of dist/cli, as files: it heads each module's code
 * with a comment naming its path (`// node_modules/undici/index.js`, `// services/api/app.ts`).
 */
function bundledModules(chunk: string): string[] {
  return [...readFileSync(chunk, 'utf8').matchAll(/^\/\/ ((?:node_modules|services|probe-agent|contracts|proto)\/\S+)$/gm)].map((m) => path.join(ROOT, m[1]));
}

const VARIANTS = [
  { name: 'from the sources', program: path.join(ROOT, 'bin/pharos.js'), env: { PHAROS_RUN_SOURCES: '1' } },
  { name: 'built (dist/cli)', program: path.join(ROOT, 'dist/cli/main.mjs'), env: {} },
];

describe.each(VARIANTS)('pharos agent module closure, $name', ({ name, program, env }) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pharos-closure-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const fromSources = name === VARIANTS[0].name;

  it('holds no storage driver, no Fastify and none of the server\'s modules', async () => {
    const log = path.join(dir, 'modules.log');
    const child = spawn(process.execPath, ['--import', RECORDER, program, 'agent', '--region', 'EuWest', '--token', 'closure-test', '--ingest', '127.0.0.1:1'], {
      cwd: ROOT,
      env: {
        ...env,
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? tmpdir(),
        PHAROS_MODULE_LOG: log,
        PHAROS_AGENT_DATA_DIR: path.join(dir, 'agent'),
        PHAROS_LOG_LEVEL: 'warn',
        // Port 1 refuses at once: without a NATS server the agent exits after loading.
        PHAROS_NATS_URL: natsUrl ?? 'nats://127.0.0.1:1',
        PHAROS_NATS_PREFIX: uniqueName('closure'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    if (natsUrl) {
      await eventually(() => {
        if (child.exitCode !== null) throw new Error(`agent exited ${child.exitCode}:\n${out}`);
        // Started (its shutdown handling in place), its transport has dialled ingest (which
        // refuses), and its job consumer is set up — taking jobs, or waiting in the background
        // for a work stream no scheduler has created on this prefix: its modules are all in.
        return /serving region EuWest/.test(out) && /cannot reach ingest/.test(out);
      }, { timeoutMs: 30_000, what: `the agent to run and dial ingest; output so far:\n${out}` });
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } else {
      expect(await exited, out).toBe(1);
      expect(out).toMatch(/cannot connect to NATS/);
    }

    const loaded = loadedFiles(log);
    // The built program bundles most packages into its chunks: what a chunk holds counts as loaded.
    const files = [...loaded, ...loaded.filter((f) => f.startsWith(path.join(ROOT, 'dist/cli/'))).flatMap(bundledModules)];
    const packages = new Set(files.map(packageOf).filter((p): p is string => p !== undefined));
    // The recorder saw the agent's own stack, so an empty or partial log cannot pass.
    expect([...packages]).toEqual(expect.arrayContaining(['@nats-io/transport-node', '@grpc/grpc-js', 'undici', 'pino']));
    expect(files).toContain(fromSources ? path.join(ROOT, 'probe-agent/agent.ts') : program);
    expect(packages.has('tsx'), 'tsx loads only to run the sources').toBe(fromSources);

    expect(STORAGE_PACKAGES.filter((p) => packages.has(p))).toEqual([]);
    expect([...packages].filter((p) => p.startsWith('@fastify/') || p.startsWith('@scalar/'))).toEqual([]);
    const serverModules = files
      .filter((f) => f.startsWith(ROOT) && !f.includes('/node_modules/'))
      .map((f) => path.relative(ROOT, f))
      .filter((f) => /^services\/(api|ingest|scheduler|alerting|heartbeats|lib\/store|lib\/results|lib\/tenancy)\//.test(f)
        || /^services\/lib\/adapters\/(postgres|pglite|chdb|clickhouse|redis|memory)\//.test(f));
    expect(serverModules).toEqual([]);
  }, 60_000);
});
