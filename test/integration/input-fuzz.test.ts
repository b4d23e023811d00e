/**
 * Any bytes get a 4xx (issue 10): malformed requests generated from /openapi/v1.json for
 * every operation, against the api over real Postgres. None may get a 5xx, an error body
 * must stay under a fixed size whatever the request's size, nothing may be stored, nothing
 * may be logged at warn or above, and the api keeps serving afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { realService } from '../support/services.js';
import { malformedRequests, operationsOf, type FuzzRequest } from '../support/openapi-fuzz.js';

const databaseUrl = realService('database');
const OPERATOR = 'fuzz-operator-key-0123456789abcdef';
/** No error body may exceed this, whatever the request: a few dozen details of bounded length. */
const ERROR_BODY_BOUND = 10 * 1024;
const TABLES = ['organizations', 'api_keys', 'monitors', 'teams', 'team_members', 'incidents', 'job_pings', 'status_pages', 'status_page_subscribers'];

let h: ApiHarness;
let key: string;
const warnings: string[] = [];
// Each request an hour after the last, so per-key rate limits (10 creations an hour)
// never answer in place of validation.
let clock = Date.parse('2026-01-01T00:00:00Z');
const ids: Record<string, string> = {};

beforeAll(async () => {
  const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) });
  h = await startApiHarness({ databaseUrl, logger, now: () => (clock += 3_600_000), env: { PHAROS_OPERATOR_KEY: OPERATOR } });
  const t = await h.tenant(['*']);
  key = t.key;
  ids.org = t.orgId;
  const post = async (url: string, body: unknown) => {
    const res = await h.app.inject({ method: 'POST', url, headers: { 'x-api-key': key }, payload: body as object });
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  };
  const monitor = await post('/api/monitors', { name: 'fuzz-monitor', type: 'Website', url: 'https://example.com' });
  const job = await post('/api/monitors', { name: 'fuzz-job', type: 'Job', periodSeconds: 3600 });
  const team = await post('/api/teams', { name: 'fuzz-team' });
  const member = await post(`/api/teams/${team.id}/members`, { name: 'M', email: 'm@example.com' });
  Object.assign(ids, { monitor: monitor.id, token: job.pingToken, team: team.id, member: member.id });
});
afterAll(async () => h?.close());

/** Real ids for the parts a variant leaves valid, so the bad part is the only thing wrong. */
function baseParam(param: string, path: string, method: string): string {
  if (method === 'DELETE') return param === 'name' ? 'fuzz-none' : 'x_missing';
  if (param === 'token') return ids.token;
  if (param === 'exitCode') return '0';
  if (param === 'name') return 'fuzz-monitor';
  if (param === 'memberId') return ids.member;
  if (param === 'monitorId') return ids.monitor;
  if (path.startsWith('/api/monitors')) return ids.monitor;
  if (path.startsWith('/api/teams')) return ids.team;
  if (path.startsWith('/admin/orgs')) return ids.org;
  return 'x_missing';
}

async function storedCounts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of TABLES) out[table] = Number((await h.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n);
  return out;
}

/** Variants whose bad part the server reads and must refuse (the rest must only not fail). */
function mustRefuse(r: FuzzRequest): boolean {
  if (r.what.startsWith('body')) return true;
  return /NUL|hex|exponent|Infinity|20 digits/.test(r.what);
}

describe('malformed requests generated from the OpenAPI document', () => {
  it('never get a 5xx, get bounded error bodies, store nothing, log nothing alarming, and the api keeps serving', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/openapi/v1.json' })).json();
    const operations = operationsOf(doc);
    // The document lists every operation, the operator's included (PHAROS_OPERATOR_KEY is set).
    expect(operations.length).toBeGreaterThanOrEqual(38);
    const before = await storedCounts();
    const failures: string[] = [];
    let sent = 0;
    for (const op of operations) {
      const requests = malformedRequests(op, (param, path) => baseParam(param, path, op.method));
      for (const r of requests) {
        const auth = r.url.startsWith('/admin') ? { 'x-operator-key': OPERATOR } : { 'x-api-key': key };
        const res = await h.app.inject({ method: r.method as 'GET', url: r.url, payload: r.payload, headers: { ...auth, ...r.headers } });
        sent++;
        const label = `${r.operation} ${r.what} → ${res.statusCode}`;
        if (res.statusCode >= 500) failures.push(`${label}: ${res.body.slice(0, 200)}`);
        else if (res.statusCode >= 400 && res.rawPayload.length > ERROR_BODY_BOUND) failures.push(`${label}: error body of ${res.rawPayload.length} bytes`);
        else if (mustRefuse(r) && res.statusCode < 400) failures.push(`${label}: accepted`);
      }
    }
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(1_000);
    expect(await storedCounts()).toEqual(before);
    expect(warnings).toEqual([]);
    // Still serving: a health check and a valid create both work.
    expect((await h.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    const created = await h.app.inject({ method: 'POST', url: '/api/monitors', headers: { 'x-api-key': key }, payload: { name: 'after-fuzz', type: 'Website', url: 'https://example.com' } });
    expect(created.statusCode).toBe(201);
  }, 120_000);
});
