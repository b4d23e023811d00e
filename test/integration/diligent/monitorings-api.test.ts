/**
 * The Diligent surface's POST /monitorings exactly as its document shows it (the curl example
 * verbatim with only the base URL changed, every documented error shape byte for byte), and
 * the routes a user of that API expects beside it. Over real Postgres when configured.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../../support/api-harness.js';
import { realService } from '../../support/services.js';
import type { AddressLookup } from '../../../services/lib/ssrf/guarded-resolver.js';

const databaseUrl = realService('database');
/** The document's created_at: the example's expiry (2024-12-31) is then in the future. */
const CREATED = Date.parse('2024-06-03T10:46:00.000Z');
let clock = CREATED;

const DNS: Record<string, string[]> = {
  'example.com': ['93.184.215.14'],
  'shop.example.org': ['93.184.215.15'],
  'intranet.example.net': ['10.0.0.5'],
  'mixed.example.net': ['93.184.215.16', '192.168.1.1'],
  'metadata.example.net': ['169.254.169.254'],
};
const lookup: AddressLookup = async (host) => {
  const found = DNS[host];
  if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

let h: ApiHarness;
let key: string;
let orgId: string;

beforeAll(async () => {
  h = await startApiHarness({ databaseUrl, now: () => clock, websiteLookup: lookup, env: { PHAROS_ALLOW_PRIVATE_TARGETS: 'false' } });
  ({ key, orgId } = await h.tenant(['*']));
});
afterAll(async () => h?.close());

const post = (body: unknown, headers: Record<string, string> = { 'x-api-key': key }) =>
  h.app.inject({ method: 'POST', url: '/monitorings', headers: { 'content-type': 'application/json', ...headers }, payload: typeof body === 'string' ? body : JSON.stringify(body) });
const stored = async () => Number((await h.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM diligent_monitorings WHERE org_id = $1`, [orgId])).rows[0].n);

describe('POST /monitorings as documented', () => {
  it('the curl example, verbatim, gives 201 and the documented object', async () => {
    // curl --request POST --url https://api.godiligent.ai/monitorings --header 'Content-Type: application/json' --header 'X-API-KEY: <api-key>' --data '…'
    const res = await h.app.inject({
      method: 'POST',
      url: '/monitorings',
      headers: { 'Content-Type': 'application/json', 'X-API-KEY': key },
      payload: `{
  "website": "https://example.com",
  "checks": [
    "non_operational_website",
    "high_risk_diligent_classification"
  ],
  "frequency": "weekly",
  "run_now": true,
  "expires_at": "2024-12-31T23:59:59.000Z"
}`,
    });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(body).toEqual({
      id: body.id,
      website: 'https://example.com',
      customer_id: orgId,
      checks: ['non_operational_website', 'high_risk_diligent_classification'],
      frequency: 'weekly',
      expires_at: '2024-12-31T23:59:59.000Z',
      is_active: true,
      running_state: 'IDLE',
      next_run_at: '2024-06-10T10:46:00.000Z',
      last_execution: null,
      execution_results: [],
      created_at: '2024-06-03T10:46:00.000Z',
      updated_at: '2024-06-03T10:46:00.000Z',
    });
    // The document's field order.
    expect(Object.keys(body)).toEqual(['id', 'website', 'customer_id', 'checks', 'frequency', 'expires_at', 'is_active', 'running_state', 'next_run_at', 'last_execution', 'execution_results', 'created_at', 'updated_at']);
    // run_now: a run is requested for the scheduler, not run inside the request.
    const { rows } = await h.sql.query<{ run_requested_at: Date | null }>(`SELECT run_requested_at FROM diligent_monitorings WHERE id = $1`, [body.id]);
    expect(rows[0].run_requested_at).not.toBeNull();
  });

  it('answers a second monitoring of the same site (same canonical origin) with the documented error, byte for byte', async () => {
    for (const website of ['https://example.com', 'http://EXAMPLE.com/#top', 'https://www.example.com:443', 'https://example.com/']) {
      const res = await post({ website, checks: ['high_risk_mcc'] });
      expect(res.statusCode).toBe(400);
      expect(res.body).toBe('{"error":"Monitor already exists"}');
    }
    expect(await stored()).toBe(1);
  });

  it('answers invalid check names with the documented zod-style issue, byte for byte', async () => {
    const before = await stored();
    for (const checks of [['non_operational_website', 'bogus'], ['NON_OPERATIONAL_WEBSITE']]) {
      const res = await post({ website: 'https://shop.example.org', checks });
      expect(res.statusCode).toBe(400);
      expect(res.body).toBe('{"error":[{"code":"custom","message":"Invalid check name(s)","path":["checks"]}]}');
    }
    const dup = await post({ website: 'https://shop.example.org', checks: ['high_risk_mcc', 'high_risk_mcc'] });
    expect(dup.body).toBe('{"error":[{"code":"custom","message":"Duplicate check name(s)","path":["checks"]}]}');
    expect(await stored()).toBe(before);
  });

  it('answers a URL that fails the security validation with the documented issue, byte for byte, storing nothing', async () => {
    const before = await stored();
    const refused = [
      'ftp://example.org/file', 'javascript:alert(1)', 'https://user:pw@shop.example.org', 'https://localhost:8080', 'http://127.0.0.1', 'http://[::1]/',
      'https://com', 'not a url', 'https://intranet.example.net', 'https://mixed.example.net/shop', 'http://metadata.example.net/latest/meta-data', 'http://169.254.169.254/',
      'https://shop.example.org\u0000.evil', '',
    ];
    for (const website of refused) {
      const res = await post({ website, checks: ['non_operational_website'] });
      expect(res.statusCode, website).toBe(400);
      expect(res.body, website).toBe('{"error":[{"code":"custom","message":"URL is disallowed or invalid","path":["website"]}]}');
    }
    expect(await stored()).toBe(before);
  });

  it('gives 401 without a valid key, and accepts X-API-KEY in any case', async () => {
    const body = { website: 'https://shop.example.org', checks: ['high_risk_mcc'] };
    expect((await post(body, {})).statusCode).toBe(401);
    expect((await post(body, { 'X-API-KEY': 'pk_wrong' })).statusCode).toBe(401);
    expect((await post(body, {})).json()).toEqual({ error: 'missing API key: send it in the X-API-Key header' });
    expect((await post(body, { 'x-api-key': 'pk_wrong' })).json()).toEqual({ error: 'invalid or revoked API key' });
    const ok = await post(body, { 'X-Api-Key': key });
    expect(ok.statusCode, ok.body).toBe(201);
    await h.app.inject({ method: 'DELETE', url: `/monitorings/${ok.json().id}`, headers: { 'x-api-key': key } });
  });

  it('sanitises the website (lower-case host, IDN to ASCII, no fragment, no default port) and normalises the frequency', async () => {
    const res = await post({ website: 'HTTPS://Bücher.Example.ORG:443/Katalog?x=1#oben', checks: ['high_risk_mcc'], frequency: 'Every_3_WEEKS' });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body.website).toBe('https://xn--bcher-kva.example.org/Katalog?x=1');
    expect(body.frequency).toBe('every_3_weeks');
    expect(body.next_run_at).toBe(new Date(clock + 21 * 86_400_000).toISOString());
  });

  it('applies the defaults: every_2_weeks, six months of expiry, run_now true', async () => {
    const res = await post({ website: 'https://defaults.example.org', checks: ['high_risk_mcc'] });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body.frequency).toBe('every_2_weeks');
    expect(body.expires_at).toBe('2024-12-03T10:46:00.000Z');
    expect(body.next_run_at).toBe('2024-06-17T10:46:00.000Z');
    const noRun = await post({ website: 'https://norun.example.org', checks: ['high_risk_mcc'], run_now: false });
    const { rows } = await h.sql.query<{ run_requested_at: Date | null }>(`SELECT run_requested_at FROM diligent_monitorings WHERE id = $1`, [noRun.json().id]);
    expect(rows[0].run_requested_at).toBeNull();
  });

  it('refuses an expiry in the past or less than one frequency period ahead, and other schema errors, in the zod shape', async () => {
    const before = await stored();
    const past = await post({ website: 'https://later.example.org', checks: ['high_risk_mcc'], expires_at: '2024-01-01T00:00:00Z' });
    expect(past.body).toBe('{"error":[{"code":"custom","message":"expires_at must be a future date","path":["expires_at"]}]}');
    const soon = await post({ website: 'https://later.example.org', checks: ['high_risk_mcc'], frequency: 'every_4_weeks', expires_at: '2024-06-20T00:00:00Z' });
    expect(soon.body).toBe('{"error":[{"code":"custom","message":"expires_at must be at least 28 days ahead for frequency every_4_weeks","path":["expires_at"]}]}');
    const freq = await post({ website: 'https://later.example.org', checks: ['high_risk_mcc'], frequency: 'daily' });
    expect(freq.json().error).toEqual([{ code: 'custom', message: 'Invalid frequency: expected one of weekly, every_2_weeks, every_3_weeks, every_4_weeks', path: ['frequency'] }]);
    for (const body of [{}, { website: 'https://later.example.org' }, { website: 'https://later.example.org', checks: [] }, { website: 1, checks: ['high_risk_mcc'] },
      { website: 'https://later.example.org', checks: ['high_risk_mcc'], run_now: 'yes' }, { website: 'https://later.example.org', checks: ['high_risk_mcc'], extra: 1 },
      { website: 'https://later.example.org', checks: ['high_risk_mcc'], expires_at: 'tomorrow' }, [], null]) {
      const res = await post(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      const error = res.json().error;
      expect(Array.isArray(error), res.body).toBe(true);
      for (const issue of error) expect(Object.keys(issue)).toEqual(['code', 'message', 'path']);
    }
    const nul = await post('{"website":"https://later.example.org","checks":["high_risk_mcc\\u0000"]}');
    expect(nul.statusCode).toBe(400);
    const deep = await post(`{"website":"https://later.example.org","checks":["high_risk_mcc"],"x":${'['.repeat(5000)}${']'.repeat(5000)}}`);
    expect(deep.statusCode).toBe(400);
    const broken = await post('{"website":');
    expect(broken.statusCode).toBe(400);
    expect(broken.json()).toEqual({ error: 'Invalid JSON body' });
    expect(await stored()).toBe(before);
  });
});

describe('the rest of the surface', () => {
  it('lists (paged), gets, updates, runs now, shows executions and deletes, each within the organization', async () => {
    const created = (await post({ website: 'https://crud.example.org', checks: ['high_risk_mcc'], run_now: false })).json();
    const auth = { 'x-api-key': key };
    const list = await h.app.inject({ method: 'GET', url: '/monitorings?limit=2&offset=0', headers: auth });
    expect(list.statusCode).toBe(200);
    expect(list.json()).toMatchObject({ limit: 2, offset: 0, total: await stored() });
    expect(list.json().data).toHaveLength(2);
    expect((await h.app.inject({ method: 'GET', url: '/monitorings?limit=0', headers: auth })).statusCode).toBe(400);

    const got = await h.app.inject({ method: 'GET', url: `/monitorings/${created.id}`, headers: auth });
    expect(got.json()).toEqual(created);

    clock += 60_000;
    const updated = await h.app.inject({ method: 'PATCH', url: `/monitorings/${created.id}`, headers: auth, payload: { frequency: 'WEEKLY', checks: ['high_risk_mcc', 'non_operational_website'] } });
    expect(updated.statusCode, updated.body).toBe(200);
    expect(updated.json()).toMatchObject({ frequency: 'weekly', checks: ['high_risk_mcc', 'non_operational_website'], next_run_at: new Date(created.created_at ? Date.parse(created.created_at) + 7 * 86_400_000 : 0).toISOString() });
    const badExpiry = await h.app.inject({ method: 'PATCH', url: `/monitorings/${created.id}`, headers: auth, payload: { expires_at: '2024-06-04T00:00:00Z' } });
    expect(badExpiry.body).toBe('{"error":[{"code":"custom","message":"expires_at must be at least 7 days ahead for frequency weekly","path":["expires_at"]}]}');

    const run = await h.app.inject({ method: 'POST', url: `/monitorings/${created.id}/run`, headers: auth });
    expect(run.statusCode).toBe(202);
    const executions = await h.app.inject({ method: 'GET', url: `/monitorings/${created.id}/executions`, headers: auth });
    expect(executions.json()).toEqual({ data: [], total: 0, limit: 20, offset: 0 });

    const paused = await h.app.inject({ method: 'PATCH', url: `/monitorings/${created.id}`, headers: auth, payload: { is_active: false } });
    expect(paused.json().is_active).toBe(false);
    expect((await h.app.inject({ method: 'POST', url: `/monitorings/${created.id}/run`, headers: auth })).body).toBe('{"error":"Monitoring is not active"}');

    const other = await h.tenant(['*']);
    for (const [method, url] of [['GET', `/monitorings/${created.id}`], ['DELETE', `/monitorings/${created.id}`], ['POST', `/monitorings/${created.id}/run`], ['GET', `/monitorings/${created.id}/executions`]] as const) {
      const res = await h.app.inject({ method, url, headers: { 'x-api-key': other.key } });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.body).toBe('{"error":"Monitoring not found"}');
    }
    expect((await h.app.inject({ method: 'GET', url: '/monitorings', headers: { 'x-api-key': other.key } })).json().total).toBe(0);
    expect((await h.app.inject({ method: 'GET', url: '/monitorings/not-a-uuid', headers: auth })).statusCode).toBe(404);

    expect((await h.app.inject({ method: 'DELETE', url: `/monitorings/${created.id}`, headers: auth })).statusCode).toBe(204);
    expect((await h.app.inject({ method: 'GET', url: `/monitorings/${created.id}`, headers: auth })).statusCode).toBe(404);
  });

  it('needs the monitorings scopes', async () => {
    const reader = await h.tenant(['monitorings:read']);
    const uptime = await h.tenant(['monitors:read', 'monitors:write']);
    expect((await h.app.inject({ method: 'GET', url: '/monitorings', headers: { 'x-api-key': reader.key } })).statusCode).toBe(200);
    expect((await post({ website: 'https://scoped.example.org', checks: ['high_risk_mcc'] }, { 'x-api-key': reader.key })).statusCode).toBe(403);
    expect((await h.app.inject({ method: 'GET', url: '/monitorings', headers: { 'x-api-key': uptime.key } })).statusCode).toBe(403);
    const scopes = h.app.routeScopes.filter((r) => r.url.startsWith('/monitorings'));
    expect(scopes.length).toBe(9);
    for (const r of scopes) expect(r.scope).toBe(r.method === 'GET' ? 'monitorings:read' : 'monitorings:write');
  });

  it('counts monitorings against the plan\'s monitor quota', async () => {
    const base = await h.tenant(['*'], 'base');
    let refused;
    for (let i = 0; i < 11; i++) {
      clock += 3_600_000; // past the per-key creation rate limit
      const res = await post({ website: `https://quota${i}.example.org`, checks: ['high_risk_mcc'] }, { 'x-api-key': base.key });
      if (i < 10) expect(res.statusCode, res.body).toBe(201);
      else refused = res;
    }
    expect(refused!.statusCode).toBe(403);
    expect(refused!.json().error).toContain('Your Base plan allows 10 monitors');
    // At the quota, a second monitoring of a monitored site is still answered as a duplicate.
    clock += 3_600_000;
    expect((await post({ website: 'https://quota0.example.org', checks: ['high_risk_mcc'] }, { 'x-api-key': base.key })).body).toBe('{"error":"Monitor already exists"}');
  });

  it('keeps per-organization overrides of the high-risk MCC set', async () => {
    const auth = { 'x-api-key': key };
    const before = (await h.app.inject({ method: 'GET', url: '/monitorings/settings/high-risk-mccs', headers: auth })).json();
    expect(before.high_risk_mccs).toContain('7995');
    expect(before.overrides).toEqual([]);
    const put = await h.app.inject({ method: 'PUT', url: '/monitorings/settings/high-risk-mccs', headers: auth, payload: { overrides: [{ mcc: '7995', high_risk: false }, { mcc: '5732', high_risk: true }] } });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json().high_risk_mccs).not.toContain('7995');
    expect(put.json().high_risk_mccs).toContain('5732');
    const bad = await h.app.inject({ method: 'PUT', url: '/monitorings/settings/high-risk-mccs', headers: auth, payload: { overrides: [{ mcc: '79', high_risk: false }] } });
    expect(bad.body).toBe('{"error":[{"code":"invalid_format","message":"must be a four-digit MCC","path":["overrides",0,"mcc"]}]}');
    const other = await h.tenant(['*']);
    expect((await h.app.inject({ method: 'GET', url: '/monitorings/settings/high-risk-mccs', headers: { 'x-api-key': other.key } })).json().overrides).toEqual([]);
    await h.app.inject({ method: 'PUT', url: '/monitorings/settings/high-risk-mccs', headers: auth, payload: { overrides: [] } });
  });

  it('documents the routes in the OpenAPI document under their own tag', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/openapi/v1.json' })).json();
    expect(doc.paths['/monitorings'].post.tags).toEqual(['Diligent monitorings']);
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/monitorings')).sort()).toEqual(['/monitorings', '/monitorings/settings/high-risk-mccs', '/monitorings/{id}', '/monitorings/{id}/executions', '/monitorings/{id}/run']);
    expect(doc.paths['/monitorings'].post.requestBody.content['application/json'].schema.properties.checks.items.enum).toEqual([
      'non_operational_website', 'high_risk_mcc', 'high_risk_diligent_classification', 'catalog_contain_loan_flipping_indicators',
    ]);
  });
});
