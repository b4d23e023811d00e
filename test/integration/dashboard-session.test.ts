/**
 * The web dashboard's server side (issue 17): the page and its assets at `/`, sign-in with an
 * API key into an HttpOnly SameSite session cookie, CSRF on every change made with the cookie,
 * key scopes and revocation applying to the session, API-key clients unchanged, ETags on the
 * JSON API, and the response-time series the monitor page's chart reads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { realService } from '../support/services.js';
import { api, createMonitor } from '../support/status-page-fixtures.js';
import { NO_DETAILS, type StoredResult } from '../../services/lib/results/types.js';
import { DASHBOARD_DIR } from '../../services/api/dashboard.js';

const databaseUrl = realService('database');
const HOUR = 3_600_000;
const clock = Math.floor(Date.now() / HOUR) * HOUR + 30 * 60_000;

let h: ApiHarness;
let admin: { orgId: string; key: string };

beforeAll(async () => {
  h = await startApiHarness({ databaseUrl, now: () => clock });
  admin = await h.tenant();
});
afterAll(async () => {
  await h?.close();
});

async function signIn(apiKey: string): Promise<{ cookie: string; csrf: string; setCookie: string }> {
  const res = await h.app.inject({ method: 'POST', url: '/api/session', payload: { apiKey } });
  expect(res.statusCode, res.body).toBe(201);
  const setCookie = String(res.headers['set-cookie']);
  return { cookie: setCookie.split(';')[0], csrf: res.json().csrfToken, setCookie };
}

const withCookie = (cookie: string, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, opts: { csrf?: string; body?: unknown } = {}) =>
  h.app.inject({ method, url, headers: { cookie, ...(opts.csrf === undefined ? {} : { 'x-csrf-token': opts.csrf }) }, ...(opts.body === undefined ? {} : { payload: opts.body as object }) });

describe('dashboard page and assets', () => {
  it('serves the built page at / with a policy that forbids inline script, and its hashed assets pre-compressed and cached for good', async () => {
    expect(existsSync(`${DASHBOARD_DIR}index.html`), 'run `npm run build` first').toBe(true);
    const page = await h.app.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const script = page.body.match(/src="(\/dashboard\/assets\/[^"]+\.js)"/)![1];
    const asset = await h.app.inject({ method: 'GET', url: script, headers: { 'accept-encoding': 'br, gzip' } });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-encoding']).toBe('br');
    expect(String(asset.headers['cache-control'])).toContain('immutable');
    expect((await h.app.inject({ method: 'GET', url: '/dashboard/' })).statusCode).toBe(200);
    // The API and its explorer are where they were.
    expect((await h.app.inject({ method: 'GET', url: '/api/monitors' })).statusCode).toBe(401);
    expect((await h.app.inject({ method: 'GET', url: '/openapi/v1.json' })).statusCode).toBe(200);
  });
});

describe('sign-in, session cookie and CSRF', () => {
  it('refuses a wrong key with a field error and sets no cookie', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/api/session', payload: { apiKey: 'phk_nope' } });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'UNAUTHORIZED', details: [{ field: '/apiKey' }] });
    expect(res.headers['set-cookie']).toBeUndefined();
    // Another site's page cannot sign this browser in, even with a good key (login CSRF).
    const foreign = await h.app.inject({ method: 'POST', url: '/api/session', headers: { origin: 'https://evil.example', host: 'pharos.example.com' }, payload: { apiKey: admin.key } });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.headers['set-cookie']).toBeUndefined();
    const own = await h.app.inject({ method: 'POST', url: '/api/session', headers: { origin: 'http://pharos.example.com', host: 'pharos.example.com' }, payload: { apiKey: admin.key } });
    expect(own.statusCode).toBe(201);
    const bad = await h.app.inject({ method: 'POST', url: '/api/session', payload: { apiKey: 'x\u0000'.repeat(500) } });
    expect(bad.statusCode).toBe(400);
  });

  it('sets an HttpOnly SameSite=Strict cookie that reads as the key, and changes need the session\'s CSRF token', async () => {
    const s = await signIn(admin.key);
    expect(s.setCookie).toMatch(/pharos_session=phs_/);
    expect(s.setCookie).toMatch(/HttpOnly/i);
    expect(s.setCookie).toMatch(/SameSite=Strict/i);
    expect(s.setCookie).toMatch(/Path=\//);
    const me = await withCookie(s.cookie, 'GET', '/api/session');
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ orgId: admin.orgId, scopes: ['*'], csrfToken: s.csrf });
    expect((await withCookie(s.cookie, 'GET', '/api/monitors')).statusCode).toBe(200);

    const body = { name: 'csrf-probe', type: 'Website', url: 'https://csrf.example.com/' };
    const missing = await withCookie(s.cookie, 'POST', '/api/monitors', { body });
    expect(missing.statusCode).toBe(403);
    expect(missing.json().code).toBe('CSRF_TOKEN_INVALID');
    const wrong = await withCookie(s.cookie, 'POST', '/api/monitors', { body, csrf: `${s.csrf.slice(0, -1)}${s.csrf.endsWith('A') ? 'B' : 'A'}` });
    expect(wrong.statusCode).toBe(403);
    const listed = await api(h, admin.key, 'GET', '/api/monitors');
    expect(listed.json.items.map((m: { name: string }) => m.name)).not.toContain('csrf-probe');
    const made = await withCookie(s.cookie, 'POST', '/api/monitors', { body, csrf: s.csrf });
    expect(made.statusCode, made.body).toBe(201);
    // Another session's token is not this one's.
    const other = await signIn(admin.key);
    expect((await withCookie(s.cookie, 'DELETE', `/api/monitors/${made.json().id}`, { csrf: other.csrf })).statusCode).toBe(403);
    expect((await withCookie(s.cookie, 'DELETE', `/api/monitors/${made.json().id}`, { csrf: s.csrf })).statusCode).toBe(204);
  });

  it('leaves API-key clients as they were: no cookie, no CSRF token; a key sent with a cookie is the key', async () => {
    const created = await api(h, admin.key, 'POST', '/api/monitors', { name: 'key-client', type: 'Website', url: 'https://key.example.com/' });
    expect(created.status).toBe(201);
    const readOnly = await h.tenant(['monitors:read']);
    const s = await signIn(admin.key);
    // The read-only key wins over the full-access cookie.
    const res = await h.app.inject({ method: 'POST', url: '/api/monitors', headers: { cookie: s.cookie, 'x-api-key': readOnly.key }, payload: { name: 'x', type: 'Website', url: 'https://x.example.com/' } });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('INSUFFICIENT_SCOPE');
  });

  it('applies the key\'s scopes to the session, and ends the session when the key is revoked', async () => {
    const { key: readKey } = await (async () => {
      const r = await api(h, admin.key, 'POST', '/api/keys', { name: 'viewer', scopes: ['monitors:read', 'incidents:read'] });
      expect(r.status).toBe(201);
      return r.json;
    })();
    const s = await signIn(readKey);
    expect((await withCookie(s.cookie, 'GET', '/api/session')).json().scopes).toEqual(['monitors:read', 'incidents:read']);
    const refused = await withCookie(s.cookie, 'POST', '/api/monitors', { csrf: s.csrf, body: { name: 'nope', type: 'Website', url: 'https://n.example.com/' } });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('INSUFFICIENT_SCOPE');
    expect((await withCookie(s.cookie, 'GET', '/api/keys')).statusCode).toBe(403);

    const keyId = (await withCookie(s.cookie, 'GET', '/api/session')).json().keyId;
    expect((await api(h, admin.key, 'DELETE', `/api/keys/${keyId}`)).status).toBe(204);
    expect((await withCookie(s.cookie, 'GET', '/api/session')).statusCode).toBe(401);
    const ended = await withCookie(s.cookie, 'GET', '/api/monitors');
    expect(ended.statusCode).toBe(401);
    expect(ended.json().message).toMatch(/session has expired, was signed out, or its API key was revoked/);
  });

  it('signs out only with the CSRF token; the cookie then stops working', async () => {
    const s = await signIn(admin.key);
    expect((await withCookie(s.cookie, 'DELETE', '/api/session')).statusCode).toBe(403);
    const out = await withCookie(s.cookie, 'DELETE', '/api/session', { csrf: s.csrf });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/pharos_session=;/);
    expect((await withCookie(s.cookie, 'GET', '/api/monitors')).statusCode).toBe(401);
  });

  it('documents the session routes and the cookie scheme in the OpenAPI document', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/openapi/v1.json' })).json();
    expect(Object.keys(doc.paths['/api/session'])).toEqual(expect.arrayContaining(['post', 'get', 'delete']));
    expect(doc.components.securitySchemes.sessionCookie).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'pharos_session' });
    expect(doc.paths['/api/monitors/{id}/response-times'].get).toBeDefined();
  });
});

describe('plan and usage', () => {
  it('gives the plan, its limits and what the organization uses, only with organization:read', async () => {
    const t = await h.tenant(['*'], 'base');
    await createMonitor(h, t.key, 'counted');
    const res = await api(h, t.key, 'GET', '/api/plan');
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    expect(res.json).toMatchObject({ organization: { id: t.orgId }, plan: { id: 'base', name: 'Base' }, limits: { monitors: 10, apiKeys: 2, statusPages: 3 } });
    expect(res.json.usage).toEqual({ monitors: 1, apiKeys: 1, alertChannels: 0, teams: 0, statusPages: 0, escalationPolicies: 0, maintenanceWindows: 0 });
    const other = await h.tenant(['monitors:read'], 'base');
    expect((await api(h, other.key, 'GET', '/api/plan')).status).toBe(403);
  });
});

describe('conditional GETs and the response-time series', () => {
  it('answers an unchanged list 304 by its ETag, and a changed one 200 with a new ETag', async () => {
    const t = await h.tenant();
    const first = await api(h, t.key, 'GET', '/api/monitors');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^W\/"/);
    const again = await h.app.inject({ method: 'GET', url: '/api/monitors', headers: { 'x-api-key': t.key, 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    await createMonitor(h, t.key, 'etag-change');
    const changed = await h.app.inject({ method: 'GET', url: '/api/monitors', headers: { 'x-api-key': t.key, 'if-none-match': etag } });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
  });

  it('gives P50/P95 per region and bucket from the hourly rollup, scoped to the organization', async () => {
    const t = await h.tenant();
    const id = await createMonitor(h, t.key, 'chart');
    const rows: StoredResult[] = [];
    const hourAgo = clock - HOUR - 20 * 60_000;
    for (const [region, base] of [['UsEast', 100], ['EuWest', 200]] as const) {
      for (let i = 0; i < 20; i++) {
        const at = hourAgo + i * 1000;
        const rid = `${id}.${region}.${i}`;
        rows.push({
          ...NO_DETAILS, resultId: rid, jobId: rid, orgId: t.orgId, monitorId: id, region, agentId: 'a1', type: 'Website', scheduledAtMs: at, startedAtMs: at,
          status: 'up', errorKind: '', errorPhase: '', errorMessage: '', dnsMs: 0, connectMs: 0, tlsMs: 0, ttfbMs: 0, transferMs: 0, totalMs: base + (i % 2), statusCode: 200, tlsNotAfterMs: 0, retentionDays: 30,
        });
      }
    }
    await h.results.insertResults(rows);
    const res = await api(h, t.key, 'GET', `/api/monitors/${id}/response-times?period=24h`);
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    expect(res.json).toMatchObject({ monitorId: id, period: '24h', bucketSeconds: 3600 });
    expect(res.json.regions.map((r: { region: string }) => r.region)).toEqual(['EuWest', 'UsEast']);
    for (const [i, base] of [[0, 200], [1, 100]] as const) {
      const [point] = res.json.regions[i].points;
      expect(point).toMatchObject({ at: new Date(Math.floor(hourAgo / HOUR) * HOUR).toISOString(), checks: 20, failures: 0 });
      expect(point.p50ResponseTimeMs).toBeGreaterThanOrEqual(base);
      expect(point.p50ResponseTimeMs).toBeLessThanOrEqual(base + 1);
      expect(point.p95ResponseTimeMs).toBeLessThanOrEqual(base + 1);
    }
    expect((await api(h, t.key, 'GET', `/api/monitors/${id}/response-times?period=90d`)).json.bucketSeconds).toBe(86_400);
    // Many monitors at once, regions merged, for the list's sparklines; another organization sees nothing of it.
    const other = await createMonitor(h, t.key, 'no-data');
    const trends = await api(h, t.key, 'GET', `/api/monitors/response-trends?monitorId=${id}&monitorId=${other}`);
    expect(trends.status, JSON.stringify(trends.json)).toBe(200);
    expect(trends.json.items).toHaveLength(1);
    expect(trends.json.items[0].monitorId).toBe(id);
    expect(trends.json.items[0].points).toHaveLength(1);
    expect(trends.json.items[0].points[0].p50ResponseTimeMs).toBeGreaterThanOrEqual(100);
    expect(trends.json.items[0].points[0].p50ResponseTimeMs).toBeLessThanOrEqual(201);
    expect((await api(h, admin.key, 'GET', `/api/monitors/response-trends?monitorId=${id}`)).json.items).toEqual([]);
    expect((await api(h, t.key, 'GET', '/api/monitors/response-trends')).status).toBe(400);
    expect((await api(h, t.key, 'GET', `/api/monitors/${id}/response-times?period=1y`)).status).toBe(400);
    expect((await api(h, admin.key, 'GET', `/api/monitors/${id}/response-times`)).status).toBe(404);
  });
});
