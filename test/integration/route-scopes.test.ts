import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPES } from '../../services/lib/tenancy/scopes.js';
import { startApiHarness, type ApiHarness } from '../support/api-harness.js';

/**
 * Derived from the registered routes: every /api route declares a scope, refuses a missing
 * key (401) and a key without its scope (403 INSUFFICIENT_SCOPE), and a route added
 * without a scope makes the app refuse to start.
 */
let h: ApiHarness;
beforeAll(async () => {
  // A mail sender that accepts everything: the public subscribe route answers 202 only with SMTP configured.
  h = await startApiHarness({ mail: async () => ({ ok: true, statusCode: 250, error: null }) });
  // The public status page view answers 200 for a page that exists (the placeholder slug).
  const { key } = await h.tenant(['*']);
  const res = await h.app.inject({ method: 'POST', url: '/api/status-pages', headers: { 'x-api-key': key }, payload: { slug: 'placeholder', title: 'Placeholder', components: [] } });
  expect(res.statusCode, res.body).toBe(201);
});
afterAll(async () => h?.close());

/** The /api routes open without a key, on purpose (docs/decisions.md, "Public badges" and "Status pages"). */
const PUBLIC_API_ROUTES = ['GET /api/badges/:monitorId/uptime.svg', 'GET /api/badges/:monitorId/status.svg', 'GET /api/status-pages/:slug/public', 'POST /api/status-pages/:slug/subscribe',
  // The dashboard's sign-in takes a key in its body; reading and ending a session need its cookie (routes/session).
  'POST /api/session', 'GET /api/session', 'DELETE /api/session'];

/** What a public route needs to succeed, and its success status, where that is not a bare 200 GET. */
const PUBLIC_CALLS: Record<string, { payload?: object; status: number }> = {
  'POST /api/status-pages/:slug/subscribe': { payload: { email: 'someone@example.test' }, status: 202 },
  'POST /api/session': { payload: { apiKey: 'phk_not_a_key' }, status: 401 },
  'GET /api/session': { status: 401 },
  'DELETE /api/session': { status: 401 },
};

const fill = (url: string) => url.replace(/:(\w+)/g, (_m, name) => (name === 'id' ? 'mon_00000000000000000000000000' : 'placeholder'));

describe('route × scope matrix', () => {
  it('covers the api', () => {
    const api = h.app.routeScopes.filter((r) => r.url.startsWith('/api'));
    expect(api.length).toBeGreaterThanOrEqual(14);
    for (const r of api) {
      if (r.scope === 'public') expect(PUBLIC_API_ROUTES, `${r.method} ${r.url} is public`).toContain(`${r.method} ${r.url}`);
      else expect(SCOPES, `${r.method} ${r.url}`).toContain(r.scope);
    }
  });

  it('serves the public /api routes without a key', async () => {
    const open = h.app.routeScopes.filter((r) => r.url.startsWith('/api') && r.scope === 'public').map((r) => `${r.method} ${r.url}`);
    expect(open.sort()).toEqual([...PUBLIC_API_ROUTES].sort());
    for (const route of open) {
      const [method, url] = route.split(' ');
      const call = PUBLIC_CALLS[route];
      const res = await h.app.inject({ method: method as 'GET', url: fill(url), ...(call?.payload ? { payload: call.payload } : {}) });
      expect(res.statusCode, route).toBe(call?.status ?? 200);
    }
  });

  it('refuses every /api route without a key, and with a key lacking the route scope', async () => {
    const api = h.app.routeScopes.filter((r) => r.url.startsWith('/api') && r.scope !== 'public');
    for (const route of api) {
      const others = SCOPES.filter((s) => s !== '*' && s !== route.scope);
      const { key } = await h.tenant(others);
      const url = fill(route.url);
      const anonymous = await h.app.inject({ method: route.method as 'GET', url });
      expect(anonymous.statusCode, `${route.method} ${url} without a key`).toBe(401);
      const res = await h.app.inject({ method: route.method as 'GET', url, headers: { 'x-api-key': key } });
      expect(res.statusCode, `${route.method} ${url} without ${route.scope}`).toBe(403);
      expect(res.json().code).toBe('INSUFFICIENT_SCOPE');
    }
  });

  it('refuses to start with an /api route that declares no scope', async () => {
    const { default: Fastify } = await import('fastify');
    const { installAuth } = await import('../../services/api/plugins/auth.js');
    const app = Fastify();
    installAuth(app, h.apiKeys);
    expect(() => app.get('/api/unguarded', async () => 'open')).toThrow(/declares no scope/);
    await app.close();
  });
});
