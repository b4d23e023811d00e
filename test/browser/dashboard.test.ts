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
    expect(await page.locator('table.results tbody tr').first().textContent()).toMatch(/unexpected_status/);
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

    await go(page, '#/alert-rules', 'Alert rules');
    await page.getByLabel('Name', { exact: true }).fill('Production down');
    await page.getByRole('button', { name: 'Create rule' }).click();
    expect(await page.locator('[data-field-error=channelIds]').textContent()).toBe('choose at least one channel');
    await page.getByRole('group', { name: 'Channels' }).getByLabel('On-call hook').check();
    await page.getByRole('button', { name: 'Create rule' }).click();
    await page.locator('tbody th', { hasText: 'Production down' }).waitFor();
    expect(await seriousViolations(page, 'alert-rules')).toEqual([]);

    await go(page, '#/escalation-policies', 'Escalation policies');
    await page.getByLabel('Name', { exact: true }).fill('Wake someone');
    await page.getByLabel('Minutes unacknowledged before this step').fill('10');
    await page.getByRole('group', { name: 'Notify' }).getByLabel('On-call hook').check();
    await page.getByRole('button', { name: 'Create policy' }).click();
    await page.locator('tbody th', { hasText: 'Wake someone' }).waitFor();
    expect(await seriousViolations(page, 'escalation-policies')).toEqual([]);

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
    await dark.page.getByRole('heading', { name: 'Checkout <API>', level: 1 }).waitFor();
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
});
