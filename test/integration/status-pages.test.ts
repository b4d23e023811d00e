/**
 * Status pages (issue 13): the CRUD with bad input, the plan limit and tenant isolation;
 * the public page (HTML, escaping, bars from the rollups, incidents with their timeline,
 * maintenance, password access, custom domains, the cache) and its JSON (the Enori public
 * view, Statuspage-compatible documents checked against Statuspage's documented shapes, the
 * Atom feed), over Postgres and chDB.
 */
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { realService } from '../support/services.js';
import { DAY_MS, agentsPresent, api, createMonitor, insertAutomaticIncident, insertDays, setStatus } from '../support/status-page-fixtures.js';
import { STATUSPAGE_SHAPES, statuspageProblems } from '../support/statuspage-shapes.js';

const databaseUrl = realService('database');
const MIN = 60_000;
let clock = Math.floor(Date.now() / DAY_MS) * DAY_MS + 12 * 3_600_000;
let h: ApiHarness;

beforeAll(async () => {
  h = await startApiHarness({ databaseUrl, now: () => clock });
  await agentsPresent(h);
});
afterAll(async () => h?.close());

const pageCount = async (orgId: string) => Number((await h.sql.query<{ n: string }>(`SELECT count(*) AS n FROM status_pages WHERE org_id = $1`, [orgId])).rows[0].n);
const slug = (name: string) => `${name}-${Math.random().toString(36).slice(2, 8)}`;
const get = (url: string, headers: Record<string, string> = {}) => h.app.inject({ method: 'GET', url, headers });

describe('status pages api', () => {
  it('creates, lists, reads, replaces and deletes pages; the password is stored hashed and never shown', async () => {
    const t = await h.tenant(['status-pages:read', 'status-pages:write', 'monitors:write', 'monitors:read']);
    const api1 = await createMonitor(h, t.key, 'api-server');
    const web = await createMonitor(h, t.key, 'web-frontend');
    const body = {
      slug: slug('acme'), title: 'Acme status', description: 'Our services', visibility: 'password', password: 'correct horse battery',
      components: [{ monitorId: api1, displayName: 'API', group: 'Core' }, { monitorId: web, showUptime: false }],
    };
    const created = await api(h, t.key, 'POST', '/api/status-pages', body);
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    expect(created.json).toMatchObject({
      id: expect.stringMatching(/^sp_/), slug: body.slug, title: 'Acme status', description: 'Our services', customDomain: null, visibility: 'password',
      components: [{ monitorId: api1, displayName: 'API', group: 'Core', showUptime: true }, { monitorId: web, displayName: 'web-frontend', group: null, showUptime: false }],
      url: expect.stringMatching(new RegExp(`/status/${body.slug}$`)),
    });
    expect(JSON.stringify(created.json)).not.toContain('correct horse');
    const stored = (await h.sql.query<{ password_hash: string }>(`SELECT password_hash FROM status_pages WHERE id = $1`, [created.json.id])).rows[0].password_hash;
    expect(stored).toMatch(/^scrypt\$/);
    expect(stored).not.toContain('correct horse');

    const second = await api(h, t.key, 'POST', '/api/status-pages', { slug: slug('second'), title: 'Second', components: [] });
    expect(second.status).toBe(201);
    const list = await api(h, t.key, 'GET', '/api/status-pages?limit=1&offset=1');
    expect(list.json).toEqual({ items: [expect.objectContaining({ id: second.json.id })], totalCount: 2 });

    // PUT without a password keeps the stored one; visibility public drops it.
    const replaced = await api(h, t.key, 'PUT', `/api/status-pages/${created.json.id}`, { ...body, password: undefined, title: 'Acme', components: [{ monitorId: web }] });
    expect(replaced.status, JSON.stringify(replaced.json)).toBe(200);
    expect(replaced.json).toMatchObject({ title: 'Acme', visibility: 'password', components: [{ monitorId: web, displayName: 'web-frontend' }] });
    expect((await h.sql.query(`SELECT password_hash FROM status_pages WHERE id = $1`, [created.json.id])).rows[0]).toEqual({ password_hash: stored });
    const opened = await api(h, t.key, 'PUT', `/api/status-pages/${created.json.id}`, { slug: body.slug, title: 'Acme', visibility: 'public', components: [] });
    expect(opened.json.visibility).toBe('public');
    expect((await h.sql.query(`SELECT password_hash FROM status_pages WHERE id = $1`, [created.json.id])).rows[0]).toEqual({ password_hash: null });

    expect((await api(h, t.key, 'GET', `/api/status-pages/${created.json.id}`)).json.title).toBe('Acme');
    expect((await api(h, t.key, 'DELETE', `/api/status-pages/${created.json.id}`)).status).toBe(204);
    expect((await api(h, t.key, 'GET', `/api/status-pages/${created.json.id}`)).status).toBe(404);
    expect((await get(`/status/${body.slug}`)).statusCode).toBe(404);
  });

  it('refuses bad input with field details and stores nothing', async () => {
    const t = await h.tenant();
    const other = await h.tenant();
    const mine = await createMonitor(h, t.key, 'mine');
    const theirs = await createMonitor(h, other.key, 'theirs');
    const base = { slug: slug('bad'), title: 'T', components: [{ monitorId: mine }] };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ slug: 'Not A Slug' }, '/slug'],
      [{ slug: '-edge' }, '/slug'],
      [{ slug: 'x'.repeat(64) }, '/slug'],
      [{ title: '' }, '/title'],
      [{ title: 'bell\u0007' }, '/title'],
      [{ components: [{ monitorId: theirs }] }, '/components/0/monitorId'],
      [{ components: [{ monitorId: mine }, { monitorId: 'mon_missing' }] }, '/components/1/monitorId'],
      [{ components: [{ monitorId: mine }, { monitorId: mine }] }, '/components/1/monitorId'],
      [{ components: [{ monitorId: mine, displayName: 'y'.repeat(101) }] }, '/components/0/displayName'],
      [{ visibility: 'password' }, '/password'],
      [{ visibility: 'password', password: 'short' }, '/password'],
      [{ password: 'long enough password' }, '/password'],
      [{ visibility: 'secret' }, '/visibility'],
      [{ customDomain: 'not a domain' }, '/customDomain'],
      [{ customDomain: 'localhost' }, '/customDomain'],
      [{ unknownField: 1 }, '/unknownField'],
    ];
    for (const [change, field] of cases) {
      const res = await api(h, t.key, 'POST', '/api/status-pages', { ...base, ...change });
      expect(res.status, `${field} ${JSON.stringify(res.json)}`).toBe(400);
      expect(res.json.details.map((d: { field: string }) => d.field), field).toContain(field);
    }
    expect(await pageCount(t.orgId)).toBe(0);
  });

  it('keeps slugs and custom domains unique across organizations (409)', async () => {
    const a = await h.tenant();
    const b = await h.tenant();
    const s = slug('shared');
    const domain = `status-${Math.random().toString(36).slice(2, 8)}.example.com`;
    expect((await api(h, a.key, 'POST', '/api/status-pages', { slug: s, title: 'A', customDomain: domain.toUpperCase(), components: [] })).json.customDomain).toBe(domain);
    const dupSlug = await api(h, b.key, 'POST', '/api/status-pages', { slug: s, title: 'B', components: [] });
    expect(dupSlug).toMatchObject({ status: 409, json: { code: 'CONFLICT', details: [{ field: '/slug' }] } });
    const dupDomain = await api(h, b.key, 'POST', '/api/status-pages', { slug: slug('other'), title: 'B', customDomain: domain, components: [] });
    expect(dupDomain).toMatchObject({ status: 409, json: { code: 'CONFLICT', details: [{ field: '/customDomain' }] } });
    expect(await pageCount(b.orgId)).toBe(0);
  });

  it('enforces the plan limit (Base 3, Pro 10) in the document\'s words; nothing stored past it', async () => {
    for (const [plan, allowed, upgrade] of [['base', 3, 'Upgrade to Pro for up to 10.'], ['pro', 10, 'Upgrade to Business for up to 50.']] as const) {
      const t = await h.tenant(['*'], plan);
      for (let i = 0; i < allowed; i++) expect((await api(h, t.key, 'POST', '/api/status-pages', { slug: slug(`p${i}`), title: 'P', components: [] })).status).toBe(201);
      const over = await api(h, t.key, 'POST', '/api/status-pages', { slug: slug('over'), title: 'P', components: [] });
      expect(over).toMatchObject({ status: 403, json: { code: 'PLAN_LIMIT_EXCEEDED', error: 'Status page limit exceeded' } });
      expect(over.json.message).toBe(`Your ${plan === 'base' ? 'Base' : 'Pro'} plan allows ${allowed} status pages. ${upgrade}`);
      expect(await pageCount(t.orgId)).toBe(allowed);
    }
  });

  it("never shows or changes another organization's page", async () => {
    const a = await h.tenant();
    const b = await h.tenant();
    const page = await api(h, a.key, 'POST', '/api/status-pages', { slug: slug('private'), title: 'A', components: [] });
    for (const method of ['GET', 'DELETE'] as const) expect((await api(h, b.key, method, `/api/status-pages/${page.json.id}`)).status).toBe(404);
    expect((await api(h, b.key, 'PUT', `/api/status-pages/${page.json.id}`, { slug: slug('x'), title: 'B', components: [] })).status).toBe(404);
    expect((await api(h, b.key, 'GET', '/api/status-pages')).json).toEqual({ items: [], totalCount: 0 });
    expect((await api(h, a.key, 'GET', `/api/status-pages/${page.json.id}`)).json.title).toBe('A');
  });
});

describe('the public page', () => {
  let t: { orgId: string; key: string };
  let core: string;
  let edge: string;
  let pageSlug: string;
  let openIncident: string;

  beforeAll(async () => {
    t = await h.tenant();
    core = await createMonitor(h, t.key, 'core-internal-name');
    edge = await createMonitor(h, t.key, 'edge');
    // core: 90 days, one bad day (2 of 10 down) 3 days ago; edge: 30 days all up.
    await insertDays(h, t.orgId, core, clock, 90, 10, (d) => (d === 3 ? 2 : 0));
    await insertDays(h, t.orgId, edge, clock, 30, 10);
    await setStatus(h, t.orgId, core, 'Down');
    await setStatus(h, t.orgId, edge, 'Up');
    openIncident = await insertAutomaticIncident(h, t.orgId, core, clock, 30 * MIN, null);
    await insertAutomaticIncident(h, t.orgId, core, clock, 3 * DAY_MS, 3 * DAY_MS - 20 * MIN);
    const update = await api(h, t.key, 'POST', `/api/incidents/${openIncident}/updates`, { status: 'Identified', message: 'A <b>bad</b> deploy & rollback' });
    expect(update.status, JSON.stringify(update.json)).toBe(201);
    const window = await api(h, t.key, 'POST', '/api/maintenance-windows', { name: 'DB upgrade <script>', mode: 'mute', startsAt: new Date(clock + DAY_MS).toISOString(), endsAt: new Date(clock + DAY_MS + 60 * MIN).toISOString(), monitorIds: [edge] });
    expect(window.status, JSON.stringify(window.json)).toBe(201);
    pageSlug = slug('public');
    const page = await api(h, t.key, 'POST', '/api/status-pages', {
      slug: pageSlug, title: 'Acme <script>alert(1)</script>', description: 'Fish & "chips"',
      components: [{ monitorId: core, displayName: 'Core <API>', group: 'Backend' }, { monitorId: edge, displayName: 'Edge', group: 'Frontend' }],
    });
    expect(page.status, JSON.stringify(page.json)).toBe(201);
  });

  it('renders the components, 90-day bars, active incidents with their timeline, maintenance and history, escaped', async () => {
    const res = await get(`/status/${pageSlug}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('public, max-age=60');
    expect(res.headers['content-security-policy']).toMatch(/^default-src 'none'; style-src 'unsafe-inline';/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const page = res.body;
    expect(page).toContain('<h1>Acme &lt;script&gt;alert(1)&lt;/script&gt;</h1>');
    expect(page).not.toContain('<script>');
    expect(page).toContain('Fish &amp; &quot;chips&quot;');
    expect(page).toContain('Core &lt;API&gt;');
    expect(page).toContain('A &lt;b&gt;bad&lt;/b&gt; deploy &amp; rollback');
    expect(page).toContain('DB upgrade &lt;script&gt;');
    expect(page).toContain('Partial outage');
    // 90 day cells per component; core's bad day is 80% (red), edge's first 60 days have no data.
    expect(page.match(/<i class=u\d title=/g)).toHaveLength(180);
    const badDay = new Date(clock - 3 * DAY_MS).toISOString().slice(0, 10);
    expect(page).toMatch(new RegExp(`<i class=u5 title="${badDay}: 80.00% uptime; incidents: Core &lt;API&gt; is down"`));
    expect(page).toContain(`title="${new Date(clock - 89 * DAY_MS).toISOString().slice(0, 10)}: no data"`);
    expect(page).toContain('aria-label="Edge: 100% uptime over the last 90 days"');
    // Public words for automatic incidents: never the monitor's own name, target or error.
    expect(page).toContain('Core &lt;API&gt; is down');
    for (const secret of ['core-internal-name', 'internal-', '10.9.8.7', '10.1.2.3', 'ECONNREFUSED']) expect(page, secret).not.toContain(secret);
    expect(page).not.toMatch(/<script|https?:\/\/(?!.*example)[^"]*\.(css|js)/);
  });

  it('serves the Enori public view and Statuspage documents in their documented shapes', async () => {
    const view = await get(`/api/status-pages/${pageSlug}/public`);
    expect(view.statusCode, view.body).toBe(200);
    const v = view.json();
    expect(v).toMatchObject({ slug: pageSlug, status: 'partial_outage', components: [{ id: core, name: 'Core <API>', group: 'Backend', status: 'Down' }, { id: edge, name: 'Edge', status: 'Up', uptimePercentage: 100 }] });
    expect(v.components[0].uptimeDays).toHaveLength(90);
    expect(v.components[0].uptimePercentage).toBeCloseTo((900 - 2) / 900 * 100, 6);
    expect(v.activeIncidents).toEqual([expect.objectContaining({ id: openIncident, status: 'Identified', components: ['Core <API>'] })]);
    expect(v.incidentHistory).toHaveLength(1);
    expect(v.scheduledMaintenance).toEqual([expect.objectContaining({ name: 'DB upgrade <script>', inProgress: false, components: ['Edge'] })]);

    for (const doc of Object.keys(STATUSPAGE_SHAPES) as Array<keyof typeof STATUSPAGE_SHAPES>) {
      const res = await get(`/status/${pageSlug}/api/v2/${doc}`);
      expect(res.statusCode, doc).toBe(200);
      expect(statuspageProblems(doc, res.json()), doc).toEqual([]);
    }
    const summary = (await get(`/status/${pageSlug}/api/v2/summary.json`)).json();
    expect(summary.status).toEqual({ indicator: 'major', description: 'Partial System Outage' });
    expect(summary.page).toMatchObject({ name: 'Acme <script>alert(1)</script>', time_zone: 'Etc/UTC' });
    const byName = Object.fromEntries(summary.components.map((c: { name: string }) => [c.name, c]));
    expect(byName['Core <API>']).toMatchObject({ status: 'major_outage', group: false, group_id: byName.Backend.id });
    expect(byName.Backend).toMatchObject({ group: true, status: 'major_outage', components: [core] });
    expect(byName.Edge.status).toBe('operational');
    expect(summary.incidents).toHaveLength(1);
    expect(summary.incidents[0]).toMatchObject({ id: openIncident, status: 'identified', impact: 'critical' });
    expect(summary.incidents[0].incident_updates.map((u: { status: string }) => u.status)).toEqual(['identified', 'investigating']);
    expect(summary.scheduled_maintenances[0]).toMatchObject({ status: 'scheduled', components: [expect.objectContaining({ id: edge })] });
    const incidents = (await get(`/status/${pageSlug}/api/v2/incidents.json`)).json();
    expect(incidents.incidents.map((i: { status: string }) => i.status).sort()).toEqual(['identified', 'resolved']);
  });

  it('publishes an Atom feed of its incidents, escaped', async () => {
    const res = await get(`/status/${pageSlug}/feed.atom`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/atom\+xml/);
    expect(res.body).toContain('<feed xmlns="http://www.w3.org/2005/Atom">');
    expect(res.body.match(/<entry>/g)).toHaveLength(2);
    expect(res.body).toContain('[Resolved] Core &lt;API&gt; is down');
    expect(res.body).not.toContain('<script>');
  });

  it("shows nothing of another organization's monitors, incidents or maintenance", async () => {
    const other = await h.tenant();
    const theirs = await createMonitor(h, other.key, 'their-secret');
    await insertAutomaticIncident(h, other.orgId, theirs, clock, 10 * MIN, null, 'their incident');
    await api(h, other.key, 'POST', '/api/maintenance-windows', { name: 'their window', mode: 'mute', startsAt: new Date(clock + DAY_MS).toISOString(), endsAt: new Date(clock + 2 * DAY_MS).toISOString(), allMonitors: true });
    // Even a row that claims their monitor on our page (written past the api) is not shown.
    await h.sql.query(`UPDATE status_pages SET components = components || $2::jsonb WHERE slug = $1`, [pageSlug, JSON.stringify([{ monitorId: theirs, displayName: 'Smuggled', group: null, showUptime: true }])]);
    clock += 61_000; // past the cache
    const html = (await get(`/status/${pageSlug}`)).body;
    const json = (await get(`/status/${pageSlug}/api/v2/summary.json`)).body;
    for (const text of ['Smuggled', 'their', theirs]) {
      expect(html, text).not.toContain(text);
      expect(json, text).not.toContain(text);
    }
    await h.sql.query(`UPDATE status_pages SET components = components - (jsonb_array_length(components) - 1) WHERE slug = $1`, [pageSlug]);
  });

  it('shows a window in force as maintenance in progress, its components under maintenance', async () => {
    const window = await api(h, t.key, 'POST', '/api/maintenance-windows', { name: 'Edge swap', mode: 'mute', startsAt: new Date(clock + 10 * DAY_MS).toISOString(), endsAt: new Date(clock + 10 * DAY_MS + 60 * MIN).toISOString(), monitorIds: [edge] });
    expect((await api(h, t.key, 'POST', `/api/maintenance-windows/${window.json.id}/start`, { durationMinutes: 30 })).status).toBe(200);
    clock += 61_000;
    const active = (await get(`/status/${pageSlug}/api/v2/scheduled-maintenances/active.json`)).json();
    expect(statuspageProblems('scheduled-maintenances/active.json', active)).toEqual([]);
    expect(active.scheduled_maintenances).toEqual([expect.objectContaining({ name: 'Edge swap', status: 'in_progress', components: [expect.objectContaining({ id: edge, status: 'under_maintenance' })] })]);
    const page = (await get(`/status/${pageSlug}`)).body;
    expect(page).toContain('<span class="tag">In progress</span>');
    expect(page).toMatch(/<span class="name">Edge<\/span><span class="st Maintenance">Under maintenance<\/span>/);
    expect((await api(h, t.key, 'POST', `/api/maintenance-windows/${window.json.id}/end`)).status).toBe(200);
    await api(h, t.key, 'DELETE', `/api/maintenance-windows/${window.json.id}`);
  });

  it('caches the page for a minute, forgets it on an edit, and serves it gzipped', async () => {
    clock += 61_000;
    const first = await get(`/status/${pageSlug}`, { 'accept-encoding': 'gzip' });
    expect(first.headers['content-encoding']).toBe('gzip');
    const before = (await get(`/status/${pageSlug}`)).body;
    expect(gunzipSync(first.rawPayload).toString()).toBe(before);
    expect(first.rawPayload.length).toBeLessThan(before.length / 4);
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^W\/"[\w-]+"$/);
    expect((await get(`/status/${pageSlug}`, { 'if-none-match': etag })).statusCode).toBe(304);
    const summary = await get(`/status/${pageSlug}/api/v2/summary.json`);
    expect((await get(`/status/${pageSlug}/api/v2/summary.json`, { 'if-none-match': String(summary.headers.etag) })).statusCode).toBe(304);
    await setStatus(h, t.orgId, core, 'Up');
    expect((await get(`/status/${pageSlug}`)).body).toBe(before);
    clock += 61_000;
    const fresh = await get(`/status/${pageSlug}`, { 'if-none-match': etag });
    expect(fresh.statusCode).toBe(200);
    expect(fresh.headers.etag).not.toBe(etag);
    expect(fresh.body).toContain('All systems operational');
    const page = (await api(h, t.key, 'GET', '/api/status-pages')).json.items[0];
    await api(h, t.key, 'PUT', `/api/status-pages/${page.id}`, { slug: pageSlug, title: 'Renamed', components: page.components });
    expect((await get(`/status/${pageSlug}`)).body).toContain('<h1>Renamed</h1>');
  });
});

describe('password pages and custom domains', () => {
  it('ask for the password, keep visitors in with a signed cookie, and refuse JSON without it', async () => {
    const t = await h.tenant();
    const s = slug('locked');
    const page = await api(h, t.key, 'POST', '/api/status-pages', { slug: s, title: 'Locked', visibility: 'password', password: 'open sesame 1', components: [] });
    const anonymous = await get(`/status/${s}`);
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.body).toContain('<form class="login" method="post"');
    expect(anonymous.headers['cache-control']).toBe('private, no-store');
    expect((await get(`/status/${s}/api/v2/summary.json`)).statusCode).toBe(401);
    expect((await get(`/api/status-pages/${s}/public`)).statusCode).toBe(401);
    expect((await get(`/status/${s}/feed.atom`)).statusCode).toBe(401);

    const post = (password: string) => h.app.inject({ method: 'POST', url: `/status/${s}/login`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ password }).toString() });
    const wrong = await post('nope');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('That password is not right.');
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const right = await post('open sesame 1');
    expect(right.statusCode).toBe(303);
    expect(right.headers.location).toBe(`/status/${s}`);
    const cookie = String(right.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly; SameSite=Lax/);
    const jar = cookie.split(';')[0];
    const inside = await get(`/status/${s}`, { cookie: jar });
    expect(inside.statusCode).toBe(200);
    expect(inside.headers['cache-control']).toBe('private, no-store');
    expect((await get(`/status/${s}/api/v2/status.json`, { cookie: jar })).statusCode).toBe(200);
    // A forged or altered cookie does not open it.
    expect((await get(`/status/${s}`, { cookie: jar.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')) })).statusCode).toBe(401);
    // A new password closes it for cookies given for the old one.
    await api(h, t.key, 'PUT', `/api/status-pages/${page.json.id}`, { slug: s, title: 'Locked', visibility: 'password', password: 'a new password 2', components: [] });
    expect((await get(`/status/${s}`, { cookie: jar })).statusCode).toBe(401);
    // Guessing is braked per page and address.
    let last = wrong;
    for (let i = 0; i < 12 && last.statusCode !== 429; i++) last = await post('guess');
    expect(last.statusCode).toBe(429);
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('serve a page at the root of its custom domain and only that page there', async () => {
    const a = await h.tenant();
    const b = await h.tenant();
    const domain = `status-${Math.random().toString(36).slice(2, 8)}.example.org`;
    const s = slug('domain');
    const otherSlug = slug('elsewhere');
    await api(h, a.key, 'POST', '/api/status-pages', { slug: s, title: 'On a domain', customDomain: domain, components: [] });
    await api(h, b.key, 'POST', '/api/status-pages', { slug: otherSlug, title: 'Someone else', components: [] });
    const root = await get('/', { host: domain });
    expect(root.statusCode).toBe(200);
    expect(root.body).toContain('On a domain');
    expect((await get('/', { host: `${domain}:8080` })).statusCode).toBe(200);
    expect((await get(`/status/${otherSlug}`, { host: domain })).statusCode).toBe(404);
    expect((await get(`/status/${otherSlug}`)).body).toContain('Someone else');
    // Any other host has the web dashboard at its root (issue 17), never a status page.
    const other = await get('/', { host: 'unknown.example.net' });
    expect(other.headers['content-type']).toMatch(/^text\/html/);
    expect(other.body).not.toContain('On a domain');
  });
});
