/**
 * The Encrata surface's API (issue 15) over the real api and store: the document's three
 * examples verbatim (Bearer auth, snake_case), defaults, validation with field details and
 * nothing stored, contact lists, CSV uploads, scopes, tenancy and plan limits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { serviceUrl } from '../support/services.js';
import { EntityMonitorStore } from '../../services/encrata/store.js';

let h: ApiHarness;
let now = Date.parse('2026-05-15T12:00:00Z');
beforeAll(async () => { h = await startApiHarness({ now: () => now, databaseUrl: serviceUrl('database') }); });
afterAll(async () => h?.close());

const call = (method: string, url: string, key: string, payload?: object | string, contentType?: string) =>
  h.app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${key}`, ...(contentType ? { 'content-type': contentType } : {}) }, payload });
const countMonitors = async (orgId: string) => Number((await h.sql.query<{ n: string }>(`SELECT count(*) AS n FROM encrata_monitors WHERE org_id = $1`, [orgId])).rows[0].n);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('the Encrata document examples, verbatim', () => {
  it('Email monitor', async () => {
    const { key } = await h.tenant();
    const res = await call('POST', '/encrata/api/monitors', key, {
      name: 'Engineering team', monitor_type: 'email', emails: ['satya@microsoft.com', 'sundar@google.com'], frequency: 'monthly', change_detection: 'diff_only',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      id: expect.stringMatching(UUID), name: 'Engineering team', monitor_type: 'email', frequency: 'monthly', change_detection: 'diff_only',
      status: 'active', tracked_fields: [], target_count: 2, next_run_at: '2026-06-15T12:00:00.000Z', created_at: '2026-05-15T12:00:00.000Z',
    });
  });

  it('Domain monitor: the documented response', async () => {
    const { key } = await h.tenant();
    const res = await call('POST', '/encrata/api/monitors', key, {
      name: 'Domain Portfolio', monitor_type: 'domain', targets: ['example.com', 'mysite.io'], frequency: 'weekly', change_detection: 'diff_only',
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      name: 'Domain Portfolio', monitor_type: 'domain', frequency: 'weekly', change_detection: 'diff_only', status: 'active', tracked_fields: [],
      target_count: 2, next_run_at: '2026-05-22T12:00:00.000Z', created_at: '2026-05-15T12:00:00.000Z',
    });
    // snake_case throughout, the document's keys first
    expect(Object.keys(body).slice(0, 10)).toEqual(['id', 'name', 'monitor_type', 'frequency', 'change_detection', 'status', 'tracked_fields', 'target_count', 'next_run_at', 'created_at']);
    expect(Object.keys(body).every((k) => /^[a-z_]+$/.test(k))).toBe(true);
  });

  it('Dark web monitor', async () => {
    const { key } = await h.tenant();
    const res = await call('POST', '/encrata/api/monitors', key, {
      name: 'Brand Leak Watch', monitor_type: 'darkweb', targets: ['acme corp', 'acme.com credentials'], frequency: 'monthly', change_detection: 'diff_only',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ monitor_type: 'darkweb', target_count: 2, status: 'active' });
  });

  it('defaults: email, monthly, diff_only, csv; X-API-Key works too; Enori\'s /api/monitors is unchanged', async () => {
    const { key } = await h.tenant();
    const res = await h.app.inject({ method: 'POST', url: '/encrata/api/monitors', headers: { 'x-api-key': key }, payload: { name: 'd', emails: ['a@example.com'] } });
    expect(res.json()).toMatchObject({ monitor_type: 'email', frequency: 'monthly', change_detection: 'diff_only', data_source_type: 'csv', data_source_ref: null });
    const enori = await call('POST', '/api/monitors', key, { name: 'x', monitor_type: 'email', emails: ['a@example.com'] });
    expect(enori.statusCode).toBe(400);
    expect((await call('GET', '/api/monitors', key)).json().totalCount).toBe(0);
  });
});

describe('validation: 400 with field details, nothing stored', () => {
  it.each([
    [{ name: 'x', emails: ['satya@microsoft.com', 'not an email'] }, '/emails/1'],
    [{ name: 'x', emails: ['Foo <foo@example.com>'] }, '/emails/0'],
    [{ name: 'x', emails: [] }, '/emails'],
    [{ name: 'x' }, '/emails'],
    [{ name: 'x', emails: ['a@example.com', 'A@EXAMPLE.com'] }, '/emails/1'],
    [{ name: 'x', monitor_type: 'phone', targets: ['+1 650 253 0000', '12'] }, '/targets/1'],
    [{ name: 'x', monitor_type: 'phone', targets: ['+16502530000', '+1 (650) 253-0000'] }, '/targets/1'],
    [{ name: 'x', monitor_type: 'ip', targets: ['10.0.0.1', '300.1.1.1'] }, '/targets/1'],
    [{ name: 'x', monitor_type: 'ip', targets: ['::ffff:10.0.0.1', '10.0.0.1'] }, '/targets/1'],
    [{ name: 'x', monitor_type: 'domain', targets: ['https://example.com/'] }, '/targets/0'],
    [{ name: 'x', monitor_type: 'domain', emails: ['a@example.com'] }, '/emails'],
    [{ name: 'x', monitor_type: 'banana', targets: ['x'] }, '/monitor_type'],
    [{ name: 'x', emails: ['a@example.com'], frequency: 'daily' }, '/frequency'],
    [{ name: 'x', emails: ['a@example.com'], change_detection: 'sometimes' }, '/change_detection'],
    [{ name: 'x', emails: ['a@example.com'], data_source_type: 'list' }, '/data_source_ref'],
    [{ name: 'x', emails: ['a@example.com'], tracked_fields: ['/nope'] }, '/tracked_fields/0'],
    [{ name: 'x', emails: ['a@example.com'], tracked_fields: ['mx'] }, '/tracked_fields/0'],
    [{ name: 'x', emails: ['a\u0000@example.com'] }, '/emails/0'],
    [{ name: 'x', emails: ['a@example.com'], colour: 'red' }, ''],
  ])('%j → %s', async (body, field) => {
    const { key, orgId } = await h.tenant();
    const res = await call('POST', '/encrata/api/monitors', key, body);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('VALIDATION_ERROR');
    if (field) expect(res.json().details.map((d: { field: string }) => d.field)).toContain(field);
    expect(await countMonitors(orgId)).toBe(0);
  });
});

describe('lifecycle', () => {
  it('lists, gets, updates, pauses, resumes, runs now and deletes; another organization sees nothing', async () => {
    const { key } = await h.tenant();
    const other = await h.tenant();
    const m = (await call('POST', '/encrata/api/monitors', key, { name: 'P', monitor_type: 'phone', targets: ['+1 650 253 0000'] })).json();
    expect((await call('GET', `/encrata/api/monitors/${m.id}`, other.key)).statusCode).toBe(404);
    expect((await call('GET', '/encrata/api/monitors', other.key)).json().total_count).toBe(0);
    expect((await call('GET', '/encrata/api/monitors?monitor_type=phone', key)).json()).toMatchObject({ total_count: 1, items: [{ id: m.id }] });
    expect((await call('GET', '/encrata/api/monitors?monitor_type=email', key)).json().total_count).toBe(0);

    const updated = await call('PATCH', `/encrata/api/monitors/${m.id}`, key, { name: 'Phones', frequency: 'quarterly', targets: ['+44 20 7946 0958', '+16502530000'], tracked_fields: ['/carrier'] });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({ name: 'Phones', frequency: 'quarterly', target_count: 2, tracked_fields: ['/carrier'], next_run_at: '2026-08-15T12:00:00.000Z' });
    expect((await call('GET', `/encrata/api/monitors/${m.id}/targets`, key)).json().items.map((t: { target: string }) => t.target)).toEqual(['+442079460958', '+16502530000']);
    expect((await call('PATCH', `/encrata/api/monitors/${m.id}`, key, { monitor_type: 'email' })).statusCode).toBe(400);

    expect((await call('POST', `/encrata/api/monitors/${m.id}/pause`, key)).json().status).toBe('paused');
    expect((await call('POST', `/encrata/api/monitors/${m.id}/run`, key)).statusCode).toBe(409);
    expect((await call('POST', `/encrata/api/monitors/${m.id}/resume`, key)).json().status).toBe('active');
    expect((await call('POST', `/encrata/api/monitors/${m.id}/run`, key)).statusCode).toBe(202);

    const target = await call('GET', `/encrata/api/monitors/${m.id}/targets/${encodeURIComponent('+16502530000')}`, key);
    expect(target.json()).toMatchObject({ target: '+16502530000', record: null, enriched_at: null });
    expect((await call('GET', `/encrata/api/monitors/${m.id}/targets/${encodeURIComponent('+15550000000')}`, key)).statusCode).toBe(404);
    expect((await call('GET', `/encrata/api/monitors/${m.id}/targets/${encodeURIComponent('+16502530000')}/changes`, key)).json()).toEqual({ items: [], total_count: 0 });

    expect((await call('DELETE', `/encrata/api/monitors/${m.id}`, other.key)).statusCode).toBe(404);
    expect((await call('DELETE', `/encrata/api/monitors/${m.id}`, key)).statusCode).toBe(204);
    expect((await call('GET', `/encrata/api/monitors/${m.id}`, key)).statusCode).toBe(404);
  });

  it('scopes: monitors:read cannot create; contact lists need their own scope', async () => {
    const { key } = await h.tenant(['monitors:read']);
    expect((await call('POST', '/encrata/api/monitors', key, { name: 'x', emails: ['a@example.com'] })).statusCode).toBe(403);
    expect((await call('GET', '/encrata/api/monitors', key)).statusCode).toBe(200);
    expect((await call('GET', '/encrata/api/contact-lists', key)).statusCode).toBe(403);
    expect((await h.app.inject({ method: 'GET', url: '/encrata/api/monitors' })).statusCode).toBe(401);
  });

  it('rate limits: creations count against the key\'s create-monitor limit (429 with Retry-After)', async () => {
    const { key } = await h.tenant(['*'], 'pro');
    for (let i = 0; i < 10; i++) expect((await call('POST', '/encrata/api/monitors', key, { name: `m${i}`, emails: ['a@example.com'] })).statusCode).toBe(201);
    const limited = await call('POST', '/encrata/api/monitors', key, { name: 'eleventh', emails: ['a@example.com'] });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await call('GET', '/encrata/api/monitors', key)).json().total_count).toBe(10);
  });

  it('plan limits: entity monitors count against the plan\'s monitors, with the uptime monitors', async () => {
    const { key, orgId } = await h.tenant(['*'], 'base');
    // Base allows 10 monitors; the create-monitor rate limit allows fewer a minute, so most are stored directly.
    const store = new EntityMonitorStore(h.sql);
    for (let i = 0; i < 8; i++) await store.create(orgId, { name: `m${i}`, monitorType: 'email', frequency: 'monthly', changeDetection: 'diff_only', trackedFields: [], dataSourceType: 'csv', dataSourceRef: null, targets: ['a@example.com'] }, now, now);
    expect((await call('POST', '/api/monitors', key, { name: 'uptime', type: 'Website', url: 'https://example.com' })).statusCode).toBe(201);
    expect((await call('POST', '/encrata/api/monitors', key, { name: 'tenth', emails: ['a@example.com'] })).statusCode).toBe(201);
    const refused = await call('POST', '/encrata/api/monitors', key, { name: 'one too many', emails: ['a@example.com'] });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('PLAN_LIMIT_EXCEEDED');
  });
});

describe('contact lists and CSV', () => {
  it('a list source: CRUD, entries, type match, another organization\'s list refused, in-use list kept', async () => {
    const { key } = await h.tenant();
    const other = await h.tenant();
    const list = await call('POST', '/encrata/api/contact-lists', key, { name: 'VIPs', entry_type: 'email', entries: ['Ada@Example.com', 'bob@example.com'] });
    expect(list.statusCode).toBe(201);
    expect(list.json()).toMatchObject({ id: expect.stringMatching(UUID), name: 'VIPs', entry_type: 'email', entry_count: 2 });
    const listId = list.json().id;
    expect((await call('POST', '/encrata/api/contact-lists', key, { name: 'bad', entries: ['x@example.com', 'nope'] })).json().details[0].field).toBe('/entries/1');

    const foreign = (await call('POST', '/encrata/api/contact-lists', other.key, { name: 'theirs' })).json();
    const refused = await call('POST', '/encrata/api/monitors', key, { name: 'x', data_source_type: 'list', data_source_ref: foreign.id });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().details[0].field).toBe('/data_source_ref');
    const phones = (await call('POST', '/encrata/api/contact-lists', key, { name: 'phones', entry_type: 'phone' })).json();
    expect((await call('POST', '/encrata/api/monitors', key, { name: 'x', data_source_type: 'list', data_source_ref: phones.id })).statusCode).toBe(400);

    const m = await call('POST', '/encrata/api/monitors', key, { name: 'From list', data_source_type: 'list', data_source_ref: listId });
    expect(m.statusCode).toBe(201);
    expect(m.json()).toMatchObject({ data_source_type: 'list', data_source_ref: listId, target_count: 2 });
    expect((await call('POST', `/encrata/api/contact-lists/${listId}/entries`, key, { entries: ['carol@example.com'] })).json().entry_count).toBe(3);
    expect((await call('GET', `/encrata/api/monitors/${m.json().id}`, key)).json().target_count).toBe(3);
    expect((await call('DELETE', `/encrata/api/contact-lists/${listId}/entries/${encodeURIComponent('ada@example.com')}`, key)).statusCode).toBe(204);
    expect((await call('GET', `/encrata/api/contact-lists/${listId}/entries`, key)).json().items.map((e: { value: string }) => e.value)).toEqual(['bob@example.com', 'carol@example.com']);
    expect((await call('DELETE', `/encrata/api/contact-lists/${listId}`, key)).statusCode).toBe(409);
    expect((await call('PATCH', `/encrata/api/contact-lists/${listId}`, key, { name: 'VIP' })).json().name).toBe('VIP');
    expect((await call('GET', `/encrata/api/contact-lists/${listId}`, other.key)).statusCode).toBe(404);
    expect((await call('DELETE', `/encrata/api/monitors/${m.json().id}`, key)).statusCode).toBe(204);
    expect((await call('DELETE', `/encrata/api/contact-lists/${listId}`, key)).statusCode).toBe(204);
  });

  it('a contact list takes CSV too: bad rows by line, nothing half stored; append keeps one of each', async () => {
    const { key } = await h.tenant();
    const list = (await call('POST', '/encrata/api/contact-lists', key, { name: 'ips', entry_type: 'ip', entries: ['192.0.2.1'] })).json();
    const bad = await call('PUT', `/encrata/api/contact-lists/${list.id}/entries`, key, 'ip\n192.0.2.2\n999.1.1.1\n', 'text/csv');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details).toEqual([{ field: 'line 3', message: expect.stringContaining('IPv4') }]);
    expect((await call('GET', `/encrata/api/contact-lists/${list.id}`, key)).json().entry_count).toBe(1);
    expect((await call('PUT', `/encrata/api/contact-lists/${list.id}/entries?mode=append`, key, '192.0.2.1\n192.0.2.2\n', 'text/csv')).json().entry_count).toBe(2);
    expect((await call('PUT', `/encrata/api/contact-lists/${list.id}/entries`, key, '2001:db8::1\n', 'text/csv')).json().entry_count).toBe(1);
  });

  it('CSV upload: header skipped, quoted cells, bad rows reported by line and nothing half stored', async () => {
    const { key } = await h.tenant();
    const m = (await call('POST', '/encrata/api/monitors', key, { name: 'D', monitor_type: 'domain', targets: ['example.com'] })).json();
    const good = await call('PUT', `/encrata/api/monitors/${m.id}/targets`, key, 'domain,note\nexample.org,first\n"Example.NET","with, comma"\n\nmysite.io\n', 'text/csv');
    expect(good.statusCode).toBe(200);
    expect(good.json().target_count).toBe(3);
    const bad = await call('PUT', `/encrata/api/monitors/${m.id}/targets`, key, 'domain\nexample.com\nnot a domain\nexample.org\nEXAMPLE.com\n', 'text/csv');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details).toEqual([
      { field: 'line 3', message: expect.stringContaining('not a domain') },
      { field: 'line 5', message: expect.stringContaining('duplicates line 2') },
    ]);
    const unparseable = await call('PUT', `/encrata/api/monitors/${m.id}/targets`, key, 'example.com\n"unterminated\n', 'text/csv');
    expect(unparseable.statusCode).toBe(400);
    expect(unparseable.json().details[0].field).toMatch(/^line \d+$/);
    expect((await call('GET', `/encrata/api/monitors/${m.id}/targets`, key)).json().items.map((t: { target: string }) => t.target)).toEqual(['example.org', 'example.net', 'mysite.io']);
    const appended = await call('PUT', `/encrata/api/monitors/${m.id}/targets?mode=append`, key, 'example.com\nexample.org\n', 'text/csv');
    expect(appended.json().target_count).toBe(4);
  });
});

describe('OpenAPI', () => {
  it('documents the surface under its own tag with Bearer auth', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/openapi/v1.json' })).json();
    const post = doc.paths['/encrata/api/monitors'].post;
    expect(post.tags).toEqual(['Encrata entity monitors']);
    expect(post.security).toContainEqual({ bearer: [] });
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.paths['/api/monitors'].post.tags).not.toContain('Encrata entity monitors');
  });
});

describe('route × scope matrix of the /encrata surface', () => {
  it('every route declares a known scope; without a key 401, with a key lacking it 403', async () => {
    const { SCOPES } = await import('../../services/lib/tenancy/scopes.js');
    const routes = h.app.routeScopes.filter((r) => r.url.startsWith('/encrata/'));
    expect(routes.length).toBeGreaterThanOrEqual(20);
    for (const route of routes) {
      expect(SCOPES, `${route.method} ${route.url}`).toContain(route.scope);
      const url = route.url.replace(/:(\w+)/g, 'placeholder');
      const { key } = await h.tenant(SCOPES.filter((s) => s !== '*' && s !== route.scope));
      expect((await h.app.inject({ method: route.method as 'GET', url })).statusCode, `${route.method} ${url} without a key`).toBe(401);
      const res = await h.app.inject({ method: route.method as 'GET', url, headers: { authorization: `Bearer ${key}` } });
      expect(res.statusCode, `${route.method} ${url} without ${route.scope}`).toBe(403);
    }
  });
});
