/**
 * The web dashboard end to end in headless Chromium (Debian's chromium driven by
 * playwright-core) against `pharos dev` as a child process, the way a newcomer runs it:
 * sign in with the printed key; create a Website monitor through the form against a local
 * target (an API field error shown at its field first); watch it turn Up without a reload;
 * make the target fail and see it turn Down and the incident appear; acknowledge, post an
 * update and resolve it; create an alert channel and send a test; create an API key, sign in
 * with it (read-only: no write controls, and the API refuses a change), revoke it; axe-core
 * finds no serious or critical violation on each page (light and dark); the page fits a
 * phone; screenshots are saved under test-artifacts/dashboard/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { apiClient, startPharos, type PharosProcess } from '../support/processes.js';
import { startSwitchableTarget, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

declare const window: any;
declare const document: any;
declare function fetch(url: string, init?: unknown): Promise<any>;
declare function getComputedStyle(element: unknown): { backgroundColor: string };

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.resolve('test-artifacts/dashboard');
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const TIME_ZONE = 'Asia/Tokyo';

/** The dashboard is served from its build; rebuild it when a source under web/ is newer (a fresh checkout's `npm install` builds it anyway). */
function ensureBuilt(): void {
  const built = path.resolve('dist/dashboard/index.html');
  const newest = (readdirSync(path.resolve('web'), { recursive: true, withFileTypes: true }) as Array<{ isFile(): boolean; parentPath: string; name: string }>)
    .filter((e) => e.isFile()).reduce((max, e) => Math.max(max, statSync(path.join(e.parentPath, e.name)).mtimeMs), 0);
  if (!existsSync(built) || statSync(built).mtimeMs < newest) execFileSync(process.execPath, ['deploy/build.mjs'], { stdio: 'inherit' });
}

let proc: PharosProcess;
let base: string;
let adminKey: string;
let browser: Browser;
let target: Awaited<ReturnType<typeof startSwitchableTarget>>;
let receiver: WebhookReceiver;
const dataDir = mkdtempSync(path.join(tmpdir(), 'pharos-dashboard-'));
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  ensureBuilt();
  mkdirSync(ARTIFACTS, { recursive: true });
  target = await startSwitchableTarget();
  receiver = await startWebhookReceiver();
  proc = startPharos(['dev'], { PHAROS_DATA_DIR: dataDir, PHAROS_HTTP_PORT: '0' });
  [, base] = await proc.waitFor(/API: (http:\/\/\S+)/, 60_000);
  [, adminKey] = await proc.waitFor(/Admin API key[^:]*: (\S+)/, 5_000);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await proc?.stop('SIGKILL');
  await target?.close();
  await receiver?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A fresh browser profile; every request must go to the api itself (no CDN, no fonts). */
async function openDashboard(opts: { colorScheme?: 'light' | 'dark'; width?: number } = {}): Promise<{ page: Page; foreign: string[] }> {
  const context = await browser.newContext({ colorScheme: opts.colorScheme ?? 'light', viewport: { width: opts.width ?? 1200, height: 900 }, timezoneId: TIME_ZONE });
  contexts.push(context);
  const page = await context.newPage();
  page.on('dialog', (d) => void d.accept());
  const foreign: string[] = [];
  page.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith('data:')) foreign.push(r.url()); });
  const res = await page.goto(`${base}/`);
  expect(res?.status()).toBe(200);
  return { page, foreign };
}

async function signIn(page: Page, key: string): Promise<void> {
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Monitors', level: 1 }).waitFor();
}

/** axe-core in the page (evaluated over the DevTools protocol, which the page's CSP does not govern). */
async function seriousViolations(page: Page, name: string): Promise<Array<{ id: string; impact: string; nodes: string[] }>> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document);
    return r.violations.map((v: any) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n: any) => n.target.join(' ')) }));
  });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  return violations.filter((v: { impact: string }) => v.impact === 'serious' || v.impact === 'critical');
}

const go = async (page: Page, hash: string, heading: string | RegExp) => {
  await page.evaluate((h: string) => { window.location.hash = h; }, hash);
  await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
};

describe('the dashboard in Chromium', () => {
  let monitorId: string;
  let incidentUrl: string;
  let viewerKey: string;

  it('signs in, creates a Website monitor through the form, and shows it Up, then Down with an incident, without reloading', async () => {
    const { page, foreign } = await openDashboard();
    // The policy forbids inline script.
    await expect(page.addScriptTag({ content: 'window.ran = 1' })).rejects.toThrow();
    expect(await seriousViolations(page, 'sign-in')).toEqual([]);
    await page.getByLabel('API key').fill('phk_wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That API key is not valid, or it was revoked.').waitFor();
    await signIn(page, adminKey);
    // The session is in an HttpOnly cookie: script cannot read it.
    expect(await page.evaluate(() => document.cookie)).toBe('');
    expect(await page.locator('footer').textContent()).toContain(`Times in ${TIME_ZONE}`);
    expect(await seriousViolations(page, 'monitors-empty')).toEqual([]);

    await page.getByRole('link', { name: 'New monitor' }).click();
    await page.getByRole('heading', { name: 'New monitor' }).waitFor();
    // The form's own check, at the field.
    await page.getByLabel('Name', { exact: true }).fill('Checkout <API>');
    await page.getByRole('button', { name: 'Create monitor' }).click();
    expect(await page.locator('[data-field-error=url]').textContent()).toBe('is required for Website monitors');
    expect(await page.getByLabel('URL').getAttribute('aria-invalid')).toBe('true');
    // The API's field error, at the field (the agent manages Connection itself).
    await page.getByLabel('URL').fill(target.url());
    await page.getByLabel('Interval (seconds)').fill('5');
    await page.getByLabel('Request headers').fill('Connection: close');
    await page.getByRole('button', { name: 'Create monitor' }).click();
    await page.locator('[data-field-error=requestHeaders]').waitFor();
    expect(await page.locator('[data-field-error=requestHeaders]').textContent()).toContain('managed by the agent');
    expect(await seriousViolations(page, 'monitor-form-errors')).toEqual([]);
    await page.getByLabel('Request headers').fill('Accept: text/plain');
    // A typed assertion's problem shows on its row.
    await page.getByRole('button', { name: 'Add assertion' }).click();
    const assertion = page.getByRole('group', { name: 'Assertion 1' });
    await assertion.getByLabel('Source').selectOption('JsonPath');
    await page.getByRole('button', { name: 'Create monitor' }).click();
    expect(await page.locator('[data-field-error=assertion-0]').textContent()).toBe('give a JSONPath such as $.status');
    await assertion.getByRole('button', { name: 'Remove assertion 1' }).click();
    await page.getByRole('button', { name: 'Create monitor' }).click();
    await page.getByRole('heading', { name: 'Checkout <API>', level: 1 }).waitFor();
    monitorId = decodeURIComponent(new URL(page.url()).hash.split('/')[2]);
    expect(monitorId).toMatch(/^mon_/);
    const created = await apiClient(base, adminKey)(`/api/monitors/${monitorId}`);
    expect(created.body).toMatchObject({ name: 'Checkout <API>', url: target.url(), intervalSeconds: 5, requestHeaders: { Accept: 'text/plain' } });

    // No reload from here on: a marker set now must survive every update.
    await page.evaluate(() => { window.__stillThisPage = true; });
    await page.locator('#monitor-status', { hasText: /^Up$/ }).waitFor({ timeout: 30_000 });
    await page.locator('table.results tbody tr').first().waitFor();
    await page.locator('.chart canvas').first().waitFor({ timeout: 30_000 });
    expect(await seriousViolations(page, 'monitor-up')).toEqual([]);

    target.healthy = false;
    await page.locator('#monitor-status', { hasText: /^Down$/ }).waitFor({ timeout: 30_000 });
    const incidentLink = page.locator('section[aria-labelledby=mi-h] a').first();
    await incidentLink.waitFor({ timeout: 30_000 });
    // The results table polls on its own (3 s): it may show the failing check a poll after the incident.
    await page.locator('table.results tbody tr').first().filter({ hasText: /unexpected_status/ }).waitFor({ timeout: 30_000 });
    expect(await page.evaluate(() => window.__stillThisPage)).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'monitor-down.png'), fullPage: true });
    incidentUrl = await incidentLink.getAttribute('href') as string;

    // The list shows it Down too, and its name as text, never as markup.
    await go(page, '#/monitors', 'Monitors');
    const row = page.locator(`tr[data-monitor-id="${monitorId}"]`);
    await row.locator('.badge', { hasText: /^Down$/ }).waitFor();
    expect(await row.locator('th a').textContent()).toBe('Checkout <API>');
    // Its response-time trend, with the figures in its label.
    expect(await row.locator('svg.spark').getAttribute('aria-label')).toMatch(/^P50 response time over 24 hours: \d+ to \d+ ms, now \d+ ms$/);
    expect(await seriousViolations(page, 'monitors')).toEqual([]);
    expect(foreign).toEqual([]);
  }, 120_000);

  it('acknowledges the incident, posts an update and resolves it', async () => {
    const { page } = await openDashboard();
    await signIn(page, adminKey);
    await go(page, '#/incidents', 'Incidents');
    await page.locator('tr[data-incident-id]').first().waitFor();
    expect(await seriousViolations(page, 'incidents')).toEqual([]);
    // Older incidents by a range of days (GET /api/incidents?from=&to=): the form's check first.
    await page.getByLabel('Started from (day)').fill('2031-01-02');
    await page.getByLabel('to (day, included)').fill('2031-01-01');
    await page.getByRole('button', { name: 'Show incidents' }).click();
    expect(await page.locator('[data-field-error=inc-from]').textContent()).toBe('the first day comes before the last');
    await page.getByLabel('Started from (day)').fill('2020-01-01');
    await page.getByLabel('to (day, included)').fill(await page.evaluate(() => new Date().toLocaleDateString('en-CA')));
    await page.getByRole('button', { name: 'Show incidents' }).click();
    const byDate = page.locator('section[aria-labelledby=older-h] tr[data-incident-id]');
    await byDate.first().waitFor();
    expect(await byDate.first().textContent()).toContain('Checkout <API>');
    await page.locator('section[aria-labelledby=older-h] p', { hasText: /^1 incident started in these days/ }).waitFor();
    expect(await seriousViolations(page, 'incidents-by-date')).toEqual([]);
    await page.evaluate((h: string) => { window.location.hash = h; }, incidentUrl);
    await page.locator('#incident-state', { hasText: /^Open/ }).waitFor();
    expect(await page.locator('h1').textContent()).toContain('Checkout <API>');
    await page.getByRole('heading', { name: 'Evidence' }).waitFor();
    expect(await seriousViolations(page, 'incident-open')).toEqual([]);
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await page.locator('#incident-state', { hasText: /^Acknowledged/ }).waitFor();
    await page.getByLabel('Status').selectOption('Identified');
    await page.getByLabel('Message').fill('The upstream answers 503; rolling back.');
    await page.getByRole('button', { name: 'Post update' }).click();
    await page.locator('ol.updates li', { hasText: 'rolling back' }).waitFor();
    await page.getByRole('button', { name: 'Resolve' }).click();
    await page.locator('#incident-state', { hasText: /^Resolved/ }).waitFor();
    expect(await page.getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);
    const id = decodeURIComponent(incidentUrl.split('/').pop()!);
    const incident = (await apiClient(base, adminKey)(`/api/incidents/${id}`)).body;
    expect(incident).toMatchObject({ status: 'Resolved' });
    expect(incident.acknowledgedAt).not.toBeNull();
    expect(await seriousViolations(page, 'incident-resolved')).toEqual([]);
  }, 60_000);

  it('creates an alert channel, shows its secret once, and sends a test', async () => {
    const { page } = await openDashboard();
    await signIn(page, adminKey);
    await go(page, '#/alert-channels', 'Alert channels');
    await page.getByLabel('Name').fill('On-call hook');
    await page.getByLabel('Type').selectOption('Webhook');
    await page.getByLabel('Webhook URL').fill('ftp://nope');
    await page.getByRole('button', { name: 'Create channel' }).click();
    await page.locator('[data-field-error=webhookUrl]').waitFor();
    await page.getByLabel('Webhook URL').fill(receiver.url);
    await page.getByRole('button', { name: 'Create channel' }).click();
    await page.locator('.secret code', { hasText: /whsec_/ }).waitFor();
    const row = page.locator('tr[data-channel-id]', { hasText: 'On-call hook' });
    await row.waitFor();
    const before = receiver.received.length;
    await row.getByRole('button', { name: 'Send test to On-call hook' }).click();
    await row.locator('.test-result', { hasText: /^Delivered/ }).waitFor({ timeout: 15_000 });
    expect(receiver.received.length).toBeGreaterThan(before);
    expect(await seriousViolations(page, 'alert-channels')).toEqual([]);
  }, 60_000);

  it('creates an API key shown once; a read-only key sees no write controls and the API refuses it; revoking ends it', async () => {
    const { page } = await openDashboard();
    await signIn(page, adminKey);
    await go(page, '#/keys', 'API keys');
    await page.getByLabel('Name').fill('Viewer');
    await page.getByLabel('monitors:read').check();
    await page.getByLabel('incidents:read').check();
    await page.getByLabel('alert-channels:read').check();
    await page.getByRole('button', { name: 'Create key' }).click();
    viewerKey = (await page.locator('#new-key').textContent())!;
    expect(viewerKey).toMatch(/^phk_/);
    const listed = page.locator('tr[data-key-id]', { hasText: 'Viewer' });
    await listed.waitFor();
    expect(await listed.locator('code').textContent()).not.toBe(viewerKey);
    expect(await page.locator('table').textContent()).not.toContain(viewerKey);
    expect(await seriousViolations(page, 'api-keys')).toEqual([]);

    const viewer = await openDashboard();
    await signIn(viewer.page, viewerKey);
    expect(await viewer.page.getByRole('link', { name: 'New monitor' }).count()).toBe(0);
    expect(await viewer.page.getByRole('link', { name: 'API keys' }).count()).toBe(0);
    await go(viewer.page, `#/monitors/${encodeURIComponent(monitorId)}`, 'Checkout <API>');
    await viewer.page.locator('table.results tbody tr').first().waitFor();
    for (const name of ['Edit', 'Pause', 'Resume', 'Check now', 'Delete']) expect(await viewer.page.getByRole('button', { name }).or(viewer.page.getByRole('link', { name })).count(), name).toBe(0);
    await viewer.page.evaluate((h: string) => { window.location.hash = h; }, incidentUrl);
    await viewer.page.locator('#incident-state').waitFor();
    expect(await viewer.page.getByRole('button').filter({ hasText: /Acknowledge|Resolve|Post update/ }).count()).toBe(0);
    await go(viewer.page, '#/alert-channels', 'Alert channels');
    await viewer.page.locator('tr[data-channel-id]').first().waitFor();
    expect(await viewer.page.getByRole('button', { name: /Send a test|Create channel|Delete/ }).count()).toBe(0);
    expect(await seriousViolations(viewer.page, 'read-only-channels')).toEqual([]);
    // The API itself refuses a change made with this session, CSRF token and all.
    const refused = await viewer.page.evaluate(async (id: string) => {
      const { csrfToken } = await (await fetch('/api/session')).json();
      const res = await fetch(`/api/monitors/${id}/pause`, { method: 'POST', headers: { 'x-csrf-token': csrfToken } });
      return { status: res.status, code: (await res.json()).code };
    }, monitorId);
    expect(refused).toEqual({ status: 403, code: 'INSUFFICIENT_SCOPE' });
    // And a change without the token is refused before scopes are even looked at.
    const forged = await page.evaluate(async () => (await fetch('/api/monitors', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status);
    expect(forged).toBe(403);

    await listed.getByRole('button', { name: 'Revoke Viewer' }).click();
    await listed.waitFor({ state: 'detached' });
    expect((await apiClient(base, viewerKey)('/api/monitors')).status).toBe(401);
    const after = await viewer.page.evaluate(async () => (await fetch('/api/monitors')).status);
    expect(after).toBe(401);
  }, 90_000);

  it('creates a status page with the monitor and opens its public page; rules, escalation, maintenance and settings work and pass axe', async () => {
    const { page } = await openDashboard();
    await signIn(page, adminKey);
    await go(page, '#/status-pages', 'Status pages');
    await page.getByLabel('Title').fill('Shop status');
    await page.getByLabel('Address').fill('Not a slug!');
    await page.getByRole('button', { name: 'Create status page' }).click();
    await page.locator('[data-field-error=slug]').waitFor();
    await page.getByLabel('Address').fill('shop');
    await page.getByLabel('Checkout <API>').check();
    await page.getByRole('button', { name: 'Create status page' }).click();
    const row = page.locator('tr[data-status-page-id]', { hasText: 'Shop status' });
    await row.waitFor();
    expect(await seriousViolations(page, 'status-pages')).toEqual([]);
    const [publicPage] = await Promise.all([page.context().waitForEvent('page'), row.getByRole('link', { name: '/status/shop' }).click()]);
    await publicPage.waitForLoadState();
    expect(await publicPage.locator('h1').textContent()).toBe('Shop status');
    expect(await publicPage.locator('.component .name').allTextContents()).toEqual(['Checkout <API>']);
    await publicPage.close();

    // Arrange it: a display name and a group, saved with PUT.
    await row.getByRole('button', { name: 'Edit Shop status' }).click();
    await page.getByRole('heading', { name: 'Edit Shop status' }).waitFor();
    await page.getByLabel('Shown as').fill('Checkout');
    await page.getByLabel('Group').fill('Shop');
    expect(await seriousViolations(page, 'status-page-edit')).toEqual([]);
    await page.getByRole('button', { name: 'Save status page' }).click();
    await row.locator('td', { hasText: /^Checkout$/ }).waitFor();
    const pages = (await apiClient(base, adminKey)('/api/status-pages')).body.items;
    expect(pages.find((p: { slug: string }) => p.slug === 'shop').components).toEqual([expect.objectContaining({ displayName: 'Checkout', group: 'Shop', showUptime: true })]);

    // Password protection and a custom domain, on the same PUT. The editor fills itself from
    // the page when it opens: typing before that render would be overwritten by it.
    await row.getByRole('button', { name: 'Edit Shop status' }).click();
    await page.getByRole('heading', { name: 'Edit Shop status' }).waitFor();
    await page.getByLabel('Custom domain (optional)').fill('Status.Shop.Test.');
    await page.getByRole('radio', { name: 'Visitors with the password' }).check();
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Save status page' }).click();
    expect(await page.locator('[data-field-error=password]').textContent()).toBe('must be 8 to 200 characters');
    await page.getByLabel('Password', { exact: true }).fill('correct horse battery');
    expect(await seriousViolations(page, 'status-page-password')).toEqual([]);
    await page.getByRole('button', { name: 'Save status page' }).click();
    await row.locator('td', { hasText: /^password$/ }).waitFor();
    const shop = (await apiClient(base, adminKey)('/api/status-pages')).body.items.find((p: { slug: string }) => p.slug === 'shop');
    expect(shop).toMatchObject({ visibility: 'password', customDomain: 'status.shop.test', components: [expect.objectContaining({ displayName: 'Checkout', group: 'Shop' })] });
    expect((await fetch(`${base}/status/shop`)).status).toBe(401);
    // Editing again without a new password keeps the current one.
    await row.getByRole('button', { name: 'Edit Shop status' }).click();
    await page.getByLabel('New password (empty keeps the current one)').waitFor();
    await page.getByLabel('Description').fill('Our shop');
    await page.getByRole('button', { name: 'Save status page' }).click();
    await page.getByRole('heading', { name: 'New status page' }).waitFor();
    expect((await apiClient(base, adminKey)(`/api/status-pages/${shop.id}`)).body).toMatchObject({ visibility: 'password', description: 'Our shop' });

    await go(page, '#/alert-rules', 'Alert rules');
    await page.getByLabel('Name', { exact: true }).fill('Production down');
    await page.getByRole('button', { name: 'Create rule' }).click();
    expect(await page.locator('[data-field-error=channelIds]').textContent()).toBe('choose at least one channel');
    await page.getByRole('group', { name: 'Channels' }).getByLabel('On-call hook').check();
    await page.getByRole('button', { name: 'Create rule' }).click();
    const ruleRow = page.locator('tr[data-rule-id]', { hasText: 'Production down' });
    await ruleRow.waitFor();
    expect(await seriousViolations(page, 'alert-rules')).toEqual([]);
    // Edit it: chosen monitors, a type filter, another event; the form's check at the field first.
    await ruleRow.getByRole('button', { name: 'Edit Production down' }).click();
    await page.getByRole('heading', { name: 'Edit Production down' }).waitFor();
    await page.getByRole('radio', { name: 'Only the monitors chosen' }).check();
    await page.getByRole('button', { name: 'Save rule' }).click();
    expect(await page.locator('[data-field-error=monitorIds]').textContent()).toBe('choose at least one monitor');
    await page.getByRole('group', { name: 'Chosen monitors' }).getByLabel('Checkout <API>').check();
    await page.getByRole('group', { name: /^Only monitors of these types/ }).getByLabel('Website').check();
    await page.getByRole('group', { name: 'Events' }).getByLabel('incident.acknowledged').check();
    expect(await seriousViolations(page, 'alert-rule-edit')).toEqual([]);
    await page.getByRole('button', { name: 'Save rule' }).click();
    await ruleRow.locator('td', { hasText: /^Checkout <API>; types Website$/ }).waitFor();
    const rule = (await apiClient(base, adminKey)('/api/alert-rules')).body.items.find((r: { name: string }) => r.name === 'Production down');
    expect(rule).toMatchObject({ monitorIds: [monitorId], monitorTypes: ['Website'], events: ['monitor.down', 'monitor.up', 'incident.acknowledged'], enabled: true });

    // A team member to escalate to, added through the API (Settings adds one through the form below).
    const client = apiClient(base, adminKey);
    const nightShift = (await client('/api/teams', { method: 'POST', body: { name: 'Night shift' } })).body;
    const dana = (await client(`/api/teams/${nightShift.id}/members`, { method: 'POST', body: { name: 'Dana <Ops>', email: 'dana@example.com' } })).body;
    expect(dana.id).toMatch(/^mem_/);
    await go(page, '#/escalation-policies', 'Escalation policies');
    const channelId = rule.channelIds[0];
    await page.getByLabel('Name', { exact: true }).fill('Wake someone');
    const step = (n: number) => page.getByRole('group', { name: `Step ${n}`, exact: true });
    await step(1).getByLabel('On-call hook').check();
    await page.getByRole('button', { name: 'Add step' }).click();
    await step(2).getByLabel('Minutes unacknowledged after step 1').fill('10');
    await page.getByLabel('Repeat the steps this many more times').fill('1');
    await page.getByRole('button', { name: 'Create policy' }).click();
    // The second step notifies no one yet: said at that step.
    expect(await page.locator('[data-field-error=step-1-channels]').textContent()).toBe('choose at least one channel or team member to notify');
    // The second step emails a team member (named as text, not markup) instead of a channel.
    await step(2).getByRole('group', { name: 'Email team members' }).getByLabel('Dana <Ops> <dana@example.com> · Night shift').check();
    await page.getByRole('button', { name: 'Create policy' }).click();
    const policyRow = page.locator('tr[data-policy-id]', { hasText: 'Wake someone' });
    await policyRow.locator('li', { hasText: /^after 10 min: Dana <Ops>$/ }).waitFor();
    expect(await seriousViolations(page, 'escalation-policies')).toEqual([]);
    const created = (await apiClient(base, adminKey)('/api/escalation-policies')).body.items.find((p: { name: string }) => p.name === 'Wake someone');
    expect(created).toMatchObject({ repeatCount: 1, steps: [{ delayMinutes: 0, channelIds: [channelId], memberIds: [] }, { delayMinutes: 10, channelIds: [], memberIds: [dana.id] }] });
    // Edit: change a delay, add a third step, move it up, remove the first.
    await policyRow.getByRole('button', { name: 'Edit Wake someone' }).click();
    await page.getByRole('heading', { name: 'Edit Wake someone' }).waitFor();
    await step(2).getByLabel('Minutes unacknowledged after step 1').fill('20');
    expect(await step(2).getByLabel('Dana <Ops> <dana@example.com> · Night shift').isChecked()).toBe(true);
    await step(2).getByLabel('On-call hook').check();
    await page.getByRole('button', { name: 'Add step' }).click();
    await step(3).getByLabel('Minutes unacknowledged after step 2').fill('45');
    await step(3).getByLabel('On-call hook').check();
    await page.getByRole('button', { name: 'Move up: step 3' }).click();
    await page.getByRole('button', { name: 'Remove step 1' }).click();
    expect(await step(1).getByLabel('Minutes after the incident opens').inputValue()).toBe('45');
    expect(await seriousViolations(page, 'escalation-policy-edit')).toEqual([]);
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.getByRole('heading', { name: 'New policy' }).waitFor();
    expect((await apiClient(base, adminKey)(`/api/escalation-policies/${created.id}`)).body)
      .toMatchObject({ repeatCount: 1, steps: [{ delayMinutes: 45, channelIds: [channelId], memberIds: [] }, { delayMinutes: 20, channelIds: [channelId], memberIds: [dana.id] }] });
    await policyRow.locator('li', { hasText: /^after 20 min: On-call hook, Dana <Ops>$/ }).waitFor();

    await go(page, '#/maintenance', 'Maintenance windows');
    await page.getByLabel('Name', { exact: true }).fill('Database upgrade');
    await page.getByLabel('Starts (your time zone)').fill('2030-01-05T02:00');
    await page.getByLabel('Lasts (minutes)').fill('90');
    await page.getByRole('button', { name: 'Create window' }).click();
    const windowRow = page.locator('tr', { hasText: 'Database upgrade' });
    await windowRow.waitFor();
    // Entered in the viewer's zone (Tokyo, UTC+9): 02:00 there is 17:00 UTC the day before.
    const windows = (await apiClient(base, adminKey)('/api/maintenance-windows')).body.items;
    expect(windows.find((w: { name: string }) => w.name === 'Database upgrade')).toMatchObject({ startsAt: '2030-01-04T17:00:00.000Z', endsAt: '2030-01-04T18:30:00.000Z' });
    expect(await seriousViolations(page, 'maintenance')).toEqual([]);

    // A recurring window: an RRULE, its next occurrences previewed by the API's own schedule module.
    await page.getByLabel('Name', { exact: true }).fill('Weekly patching');
    await page.getByRole('radio', { name: 'Recurring (RRULE)' }).check();
    await page.getByLabel(/^First occurrence/).fill('2030-01-06T03:00');
    expect(await page.getByLabel('Time zone of the rule').inputValue()).toBe(TIME_ZONE);
    await page.getByLabel('Repeats (RRULE)').fill('FREQ=SOMETIMES');
    await page.locator('#mw-preview .error', { hasText: /rrule is not a valid RRULE/ }).waitFor();
    await page.getByRole('button', { name: 'Create window' }).click();
    expect(await page.locator('[data-field-error=rrule]').textContent()).toMatch(/^is not a valid RRULE/);
    await page.getByLabel('Repeats (RRULE)').fill('FREQ=WEEKLY;BYDAY=SU');
    await page.getByLabel('Each lasts (minutes)').fill('45');
    await page.locator('#mw-preview li').nth(4).waitFor();
    // Sundays 03:00 in Tokyo are Saturdays 18:00 UTC, shown as the page shows times.
    const sundays = await page.evaluate(() => ['2030-01-05', '2030-01-12', '2030-01-19', '2030-01-26', '2030-02-02']
      .map((d) => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(`${d}T18:00:00Z`))));
    expect(await page.locator('#mw-preview li').allTextContents()).toEqual(sundays);
    await page.getByRole('radio', { name: 'Monitors with tags' }).check();
    await page.getByLabel('Monitors with these tags').fill('db');
    expect(await seriousViolations(page, 'maintenance-recurring')).toEqual([]);
    await page.getByRole('button', { name: 'Create window' }).click();
    const weekly = page.locator('tr[data-window-id]', { hasText: 'Weekly patching' });
    await weekly.waitFor();
    const recurring = (await apiClient(base, adminKey)('/api/maintenance-windows')).body.items.find((w: { name: string }) => w.name === 'Weekly patching');
    expect(recurring).toMatchObject({ rrule: 'FREQ=WEEKLY;BYDAY=SU', durationMinutes: 45, timezone: TIME_ZONE, startsAt: '2030-01-05T18:00:00.000Z', nextStart: '2030-01-05T18:00:00.000Z', tags: ['db'], allMonitors: false });
    // Edit it into a cron window over the monitor.
    await weekly.getByRole('button', { name: 'Edit Weekly patching' }).click();
    await page.getByRole('heading', { name: 'Edit Weekly patching' }).waitFor();
    expect(await page.getByLabel('Repeats (RRULE)').inputValue()).toBe('FREQ=WEEKLY;BYDAY=SU');
    await page.getByRole('radio', { name: 'Recurring (cron)' }).check();
    await page.getByLabel('Cron expression').fill('0 4 * * 6');
    await page.getByRole('radio', { name: 'Chosen monitors' }).check();
    await page.getByRole('group', { name: 'Chosen monitors' }).getByLabel('Checkout <API>').check();
    await page.getByRole('button', { name: 'Save window' }).click();
    await weekly.locator('td', { hasText: /^cron 0 4 \* \* 6/ }).waitFor();
    expect((await apiClient(base, adminKey)(`/api/maintenance-windows/${recurring.id}`)).body)
      .toMatchObject({ cronExpression: '0 4 * * 6', rrule: null, durationMinutes: 45, monitorIds: [monitorId], tags: [], allMonitors: false });

    await go(page, '#/settings', 'Settings');
    await page.getByRole('heading', { name: 'Plan: Unlimited' }).waitFor();
    await page.getByLabel('Name').fill('SRE');
    await page.getByRole('button', { name: 'Create team' }).click();
    await page.getByRole('button', { name: 'SRE', exact: true }).click();
    await page.getByRole('button', { name: 'Add member' }).waitFor();
    expect(await seriousViolations(page, 'settings')).toEqual([]);
  }, 90_000);

  it('has no serious violations in dark mode and fits a phone', async () => {
    const dark = await openDashboard({ colorScheme: 'dark' });
    await signIn(dark.page, adminKey);
    const background = await dark.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).toBe('rgb(13, 17, 23)');
    await dark.page.locator(`tr[data-monitor-id="${monitorId}"]`).waitFor();
    expect(await seriousViolations(dark.page, 'monitors-dark')).toEqual([]);
    await go(dark.page, `#/monitors/${encodeURIComponent(monitorId)}`, 'Checkout <API>');
    await dark.page.locator('.chart canvas').first().waitFor();
    expect(await seriousViolations(dark.page, 'monitor-dark')).toEqual([]);
    await go(dark.page, `#/monitors/${encodeURIComponent(monitorId)}/edit`, /^Edit /);
    expect(await dark.page.getByLabel('URL').inputValue()).toBe(target.url());
    expect(await seriousViolations(dark.page, 'monitor-edit-dark')).toEqual([]);
    // Saving an edit changes what was edited and keeps the rest (a PUT resets omitted fields).
    await dark.page.getByLabel('Interval (seconds)').fill('10');
    await dark.page.getByRole('button', { name: 'Save' }).click();
    // Exact: the editor's own heading ("Edit Checkout <API>") would match a substring before the save lands.
    await dark.page.getByRole('heading', { name: 'Checkout <API>', exact: true, level: 1 }).waitFor();
    expect((await apiClient(base, adminKey)(`/api/monitors/${monitorId}`)).body).toMatchObject({ intervalSeconds: 10, requestHeaders: { Accept: 'text/plain' }, url: target.url() });
    await go(dark.page, '#/regions', 'Regions');
    await dark.page.locator('tbody tr').first().waitFor();
    expect(await seriousViolations(dark.page, 'regions-dark')).toEqual([]);

    // Keyboard: the first Tab reaches the skip link, which moves focus to the content.
    await dark.page.reload();
    await dark.page.getByRole('heading', { name: 'Regions', level: 1 }).waitFor();
    await dark.page.keyboard.press('Tab');
    expect(await dark.page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await dark.page.keyboard.press('Enter');
    expect(await dark.page.evaluate(() => document.activeElement?.id)).toBe('main');

    const phone = await openDashboard({ width: 375 });
    await signIn(phone.page, adminKey);
    await phone.page.locator(`tr[data-monitor-id="${monitorId}"]`).waitFor();
    const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await phone.page.screenshot({ path: path.join(ARTIFACTS, 'monitors-phone.png'), fullPage: true });
    await go(phone.page, `#/monitors/${encodeURIComponent(monitorId)}`, 'Checkout <API>');
    await phone.page.locator('.chart canvas').first().waitFor();
    const pageOverflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(pageOverflow).toBeLessThanOrEqual(0);
    await phone.page.screenshot({ path: path.join(ARTIFACTS, 'monitor-phone.png'), fullPage: true });
  }, 60_000);

  it('remembers a chosen theme (dark over a light system, light over a dark one), and the alerting pages pass axe in it', async () => {
    const { page } = await openDashboard({ colorScheme: 'light' });
    await signIn(page, adminKey);
    const background = (p: Page) => p.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(await background(page)).toBe('rgb(255, 255, 255)');
    await page.getByLabel('Theme').selectOption('dark');
    expect(await background(page)).toBe('rgb(13, 17, 23)');
    const pages: Array<[string, string, string]> = [
      ['#/alert-rules', 'Alert rules', 'alert-rules-dark'], ['#/escalation-policies', 'Escalation policies', 'escalation-policies-dark'],
      ['#/maintenance', 'Maintenance windows', 'maintenance-dark'], ['#/status-pages', 'Status pages', 'status-pages-dark'], ['#/incidents', 'Incidents', 'incidents-dark'],
    ];
    for (const [hash, heading, name] of pages) {
      await go(page, hash, heading);
      await page.locator('tbody tr').first().waitFor();
      if (hash === '#/maintenance') {
        await page.getByRole('button', { name: 'Edit Weekly patching' }).click();
        await page.locator('#mw-preview li').first().waitFor();
      }
      if (hash === '#/escalation-policies') await page.getByRole('button', { name: 'Add step' }).click();
      expect(await seriousViolations(page, name), name).toEqual([]);
    }
    // Remembered across a reload (localStorage), until System is chosen again.
    await page.reload();
    await page.getByRole('heading', { name: 'Incidents', level: 1 }).waitFor();
    expect(await background(page)).toBe('rgb(13, 17, 23)');
    expect(await page.getByLabel('Theme').inputValue()).toBe('dark');
    await page.getByLabel('Theme').selectOption('system');
    expect(await background(page)).toBe('rgb(255, 255, 255)');
    expect(await page.evaluate(() => window.localStorage.getItem('pharos-theme'))).toBeNull();

    const dark = await openDashboard({ colorScheme: 'dark' });
    await signIn(dark.page, adminKey);
    expect(await background(dark.page)).toBe('rgb(13, 17, 23)');
    await dark.page.getByLabel('Theme').selectOption('light');
    expect(await background(dark.page)).toBe('rgb(255, 255, 255)');
    await go(dark.page, '#/maintenance', 'Maintenance windows');
    await dark.page.locator('tbody tr').first().waitFor();
    expect(await seriousViolations(dark.page, 'maintenance-light-over-dark')).toEqual([]);
  }, 90_000);
});
