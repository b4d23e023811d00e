/**
 * The public status page in headless Chromium (Debian's chromium driven by playwright-core):
 * a page whose data this test created (monitors, 90 days of results in chDB, incidents with
 * timeline updates, a maintenance window) renders its components, bars and incidents; reads
 * the same with JavaScript disabled; fits a phone; passes axe-core with no serious or critical
 * violation in light and dark schemes; screenshots are saved under test-artifacts/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { realService } from '../support/services.js';
import { DAY_MS, agentsPresent, api, createMonitor, insertAutomaticIncident, insertDays, setStatus } from '../support/status-page-fixtures.js';

// Functions passed to page.evaluate run in the browser, whose globals tsconfig (no DOM lib) does not know.
declare const window: unknown;
declare const document: { documentElement: { scrollWidth: number; clientWidth: number }; body: unknown };
declare function getComputedStyle(element: unknown): { backgroundColor: string };

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.resolve('test-artifacts');
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const databaseUrl = realService('database');
const clock = Date.now();

let h: ApiHarness;
let base: string;
let browser: Browser;
let pageUrl: string;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  h = await startApiHarness({ databaseUrl, now: () => clock });
  await agentsPresent(h);
  base = await h.app.listen({ host: '127.0.0.1', port: 0 });
  const t = await h.tenant();
  const names = ['API', 'Website', 'Search', 'Payments <EU>', 'Webhooks'];
  const ids: string[] = [];
  for (const [i, name] of names.entries()) {
    const id = await createMonitor(h, t.key, `browser-${i}`);
    ids.push(id);
    await insertDays(h, t.orgId, id, clock, 90, 24, (d) => (i === 3 && d % 17 === 2 ? 3 : i === 1 && d === 5 ? 1 : 0));
    await setStatus(h, t.orgId, id, i === 3 ? 'Down' : 'Up');
  }
  const open = await insertAutomaticIncident(h, t.orgId, ids[3], clock, 25 * 60_000, null);
  expect((await api(h, t.key, 'POST', `/api/incidents/${open}/updates`, { status: 'Identified', message: 'A card processor in Frankfurt is timing out; we are failing over.' })).status).toBe(201);
  await insertAutomaticIncident(h, t.orgId, ids[3], clock, 19 * DAY_MS, 19 * DAY_MS - 42 * 60_000);
  const manual = await api(h, t.key, 'POST', '/api/incidents', { title: 'Slow search results', message: 'Search answers take several seconds.', monitorId: ids[2], severity: 'Minor' });
  expect((await api(h, t.key, 'POST', `/api/incidents/${manual.json.id}/resolve`, { message: 'The index rebuild finished.' })).status).toBe(200);
  expect((await api(h, t.key, 'POST', '/api/maintenance-windows', {
    name: 'Database upgrade', mode: 'mute', startsAt: new Date(clock + 2 * DAY_MS).toISOString(), endsAt: new Date(clock + 2 * DAY_MS + 3_600_000).toISOString(), monitorIds: [ids[0]],
  })).status).toBe(201);
  const slug = `browser-${Math.random().toString(36).slice(2, 8)}`;
  const created = await api(h, t.key, 'POST', '/api/status-pages', {
    slug, title: 'Acme Cloud', description: 'Live status of Acme Cloud services',
    components: ids.map((monitorId, i) => ({ monitorId, displayName: names[i], group: i < 2 ? 'Core' : 'Services', showUptime: i !== 4 })),
  });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  pageUrl = `${base}/status/${slug}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

async function open(opts: { javaScriptEnabled?: boolean; colorScheme?: 'light' | 'dark'; width?: number; bypassCSP?: boolean } = {}): Promise<Page> {
  // bypassCSP only to inject axe-core: the page's own policy forbids every script.
  const context = await browser.newContext({ bypassCSP: opts.bypassCSP ?? false, javaScriptEnabled: opts.javaScriptEnabled ?? true, colorScheme: opts.colorScheme ?? 'light', viewport: { width: opts.width ?? 1100, height: 900 } });
  const page = await context.newPage();
  // Nothing but the api itself may be asked for: no CDN, no font service.
  const foreign: string[] = [];
  page.on('request', (r) => { if (!r.url().startsWith(base)) foreign.push(r.url()); });
  const res = await page.goto(pageUrl);
  expect(res?.status()).toBe(200);
  expect(foreign).toEqual([]);
  return page;
}

async function axeViolations(page: Page): Promise<Array<{ id: string; impact: string; nodes: number }>> {
  await page.addScriptTag({ content: AXE_SOURCE });
  const result = await page.evaluate(async () => {
    const r = await (window as unknown as { axe: { run(): Promise<{ violations: Array<{ id: string; impact: string; nodes: unknown[] }> }> } }).axe.run();
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

describe('the status page in Chromium', () => {
  it('shows the overall status, components with 90-day bars, incidents with their timeline and maintenance', async () => {
    const page = await open();
    await expect(page.title()).resolves.toBe('Acme Cloud status');
    // The page's policy is in force and allows no script at all.
    await expect(page.addScriptTag({ content: 'window.ran = 1' })).rejects.toThrow();
    expect(await page.locator('h1').textContent()).toBe('Acme Cloud');
    expect(await page.locator('.banner h2').textContent()).toBe('Partial outage');
    expect(await page.locator('.component .name').allTextContents()).toEqual(['API', 'Website', 'Search', 'Payments <EU>', 'Webhooks']);
    expect(await page.locator('h3.group').allTextContents()).toEqual(['Core', 'Services']);
    // Four bars (Webhooks hides its uptime) of 90 visible days each.
    expect(await page.locator('.bar').count()).toBe(4);
    for (const bar of await page.locator('.bar').all()) {
      expect(await bar.locator('i').count()).toBe(90);
      const box = await bar.boundingBox();
      expect(box!.width).toBeGreaterThan(300);
      expect(box!.height).toBeGreaterThan(20);
    }
    const payments = page.locator('.component', { hasText: 'Payments <EU>' });
    expect(await payments.locator('.st').textContent()).toBe('Outage');
    expect(await payments.locator('.bar i.u5').count()).toBeGreaterThan(0);
    expect(await payments.locator('.bar').getAttribute('aria-label')).toMatch(/^Payments <EU>: 9\d\.\d\d% uptime over the last 90 days$/);
    const redDay = payments.locator('.bar i.u5').first();
    expect(await redDay.getAttribute('title')).toMatch(/^\d{4}-\d\d-\d\d: 87\.50% uptime/);
    const active = page.locator('section[aria-labelledby=active] article');
    expect(await active.locator('h3').textContent()).toBe('Payments <EU> is down');
    expect(await active.locator('ol.timeline li').allTextContents()).toEqual([
      expect.stringContaining('A card processor in Frankfurt is timing out'),
      expect.stringContaining('Our monitoring detected that Payments <EU> is down.'),
    ]);
    expect(await page.locator('section[aria-labelledby=maintenance] h3').textContent()).toBe('Database upgrade');
    expect(await page.locator('section[aria-labelledby=history] h3').allTextContents()).toEqual(['Slow search results', 'Payments <EU> is down']);
    await page.screenshot({ path: path.join(ARTIFACTS, 'status-page-light.png'), fullPage: true });
    await page.context().close();
  });

  it('reads the same with JavaScript disabled', async () => {
    const page = await open({ javaScriptEnabled: false });
    expect(await page.locator('.banner h2').textContent()).toBe('Partial outage');
    expect(await page.locator('.component').count()).toBe(5);
    expect(await page.locator('.bar i').count()).toBe(360);
    expect(await page.locator('ol.timeline li').count()).toBeGreaterThanOrEqual(4);
    await page.context().close();
  });

  it('fits a phone without scrolling sideways', async () => {
    const page = await open({ width: 375 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect((await page.locator('.bar').first().boundingBox())!.width).toBeGreaterThan(300);
    await page.screenshot({ path: path.join(ARTIFACTS, 'status-page-phone.png'), fullPage: true });
    await page.context().close();
  });

  it('has no serious or critical accessibility violations (axe-core), in light and dark schemes', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const page = await open({ colorScheme, bypassCSP: true });
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      expect(background, colorScheme).toBe(colorScheme === 'dark' ? 'rgb(13, 17, 23)' : 'rgb(255, 255, 255)');
      expect(await axeViolations(page), colorScheme).toEqual([]);
      await page.screenshot({ path: path.join(ARTIFACTS, `status-page-${colorScheme}-axe.png`), fullPage: true });
      await page.context().close();
    }
  });
});
