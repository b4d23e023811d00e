import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The bundled agent that deployments run (dist/pharos-agent.mjs, built by `npm install`'s
 * prepare step): it starts without a TypeScript loader, and the packages it loads at run time
 * (it bundles only Pharos's own code) include none of the server's storage or HTTP stack.
 */
const bundle = fileURLToPath(new URL('../../dist/pharos-agent.mjs', import.meta.url));
const SERVER_ONLY = [/^pg$/, /^@electric-sql\/pglite/, /^chdb$/, /^@clickhouse\//, /^ioredis$/, /^fastify$/, /^@fastify\//, /^@scalar\//, /^tsx/];

describe('the bundled probe agent', () => {
  it('imports no storage, server or loader package', async () => {
    const text = await readFile(bundle, 'utf8');
    const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["']([^"'./][^"']*)["']/g)].map((m) => m[1]!);
    const packages = [...new Set(specifiers.filter((s) => !s.startsWith('node:')))];
    expect(packages).toEqual(expect.arrayContaining(['@grpc/grpc-js', 'undici', 'pino']));
    expect(packages.filter((p) => SERVER_ONLY.some((re) => re.test(p)))).toEqual([]);
  });

  it('runs with plain node and names its options', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [bundle, '--help'], { timeout: 20_000 });
    for (const option of ['--region', '--token', '--ingest']) expect(stdout).toContain(option);
  });
});
