import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MonitorChanged } from '../../proto/generated/pharos/v1/control.js';
import { startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { eventually } from '../support/services.js';
import { AgentPresence } from '../../services/lib/agent-presence.js';
import { NO_DETAILS, type StoredResult } from '../../services/lib/results/types.js';

/** The Enori document's "Create a website monitor" cURL body. */
const seedBody = {
  name: 'Production API',
  type: 'Website',
  url: 'https://api.example.com/health',
  intervalSeconds: 60,
  expectedStatusCode: 200,
  alertOnDown: true,
  alertOnRecovered: true,
};

let h: ApiHarness;
let admin: { orgId: string; key: string };

beforeAll(async () => {
  h = await startApiHarness();
});
// Each test in its own organization with its own key (and so its own rate-limit allowance).
beforeEach(async () => {
  admin = await h.tenant(['*']);
});
afterAll(async () => h?.close());

const req = (method: string, url: string, key: string | undefined, body?: unknown, headers: Record<string, string> = {}) =>
  h.app.inject({
    method: method as 'GET',
    url,
    headers: { ...(key ? { 'x-api-key': key } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    payload: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });

async function monitorCount(orgId: string): Promise<number> {
  return (await h.monitors.list(orgId, { limit: 1000, offset: 0 })).totalCount;
}

describe('authentication and scopes', () => {
  it('refuses a missing, wrong or revoked key with 401 and the error body', async () => {
    for (const key of [undefined, 'phk_wrong']) {
      const res = await req('GET', '/api/monitors', key);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ error: expect.any(String), message: expect.any(String), code: 'UNAUTHORIZED' });
    }
    const created = (await req('POST', '/api/keys', admin.key, { name: 'temp', scopes: ['monitors:read'] })).json();
    expect((await req('GET', '/api/monitors', created.key)).statusCode).toBe(200);
    expect((await req('DELETE', `/api/keys/${created.id}`, admin.key)).statusCode).toBe(204);
    expect((await req('GET', '/api/monitors', created.key)).statusCode).toBe(401);
  });

  it('accepts Authorization: Bearer as well as X-API-Key', async () => {
    const res = await req('GET', '/api/monitors', undefined, undefined, { authorization: `Bearer ${admin.key}` });
    expect(res.statusCode).toBe(200);
  });

  it('answers 403 INSUFFICIENT_SCOPE to a key without the route scope, and stores nothing', async () => {
    const reader = (await req('POST', '/api/keys', admin.key, { name: 'reader', scopes: ['monitors:read'] })).json();
    const before = await monitorCount(admin.orgId);
    const res = await req('POST', '/api/monitors', reader.key, seedBody);
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('INSUFFICIENT_SCOPE');
    expect(await monitorCount(admin.orgId)).toBe(before);
  });

  it('does not let a key grant scopes it does not have', async () => {
    const writer = (await req('POST', '/api/keys', admin.key, { name: 'keys', scopes: ['keys:write', 'monitors:read'] })).json();
    expect((await req('POST', '/api/keys', writer.key, { name: 'x', scopes: ['monitors:write'] })).statusCode).toBe(403);
    expect((await req('POST', '/api/keys', writer.key, { name: 'x', scopes: ['monitors:read'] })).statusCode).toBe(201);
  });
});

describe('API keys', () => {
  it('shows the full key once, lists it masked and stores only its hash', async () => {
    const res = await req('POST', '/api/keys', admin.key, { name: 'CI/CD Pipeline', scopes: ['monitors:read', 'monitors:write'] });
    expect(res.statusCode).toBe(201);
    const created = res.json();
    expect(created).toMatchObject({ id: expect.stringMatching(/^key_/), name: 'CI/CD Pipeline', scopes: ['monitors:read', 'monitors:write'] });
    expect(created.key).toMatch(/^phk_[A-Za-z0-9_-]{40,}$/);
    const listed = (await req('GET', '/api/keys', admin.key)).json();
    const entry = listed.items.find((k: { id: string }) => k.id === created.id);
    expect(entry.key).not.toBe(created.key);
    expect(entry.key).toContain('…');
    expect(created.key.endsWith(entry.key.slice(-4))).toBe(true);
    const { rows } = await h.sql.query<{ key_hash: string }>(`SELECT key_hash FROM api_keys WHERE id = $1`, [created.id]);
    expect(rows[0].key_hash).not.toContain(created.key);
    expect(rows[0].key_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('never lists or revokes another organization\'s key (404)', async () => {
    const other = await h.tenant();
    const mine = (await req('POST', '/api/keys', admin.key, { name: 'mine', scopes: ['monitors:read'] })).json();
    expect((await req('GET', '/api/keys', other.key)).json().items.map((k: { id: string }) => k.id)).not.toContain(mine.id);
    expect((await req('DELETE', `/api/keys/${mine.id}`, other.key)).statusCode).toBe(404);
    expect((await req('GET', '/api/monitors', mine.key)).statusCode).toBe(200);
  });

  it('refuses unknown scopes with field details', async () => {
    const res = await req('POST', '/api/keys', admin.key, { name: 'x', scopes: ['everything'] });
    expect(res.statusCode).toBe(400);
    expect(res.json().details[0].field).toContain('/scopes');
  });
});

describe('monitors', () => {
  it('creates a monitor from the Enori cURL example with documented defaults and announces it', async () => {
    const notices: MonitorChanged[] = [];
    const sub = await h.bus.subscribe('test.monitors.changed', (data) => { notices.push(MonitorChanged.decode(data)); });
    const res = await req('POST', '/api/monitors', admin.key, { ...seedBody, name: 'Seed monitor' });
    expect(res.statusCode).toBe(201);
    const m = res.json();
    expect(m).toMatchObject({
      id: expect.stringMatching(/^mon_/), name: 'Seed monitor', type: 'Website', url: seedBody.url,
      intervalSeconds: 60, timeoutSeconds: 30, httpMethod: 'GET', expectedStatusCode: 200,
      alertOnDown: true, alertOnRecovered: true, regions: ['UsEast', 'EuWest'], tags: [],
      status: 'Pending', uptimePercentage: 100, lastCheckedAt: null,
    });
    await eventually(() => notices.find((n) => n.monitorId === m.id), { what: 'change notice' });
    expect(notices.find((n) => n.monitorId === m.id)?.checkNow).toBe(true);
    await sub.unsubscribe();
    expect((await req('GET', `/api/monitors/${m.id}`, admin.key)).json()).toMatchObject({ id: m.id, name: 'Seed monitor' });
  });

  it('accepts a numeric type and answers with its name', async () => {
    const res = await req('POST', '/api/monitors', admin.key, { name: 'db port', type: 2, hostname: 'db.internal', port: 5432 });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ type: 'Port', hostname: 'db.internal', port: 5432, url: null });
  });

  it.each([
    ['malformed JSON', '{"name": "x", ', 'INVALID_JSON', undefined],
    ['a wrong type', { ...seedBody, name: 'w', intervalSeconds: '60' }, 'VALIDATION_ERROR', '/intervalSeconds'],
    ['an unknown field', { ...seedBody, name: 'u', colour: 'blue' }, 'VALIDATION_ERROR', '/colour'],
    ['an out-of-range interval', { ...seedBody, name: 'i', intervalSeconds: 1 }, 'VALIDATION_ERROR', '/intervalSeconds'],
    ['a non-http URL', { ...seedBody, name: 'f', url: 'file:///etc/passwd' }, 'VALIDATION_ERROR', '/url'],
    ['an unknown region', { ...seedBody, name: 'r', regions: ['Atlantis'] }, 'VALIDATION_ERROR', '/regions'],
    ['an unknown type', { ...seedBody, name: 't', type: 'Gopher' }, 'VALIDATION_ERROR', '/type'],
    ['a Ping monitor without a hostname', { name: 'p', type: 'Ping' }, 'VALIDATION_ERROR', '/hostname'],
    ['a Ping monitor with a url', { name: 'p', type: 3, hostname: 'h.test', url: 'https://h.test' }, 'VALIDATION_ERROR', '/url'],
    ['a Domain monitor on an IP address', { name: 'd', type: 'Domain', hostname: '192.0.2.1' }, 'VALIDATION_ERROR', '/hostname'],
    ['a Job monitor without a schedule', { name: 'j', type: 'Job' }, 'VALIDATION_ERROR', '/cronExpression'],
    ['a Job monitor with both schedules', { name: 'j', type: 'Job', cronExpression: '0 * * * *', periodSeconds: 3600 }, 'VALIDATION_ERROR', '/cronExpression'],
    ['a Job monitor with a bad cron', { name: 'j', type: 'Job', cronExpression: '61 * * * *' }, 'VALIDATION_ERROR', '/cronExpression'],
    ['a Job monitor with a six-word sentence as cron', { name: 'j', type: 'Job', cronExpression: 'every day at two in morning' }, 'VALIDATION_ERROR', '/cronExpression'],
    ['a Job monitor with a seconds field (minute resolution only)', { name: 'j', type: 'Job', cronExpression: '*/5 * * * * *' }, 'VALIDATION_ERROR', '/cronExpression'],
    ['a Job monitor in an unknown time zone', { name: 'j', type: 'Job', cronExpression: '0 2 * * *', timezone: 'Mars/Olympus' }, 'VALIDATION_ERROR', '/timezone'],
    ['a cron schedule on a Website monitor', { ...seedBody, name: 'c', cronExpression: '0 * * * *' }, 'VALIDATION_ERROR', '/cronExpression'],
    ['a Dns record type that does not exist', { name: 'n', type: 'Dns', hostname: 'h.test', dnsRecordType: 'ZZ' }, 'VALIDATION_ERROR', '/dnsRecordType'],
    ['an assertion with an unknown operator', { ...seedBody, name: 'a', assertions: [{ source: 'Body', operator: 'Resembles', target: 'x' }] }, 'VALIDATION_ERROR', '/assertions/0/operator'],
    ['ping requests that outlast the timeout', { name: 'p', type: 'Ping', hostname: 'h.test', timeoutSeconds: 2, pingCount: 10, pingIntervalMs: 1000 }, 'VALIDATION_ERROR', '/timeoutSeconds'],
    ['a missing name', { type: 'Website', url: 'https://x.test' }, 'VALIDATION_ERROR', '/name'],
  ])('refuses %s with 400, stores nothing, keeps serving', async (_what, body, code, field) => {
    const before = await monitorCount(admin.orgId);
    const res = await req('POST', '/api/monitors', admin.key, body);
    expect(res.statusCode).toBe(400);
    const err = res.json();
    expect(err).toMatchObject({ error: expect.any(String), message: expect.any(String), code });
    if (field) expect(err.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(await monitorCount(admin.orgId)).toBe(before);
    expect((await req('GET', '/api/monitors', admin.key)).statusCode).toBe(200);
  });

  it('refuses a second monitor with the same name with 409', async () => {
    expect((await req('POST', '/api/monitors', admin.key, { ...seedBody, name: 'dup' })).statusCode).toBe(201);
    const res = await req('POST', '/api/monitors', admin.key, { ...seedBody, name: 'dup' });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('CONFLICT');
  });

  it('lists with type filter and repeated tags as AND, in {items,totalCount}', async () => {
    const t = await h.tenant();
    const mk = (name: string, tags: string[], extra: object = {}) => req('POST', '/api/monitors', t.key, { ...seedBody, name, tags, ...extra });
    await mk('a', ['prod', 'api']);
    await mk('b', ['prod']);
    await mk('c', ['api']);
    await req('POST', '/api/monitors', t.key, { name: 'd', type: 'Port', hostname: 'h.test', port: 22, tags: ['prod', 'api'] });
    const both = (await req('GET', '/api/monitors?tag=prod&tag=api', t.key)).json();
    expect(both.items.map((m: { name: string }) => m.name).sort()).toEqual(['a', 'd']);
    expect(both.totalCount).toBe(2);
    const websites = (await req('GET', '/api/monitors?type=Website&tag=prod', t.key)).json();
    expect(websites.items.map((m: { name: string }) => m.name).sort()).toEqual(['a', 'b']);
    const paged = (await req('GET', '/api/monitors?limit=1&offset=1', t.key)).json();
    expect(paged.items).toHaveLength(1);
    expect(paged.totalCount).toBe(4);
    expect((await req('GET', '/api/monitors?type=Nope', t.key)).statusCode).toBe(400);
  });

  it('PUT replaces the whole configuration, resetting omitted fields to defaults', async () => {
    const m = (await req('POST', '/api/monitors', admin.key, { ...seedBody, name: 'put me', timeoutSeconds: 10, tags: ['x'], httpMethod: 'HEAD' })).json();
    const res = await req('PUT', `/api/monitors/${m.id}`, admin.key, { name: 'put me', type: 'Website', url: 'https://other.example.test/' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: m.id, url: 'https://other.example.test/', timeoutSeconds: 30, tags: [], httpMethod: 'GET', intervalSeconds: 60 });
    expect(new Date(res.json().updatedAt).getTime()).toBeGreaterThanOrEqual(new Date(m.updatedAt).getTime());
    expect((await req('PUT', `/api/monitors/${m.id}`, admin.key, { name: 'put me', type: 'Website', url: 'gopher://x' })).statusCode).toBe(400);
    expect((await req('GET', `/api/monitors/${m.id}`, admin.key)).json().url).toBe('https://other.example.test/');
  });

  it('DELETE answers 204, then the monitor is gone', async () => {
    const m = (await req('POST', '/api/monitors', admin.key, { ...seedBody, name: 'delete me' })).json();
    expect((await req('DELETE', `/api/monitors/${m.id}`, admin.key)).statusCode).toBe(204);
    expect((await req('GET', `/api/monitors/${m.id}`, admin.key)).statusCode).toBe(404);
    expect((await req('DELETE', `/api/monitors/${m.id}`, admin.key)).statusCode).toBe(404);
  });

  it('never shows or changes another organization\'s monitor (404)', async () => {
    const other = await h.tenant();
    const mine = (await req('POST', '/api/monitors', admin.key, { ...seedBody, name: 'private' })).json();
    // Every registered route on one monitor, so a new monitor route is covered without editing this list.
    const objectRoutes = h.app.routeScopes.filter((r) => r.url.startsWith('/api/monitors/:id'));
    expect(objectRoutes.length).toBeGreaterThanOrEqual(9);
    for (const { method, url } of objectRoutes) {
      const path = url.replace(':id', mine.id);
      const body = method === 'PUT' ? { name: 'stolen', type: 'Website', url: 'https://x.test' } : undefined;
      const res = await req(method, path, other.key, body);
      expect(res.statusCode, `${method} ${path}`).toBe(404);
      expect(res.body).not.toContain('private');
    }
    expect((await req('GET', '/api/monitors', other.key)).json().totalCount).toBe(0);
    expect((await req('GET', `/api/monitors/${mine.id}`, admin.key)).json().name).toBe('private');
  });
});

describe('results and statistics', () => {
  it('returns recent results and stats overall and per region', async () => {
    const t = await h.tenant();
    const m = (await req('POST', '/api/monitors', t.key, { ...seedBody, name: 'with results' })).json();
    const now = Date.now();
    const rows: StoredResult[] = [];
    const add = (i: number, region: string, up: boolean, totalMs: number) => rows.push({
      ...NO_DETAILS,
      resultId: `${m.id}.${region}.${i}`, jobId: `${m.id}.${region}.${i}`, orgId: t.orgId, monitorId: m.id, region, agentId: 'a1', type: 'Website',
      scheduledAtMs: now - i * 60_000, startedAtMs: now - i * 60_000, status: up ? 'up' : 'down',
      errorKind: up ? '' : 'unexpected_status', errorPhase: up ? '' : 'ttfb', errorMessage: up ? '' : 'HTTP 503',
      dnsMs: 1, connectMs: 2, tlsMs: 3, ttfbMs: totalMs - 10, transferMs: 4, totalMs, statusCode: up ? 200 : 503, tlsNotAfterMs: 0, retentionDays: 30,
    });
    for (let i = 1; i <= 10; i++) add(i, 'UsEast', true, 100);
    for (let i = 1; i <= 10; i++) add(i, 'EuWest', i > 5, 200);
    await h.results.insertResults(rows);

    const results = (await req('GET', `/api/monitors/${m.id}/results?limit=5&region=EuWest`, t.key)).json();
    expect(results.items).toHaveLength(5);
    expect(results.items[0]).toMatchObject({ region: 'EuWest', status: 'Down', statusCode: 503, error: { kind: 'unexpected_status', phase: 'ttfb', message: 'HTTP 503' } });
    expect(new Date(results.items[0].checkedAt).getTime()).toBeGreaterThan(new Date(results.items[4].checkedAt).getTime());

    const stats = (await req('GET', `/api/monitors/${m.id}/stats?period=24h`, t.key)).json();
    expect(stats).toMatchObject({ monitorId: m.id, period: '24h', totalChecks: 20, failedChecks: 5, uptimePercentage: 75 });
    expect(stats.avgResponseTimeMs).toBeCloseTo(150, 5);
    const eu = stats.regions.find((r: { region: string }) => r.region === 'EuWest');
    expect(eu).toMatchObject({ totalChecks: 10, failedChecks: 5, uptimePercentage: 50, p95ResponseTimeMs: 200 });

    const listed = (await req('GET', `/api/monitors/${m.id}`, t.key)).json();
    expect(listed.uptimePercentage).toBe(75);
    expect((await req('GET', `/api/monitors/${m.id}/stats?period=1y`, t.key)).statusCode).toBe(400);
  });
});

describe('regions and documents', () => {
  it('lists declared regions with their health, and nothing of the operator\'s agents', async () => {
    // Written as ingest writes it: the regions route reads the same records.
    await new AgentPresence(h.hotState, 20_000, Date.now).registered('UsEast', { agentId: 'agent-1', hostname: 'vm1', version: '0.1.0' });
    const res = await req('GET', '/api/regions', admin.key);
    const regions = res.json();
    expect(regions.items.map((r: { name: string }) => r.name)).toEqual(['UsEast', 'EuWest']);
    expect(regions.items[0]).toEqual({ name: 'UsEast', status: 'Available', connectedAgents: 1, lastHeartbeatAt: expect.any(String) });
    expect(regions.items[1]).toEqual({ name: 'EuWest', status: 'Unavailable', connectedAgents: 0, lastHeartbeatAt: null });
    for (const secret of ['agent-1', 'vm1', '0.1.0']) expect(res.body).not.toContain(secret);
  });

  it('serves an OpenAPI 3 document of the routes', async () => {
    const doc = (await req('GET', '/openapi/v1.json', undefined)).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/monitors', '/api/monitors/{id}', '/api/monitors/{id}/stats', '/api/keys', '/api/regions']));
  });

  it('publishes an OpenAPI 3 document that passes a standard validator, with auth and every route', async () => {
    const { Validator } = await import('@seriousme/openapi-schema-validator');
    const doc = (await req('GET', '/openapi/v1.json', undefined)).json();
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-API-Key' });
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    const registered = h.app.routeScopes.filter((r) => r.url.startsWith('/api')).map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`);
    expect(documented.sort()).toEqual(expect.arrayContaining(registered.sort()));
  });

  it('serves the interactive explorer and its script from this server', async () => {
    const page = await req('GET', '/reference/', undefined);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('/openapi/v1.json');
    const script = await req('GET', '/reference/js/scalar.js', undefined);
    expect(script.statusCode).toBe(200);
    expect(script.body.length).toBeGreaterThan(100_000);
  });

  it('answers unknown routes with the JSON error body', async () => {
    const res = await req('GET', '/api/nothing-here', admin.key);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('upsert by name, pause, resume, check now', () => {
  it('upserts by name idempotently: 200 always, the URL name wins, a repeat changes nothing', async () => {
    const t = await h.tenant();
    const body = { ...seedBody, name: 'ignored body name', tags: ['iac'] };
    const first = await req('PUT', '/api/monitors/by-name/checkout', t.key, body);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ name: 'checkout', tags: ['iac'] });
    const again = await req('PUT', '/api/monitors/by-name/checkout', t.key, body);
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(first.json().id);
    expect(again.json().updatedAt).toBe(first.json().updatedAt);
    expect((await req('GET', '/api/monitors', t.key)).json().totalCount).toBe(1);
    const changed = await req('PUT', '/api/monitors/by-name/checkout', t.key, { ...body, intervalSeconds: 120 });
    expect(changed.json()).toMatchObject({ id: first.json().id, intervalSeconds: 120, tags: ['iac'] });
    const bad = await req('PUT', '/api/monitors/by-name/checkout', t.key, { ...body, url: 'ftp://x' });
    expect(bad.statusCode).toBe(400);
    expect((await req('GET', `/api/monitors/${first.json().id}`, t.key)).json().intervalSeconds).toBe(120);
  });

  it('pauses (status Paused, scheduler told) and resumes with an immediate check', async () => {
    const t = await h.tenant();
    const m = (await req('POST', '/api/monitors', t.key, { ...seedBody, name: 'pausable' })).json();
    const notices: MonitorChanged[] = [];
    const sub = await h.bus.subscribe('test.monitors.changed', (data) => { notices.push(MonitorChanged.decode(data)); });
    const paused = await req('POST', `/api/monitors/${m.id}/pause`, t.key);
    expect(paused.statusCode).toBe(200);
    expect(paused.json().status).toBe('Paused');
    await eventually(() => notices.some((n) => n.monitorId === m.id && !n.checkNow), { what: 'pause notice' });
    expect((await req('POST', `/api/monitors/${m.id}/check`, t.key)).statusCode).toBe(202);
    const resumed = await req('POST', `/api/monitors/${m.id}/resume`, t.key);
    expect(resumed.json().status).toBe('Pending');
    await eventually(() => notices.some((n) => n.monitorId === m.id && n.checkNow), { what: 'resume notice asking for a check now' });
    await sub.unsubscribe();
  });

  it('checks now in every region of the monitor (202), as jobs on each region\'s subject', async () => {
    const { CheckJob } = await import('../../proto/generated/pharos/v1/check.js');
    const t = await h.tenant();
    const m = (await req('POST', '/api/monitors', t.key, { ...seedBody, name: 'check me' })).json();
    const jobs: Array<{ region: string; monitorId: string }> = [];
    const subs = await Promise.all(['UsEast', 'EuWest'].map((r) => h.bus.subscribe(`test.jobs.${r}`, (data) => { jobs.push(CheckJob.decode(data)); })));
    const res = await req('POST', `/api/monitors/${m.id}/check`, t.key);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ monitorId: m.id, regions: ['UsEast', 'EuWest'] });
    await eventually(() => jobs.length === 2, { what: 'a job per region' });
    expect(jobs.map((j) => j.region).sort()).toEqual(['EuWest', 'UsEast']);
    expect(jobs.every((j) => j.monitorId === m.id)).toBe(true);
    await Promise.all(subs.map((s) => s.unsubscribe()));
  });

  it('keeps these verbs inside the organization (404) and behind monitors:write (403)', async () => {
    const other = await h.tenant();
    const reader = await h.tenant(['monitors:read']);
    const m = (await req('POST', '/api/monitors', admin.key, { ...seedBody, name: 'not yours' })).json();
    for (const verb of ['pause', 'resume', 'check']) {
      expect((await req('POST', `/api/monitors/${m.id}/${verb}`, other.key)).statusCode).toBe(404);
      expect((await req('POST', `/api/monitors/${m.id}/${verb}`, reader.key)).json().code).toBe('INSUFFICIENT_SCOPE');
    }
    expect((await req('PUT', '/api/monitors/by-name/not%20yours', other.key, seedBody)).json().id).not.toBe(m.id);
  });
});

describe('request bodies', () => {
  it('treats an empty JSON body as no body on body-less verbs, but still requires one where a body is needed', async () => {
    const m = (await req('POST', '/api/monitors', admin.key, { ...seedBody, name: 'empty body' })).json();
    const res = await req('POST', `/api/monitors/${m.id}/check`, admin.key, '', { 'content-type': 'application/json' });
    expect(res.statusCode).toBe(202);
    const create = await req('POST', '/api/monitors', admin.key, '', { 'content-type': 'application/json' });
    expect(create.statusCode).toBe(400);
    expect(create.json().code).toBe('VALIDATION_ERROR');
  });
});
