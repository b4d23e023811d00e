import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { createApiClient } from '../../services/cli/apply/api-client.js';
import { runApply } from '../../services/cli/apply/apply-command.js';
import { runExport } from '../../services/cli/apply/export-command.js';

let h: ApiHarness;
let url: string;
let tenant: { orgId: string; key: string };
let dir: string;

beforeAll(async () => {
  h = await startApiHarness();
  url = await h.app.listen({ port: 0, host: '127.0.0.1' });
  dir = mkdtempSync(path.join(tmpdir(), 'pharos-apply-'));
});
// Each test in its own organization, so plans never see another test's monitors.
beforeEach(async () => {
  tenant = await h.tenant(['*']);
});
afterAll(async () => {
  await h?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const FILE = `apiVersion: pharos/v1
kind: Monitors
monitors:
  - name: Production API
    type: Website
    url: https://api.example.com/health
    intervalSeconds: 30
    tags: [prod]
  - name: Database
    type: Port
    hostname: db.internal
    port: 5432
    regions: [EuWest]
`;

function fileWith(text: string): string {
  const p = path.join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(p, text);
  return p;
}

/** The CLI in-process against the real API over HTTP, its output captured. */
async function apply(file: string, flags: { prune?: boolean; dryRun?: boolean } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const api = createApiClient({ baseUrl: url, key: tenant.key, notice: (l) => err.push(l) });
  const code = await runApply({ file, prune: !!flags.prune, dryRun: !!flags.dryRun }, { api, out: (l) => out.push(l), err: (l) => err.push(l), readFile: (p) => readFile(p, 'utf8') });
  return { code, out, err };
}

async function exportTo(file: string) {
  const err: string[] = [];
  const api = createApiClient({ baseUrl: url, key: tenant.key, notice: (l) => err.push(l) });
  const code = await runExport({ output: file }, { api, out: () => {}, err: (l) => err.push(l), writeFile: (p, t) => writeFile(p, t), writeStdout: () => {} });
  return { code, err };
}

const stored = async () => (await h.monitors.list(tenant.orgId, { limit: 1000, offset: 0 })).items;
const byName = async () => Object.fromEntries((await stored()).map((m) => [m.name, m]));

describe('pharos apply', () => {
  it('creates the monitors of a file, then a second run changes nothing (updatedAt kept)', async () => {
    const file = fileWith(FILE);
    const first = await apply(file);
    expect(first).toMatchObject({ code: 0, err: [] });
    expect(first.out).toEqual(['+ create "Production API"', '+ create "Database"', '2 created, 0 updated, 0 deleted, 0 unchanged']);
    const before = await byName();
    expect(before['Production API']).toMatchObject({ type: 'Website', intervalSeconds: 30, timeoutSeconds: 30, tags: ['prod'], regions: ['UsEast', 'EuWest'] });
    expect(before.Database).toMatchObject({ type: 'Port', hostname: 'db.internal', port: 5432, regions: ['EuWest'] });

    const second = await apply(file);
    expect(second.out).toEqual(['= unchanged "Production API"', '= unchanged "Database"', '0 created, 0 updated, 0 deleted, 2 unchanged']);
    const after = await byName();
    for (const name of Object.keys(before)) expect(after[name]!.updatedAt).toEqual(before[name]!.updatedAt);
  });

  it('converges a file with every monitor type, then a second run and an export round trip change nothing', async () => {
    const file = fileWith(`apiVersion: pharos/v1
monitors:
  - name: Health
    type: Website
    url: https://api.example.com/health
    assertions:
      - { source: StatusCode, operator: Between, target: 200-299 }
      - { source: JsonPath, property: $.status, operator: Equals, target: ok }
      - { source: Header, property: content-type, operator: Exists }
  - { name: Edge, type: Ping, hostname: edge.example.com, pingCount: 5 }
  - { name: MX, type: Dns, hostname: example.com, dnsRecordType: MX, dnsExpectedValues: ["10 mx.example.com"] }
  - { name: Registration, type: Domain, hostname: example.com, domainExpiryWarningDays: 45 }
  - { name: Nightly backup, type: Job, cronExpression: "0 2 * * *", timezone: Europe/Berlin, graceSeconds: 1800 }
`);
    expect((await apply(file)).out.at(-1)).toBe('5 created, 0 updated, 0 deleted, 0 unchanged');
    expect((await apply(file)).out.at(-1)).toBe('0 created, 0 updated, 0 deleted, 5 unchanged');
    const exported = path.join(dir, `export-types-${tenant.orgId}.yaml`);
    expect((await exportTo(exported)).code).toBe(0);
    expect((await apply(exported)).out.at(-1)).toBe('0 created, 0 updated, 0 deleted, 5 unchanged');
  });

  it('updates only what changed and lists the changed fields, including a field reset by leaving it out', async () => {
    await apply(fileWith(FILE));
    const before = await byName();
    const edited = FILE.replace('intervalSeconds: 30', 'intervalSeconds: 120').replace('    regions: [EuWest]\n', '');
    const res = await apply(fileWith(edited));
    expect(res.out).toEqual(['~ update "Production API" (intervalSeconds)', '~ update "Database" (regions)', '0 created, 2 updated, 0 deleted, 0 unchanged']);
    const after = await byName();
    expect(after['Production API']!.intervalSeconds).toBe(120);
    expect(after.Database!.regions).toEqual(['UsEast', 'EuWest']);
    expect(after.Database!.id).toBe(before.Database!.id);
  });

  it('--dry-run prints the plan and changes nothing', async () => {
    const res = await apply(fileWith(FILE), { dryRun: true });
    expect(res.code).toBe(0);
    expect(res.out).toEqual(['+ create "Production API"', '+ create "Database"', 'dry run: 2 to create, 0 to update, 0 to delete, 0 unchanged; nothing was changed']);
    expect(await stored()).toEqual([]);
  });

  it('--prune deletes only the monitors missing from the file; without it nothing is deleted', async () => {
    await apply(fileWith(FILE));
    const onlyApi = FILE.slice(0, FILE.indexOf('  - name: Database'));
    expect((await apply(fileWith(onlyApi))).out.at(-1)).toBe('0 created, 0 updated, 0 deleted, 1 unchanged');
    expect(Object.keys(await byName()).sort()).toEqual(['Database', 'Production API']);

    const pruned = await apply(fileWith(onlyApi), { prune: true });
    expect(pruned.out).toEqual(['= unchanged "Production API"', '- delete "Database"', '0 created, 0 updated, 1 deleted, 1 unchanged']);
    expect(Object.keys(await byName())).toEqual(['Production API']);
  });

  it('export then apply is a no-op, and the export leaves defaults out', async () => {
    await apply(fileWith(FILE));
    const res = await apply(fileWith(FILE.replace('tags: [prod]', 'tags: [prod]\n    requestHeaders: {Accept: application/json}\n    alertOnDown: false')));
    expect(res.code).toBe(0);
    const before = await byName();
    const exported = path.join(dir, `export-${tenant.orgId}.yaml`);
    expect((await exportTo(exported)).code).toBe(0);
    const text = readFileSync(exported, 'utf8');
    expect(text).toContain('apiVersion: pharos/v1');
    for (const absent of ['id:', 'status', 'uptime', 'updatedAt', 'httpMethod', 'followRedirects', 'timeoutSeconds']) expect(text).not.toContain(absent);

    const again = await apply(exported, { prune: true });
    expect(again.out).toEqual(['= unchanged "Database"', '= unchanged "Production API"', '0 created, 0 updated, 0 deleted, 2 unchanged']);
    const after = await byName();
    for (const name of Object.keys(before)) expect(after[name]!.updatedAt).toEqual(before[name]!.updatedAt);
  });

  it('stops on a local problem before calling the API', async () => {
    const res = await apply(fileWith(`${FILE}  - name: Database\n    type: Website\n`));
    expect(res.code).toBe(1);
    expect(res.err.join('\n')).toContain('monitors[2] "Database": duplicate name (also monitors[1])');
    expect(await stored()).toEqual([]);
  });
});

describe('pharos apply as a program', () => {
  it('passes the API\'s 400 field details through with the monitor name and exits non-zero', async () => {
    const file = fileWith(FILE.replace('intervalSeconds: 30', 'intervalSeconds: 1'));
    const result = await promisify(execFile)(process.execPath, ['bin/pharos.js', 'apply', '-f', file], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      env: { ...process.env, PHAROS_URL: url, PHAROS_API_KEY: tenant.key },
    }).then(() => ({ code: 0, stdout: '', stderr: '' }), (e: { code: number; stdout: string; stderr: string }) => e);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: monitor "Production API": 400 Validation failed');
    expect(result.stderr).toContain('  /intervalSeconds must be from 5 to 86400 seconds');
    expect(result.stdout).toContain('1 created, 0 updated, 0 deleted, 0 unchanged, 1 failed');
    expect(Object.keys(await byName())).toEqual(['Database']);
  });
});
