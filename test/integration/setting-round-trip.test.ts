/**
 * Every setting of every check type, end to end: what a client sends over REST is stored,
 * built into a job by the scheduler, encoded and decoded as an agent receives it, passes the
 * agent's validation, and comes out as the value the checker uses — the sent value, or the
 * contract's default when omitted. Then `pharos export` → `pharos apply` changes nothing.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckJob } from '../../proto/generated/pharos/v1/check.js';
import { ErrorKind } from '../../proto/generated/pharos/v1/result.js';
import { CHECK_CONTRACTS, CONTRACT_OF_SETTINGS, type MonitorTypeName } from '../../contracts/checks/index.js';
import type { FieldSpec } from '../../contracts/checks/contract.js';
import { buildCheckJob } from '../../services/lib/monitors/check-job.js';
import { createCheckers, runCheck, settingsProblems } from '../../probe-agent/checks/registry.js';
import { createApiClient } from '../../services/cli/apply/api-client.js';
import { runApply } from '../../services/cli/apply/apply-command.js';
import { runExport } from '../../services/cli/apply/export-command.js';
import { startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { SETTING_BASE, SETTING_SAMPLES, settingValues } from '../support/setting-values.js';

const BASE = SETTING_BASE;

/** Values worth sending for one field: its limits, every enum value, both booleans, null, and the samples. */
function valuesFor(type: MonitorTypeName, name: string, spec: FieldSpec<unknown> & { limits?: { min: number; max: number } }): unknown[] {
  return settingValues(spec, spec.default === null, SETTING_SAMPLES[type][name]);
}

/** Settings that only make sense together: a Job's schedule is a cron expression or a period. */
function bodyFor(type: MonitorTypeName, name: string, value: unknown): Record<string, unknown> {
  const body: Record<string, unknown> = { ...BASE[type], [name]: value };
  if (type === 'Job' && name === 'periodSeconds' && value !== null) body.cronExpression = null;
  if (type === 'Job' && name === 'cronExpression' && value === null) body.periodSeconds = 3600;
  if (type === 'Website' && name === 'httpMethod' && value === 'HEAD') body.requestBody = null;
  return body;
}

let h: ApiHarness;

beforeAll(async () => {
  h = await startApiHarness();
});
afterAll(async () => {
  await h?.close();
});

/** The value the checker runs with: the job as an agent decodes it, through the contract's own reading. */
function asTheAgentSeesIt(job: CheckJob) {
  const decoded = CheckJob.decode(CheckJob.encode(job).finish());
  if (!decoded.settings) throw new Error('a job without settings');
  expect(settingsProblems({ ...decoded, settings: decoded.settings })).toEqual([]);
  return { decoded, fields: CONTRACT_OF_SETTINGS[decoded.settings.$case].fromSettings(decoded.settings.value as never) as Record<string, unknown> };
}

describe.each(Object.keys(CHECK_CONTRACTS) as MonitorTypeName[])('%s settings, REST → store → job → agent', (type) => {
  const contract = CHECK_CONTRACTS[type];
  const cases: [string, unknown][] = [];
  for (const [name, spec] of Object.entries(contract.fields as Record<string, FieldSpec<unknown>>)) {
    cases.push([name, undefined]);
    for (const value of valuesFor(type, name, spec)) cases.push([name, value]);
  }

  it(`carries each of ${cases.length} values, and each default, unchanged to the checker`, async () => {
    // Its own organization and key: the cases are more requests than one key's per-minute limit.
    const tenant = await h.tenant(['*']);
    const headers = { 'x-api-key': tenant.key };
    const created = await h.app.inject({ method: 'POST', url: '/api/monitors', headers, payload: { name: `rt-${type}`, type, ...BASE[type] } });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    for (const [name, value] of cases) {
      const body = value === undefined ? { ...BASE[type] } : bodyFor(type, name, value);
      const res = await h.app.inject({ method: 'PUT', url: `/api/monitors/${id}`, headers, payload: { name: `rt-${type}`, type, ...body } });
      if (value === null && name in BASE[type] && type !== 'Job') {
        // A required target may not be unset: refused, naming the field.
        expect(res.statusCode).toBe(400);
        expect(res.json().details.map((d: { field: string }) => d.field)).toEqual([`/${name}`]);
        continue;
      }
      expect(res.statusCode, `${name} = ${JSON.stringify(value)}: ${res.body}`).toBe(200);
      const omitted = name in BASE[type] ? BASE[type][name] : (contract.fields as Record<string, FieldSpec<unknown>>)[name]!.default;
      const expected = value === undefined ? omitted : value;
      const stored = (await h.monitors.get(tenant.orgId, id))!;
      expect((stored as unknown as Record<string, unknown>)[name], `${name} stored`).toEqual(expected);
      expect(res.json()[name], `${name} answered`).toEqual(expected);
      if (contract.settingsCase === null) continue;
      const { decoded, fields } = asTheAgentSeesIt(buildCheckJob(stored, stored.regions[0]!, Date.now()));
      expect(fields[name], `${name} as the agent reads it`).toEqual(expected);
      expect(decoded.timeoutMs).toBe(stored.timeoutSeconds * 1000);
    }
  });
});

describe('maxRedirects: 0 with followRedirects', () => {
  let target: Server;
  const requests: string[] = [];

  beforeAll(async () => {
    target = createServer((req, res) => {
      requests.push(req.url ?? '');
      if (req.url === '/moved') res.writeHead(302, { location: '/final' }).end();
      else res.writeHead(200).end('ok');
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => target.close(() => resolve())));

  it('follows no redirect: the first 302 fails the check, and the target it points to is never asked', async () => {
    const tenant = await h.tenant(['*']);
    const url = `http://127.0.0.1:${(target.address() as AddressInfo).port}/moved`;
    const res = await h.app.inject({
      method: 'POST', url: '/api/monitors', headers: { 'x-api-key': tenant.key },
      payload: { name: 'no-redirects', type: 'Website', url, followRedirects: true, maxRedirects: 0 },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().maxRedirects).toBe(0);
    const monitor = (await h.monitors.get(tenant.orgId, res.json().id))!;
    const { decoded } = asTheAgentSeesIt(buildCheckJob(monitor, monitor.regions[0]!, Date.now()));
    const outcome = await runCheck(createCheckers(), decoded, new AbortController().signal);
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_TOO_MANY_REDIRECTS);
    expect(outcome.statusCode).toBe(302);
    expect(requests).toEqual(['/moved']);
  });
});

describe('pharos export → pharos apply', () => {
  let dir: string;
  let url: string;
  beforeAll(async () => {
    url = await h.app.listen({ port: 0, host: '127.0.0.1' });
    dir = mkdtempSync(path.join(tmpdir(), 'pharos-roundtrip-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('changes nothing for monitors whose every setting is at a limit or away from its default', async () => {
    const tenant = await h.tenant(['*']);
    const headers = { 'x-api-key': tenant.key };
    const extremes: Record<MonitorTypeName, Record<string, unknown>> = {
      Website: {
        httpMethod: 'POST', expectedStatusCode: 599, requestHeaders: { 'X-A': '1' }, requestBody: '', followRedirects: false, maxRedirects: 0,
        keyword: 'k'.repeat(1024), keywordAbsent: true, ignoreTlsErrors: true, sslExpiryWarningDays: 0,
        assertions: [{ source: 'Header', property: 'etag', operator: 'NotExists', target: null }],
      },
      Port: { hostname: '[2001:db8::1]', port: 65535 },
      Ping: { pingCount: 1, pingIntervalMs: 10_000, pingTimeoutMs: 100, pingMaxPacketLossPercent: 0 },
      Dns: { dnsRecordType: 'CAA', dnsResolver: '[::1]:53', dnsExpectedValues: ['0 issue "ca.example"'], dnsMatchMode: 'None', dnsExpectedRcode: 'REFUSED' },
      Domain: { domainExpiryWarningDays: 365 },
      Job: { cronExpression: null, periodSeconds: 31_536_000, timezone: 'Asia/Kolkata', graceSeconds: 0 },
    };
    for (const type of Object.keys(extremes) as MonitorTypeName[]) {
      const res = await h.app.inject({ method: 'POST', url: '/api/monitors', headers, payload: { name: `x-${type}`, type, ...BASE[type], ...extremes[type], timeoutSeconds: 1, failureThreshold: 100, regionQuorum: 1, tags: ['edge'] } });
      expect(res.statusCode, `${type}: ${res.body}`).toBe(201);
    }
    const api = createApiClient({ baseUrl: url, key: tenant.key, notice: () => {} });
    const file = path.join(dir, 'exported.yaml');
    expect(await runExport({ output: file }, { api, out: () => {}, err: () => {}, writeFile: (p, t) => writeFile(p, t), writeStdout: () => {} })).toBe(0);
    const out: string[] = [];
    const code = await runApply({ file, prune: true, dryRun: false }, { api, out: (l) => out.push(l), err: (l) => out.push(l), readFile: (p) => readFile(p, 'utf8') });
    expect(code).toBe(0);
    expect(out.at(-1)).toBe('0 created, 0 updated, 0 deleted, 6 unchanged');
  });
});
