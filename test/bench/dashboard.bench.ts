/**
 * `npm run bench -- dashboard`: the web dashboard's weight and its monitor list at 1,000
 * monitors (issue 17). Weight: the bytes a first visit transfers (index.html plus the assets
 * it names, as Brotli and gzip — what @fastify/static sends — and raw). List: the api on
 * PGlite/chDB in this process, 1,000 Website monitors, headless Chromium (Debian's) signed
 * in; times the list's first screen, a scroll to its end, a search keystroke re-filtering it,
 * checks that Tab walks the windowed rows one by one, and counts
 * long tasks (> 50 ms) over 10 s of live polling, during which nothing changes (ETag → 304).
 */
import { readFileSync, statSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { startApiHarness } from '../support/api-harness.js';
import { DASHBOARD_DIR } from '../../services/api/dashboard.js';
import { pct } from './support/latency.js';

declare const window: any;
declare const document: any;
declare const PerformanceObserver: any;
declare function requestAnimationFrame(cb: () => void): number;

const MONITORS = 1000;
const kib = (n: number) => +(n / 1024).toFixed(1);

// Weight of a first visit.
const html = readFileSync(`${DASHBOARD_DIR}index.html`, 'utf8');
const assets = [...html.matchAll(/(?:src|href)="\/dashboard\/(assets\/[^"]+)"/g)].map((m) => m[1]);
const size = (p: string) => statSync(`${DASHBOARD_DIR}${p}`).size;
const weight = {
  raw: Buffer.byteLength(html) + assets.reduce((s, a) => s + size(a), 0),
  brotli: Buffer.byteLength(html) + assets.reduce((s, a) => s + size(`${a}.br`), 0),
  gzip: Buffer.byteLength(html) + assets.reduce((s, a) => s + size(`${a}.gz`), 0),
};
console.log(`first load: ${assets.length} assets; ${kib(weight.raw)} KiB raw, ${kib(weight.brotli)} KiB brotli, ${kib(weight.gzip)} KiB gzip (index.html uncompressed)`);

const h = await startApiHarness();
const base = await h.app.listen({ host: '127.0.0.1', port: 0 });
const t = await h.tenant();
const keys = [t.key, ...(await Promise.all([1, 2, 3].map(async (i) => (await h.apiKeys.create(t.orgId, `bench-${i}`, ['*'])).plaintext)))];
for (let i = 0; i < MONITORS; i++) {
  const res = await h.app.inject({
    method: 'POST', url: '/api/monitors', headers: { 'x-api-key': keys[i % keys.length] },
    payload: { name: `service-${String(i).padStart(4, '0')} <${i % 7 === 0 ? 'eu' : 'us'}>`, type: 'Website', url: `https://svc-${i}.example.com/health`, tags: [i % 2 ? 'prod' : 'staging'] },
  });
  if (res.statusCode !== 201) throw new Error(`monitor ${i}: ${res.statusCode} ${res.body}`);
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
await page.goto(`${base}/`);
await page.getByLabel('API key').fill(t.key);
// Timed in the page (Playwright's waitFor polls at up to 500 ms): from the click on Sign in to
// the frame where the list is on screen — the table counting all 1,000 (its caption) with its
// first row. The list is windowed (web/src/pages/list-window.ts): that row is the first screenful's.
const listShown = page.evaluate(async (n: number) => {
  let clickedAt = 0;
  document.addEventListener('click', () => { clickedAt ||= performance.now(); }, { capture: true });
  const started = performance.now();
  for (;;) {
    const caption = document.querySelector('table.monitors caption');
    if (clickedAt && caption?.textContent?.startsWith(`${n} of ${n} `) && document.querySelector('table.monitors tbody tr[data-monitor-id]')) return performance.now() - clickedAt;
    if (performance.now() - started > 60_000) throw new Error('the list never came');
    await new Promise<void>((r) => requestAnimationFrame(() => r()));
  }
}, MONITORS);
await page.getByRole('button', { name: 'Sign in' }).click();
const firstRenderMs = Math.round(await listShown);
const rendered = await page.locator('table.monitors tbody tr[data-monitor-id]').count();
if (await page.locator('table.monitors').getAttribute('aria-rowcount') !== String(MONITORS + 1)) throw new Error('aria-rowcount is not the whole list');

// Scrolling to the end: time until the last monitor's row is in the DOM.
const scrollEndMs = await page.evaluate(async (last: number) => {
  const start = performance.now();
  window.scrollTo(0, document.documentElement.scrollHeight);
  while (!document.querySelector(`table.monitors tr[aria-rowindex="${last + 1}"]`)) {
    if (performance.now() - start > 10_000) throw new Error('the last row never came');
    await new Promise<void>((r) => requestAnimationFrame(() => r()));
  }
  return performance.now() - start;
}, MONITORS);
await page.evaluate(() => window.scrollTo(0, 0));

// Keyboard: Tab from the first monitor's link walks row by row past the first window.
const TABS = 80;
await page.locator('table.monitors tr[aria-rowindex="2"] a').focus();
for (let i = 0; i < TABS; i++) await page.keyboard.press('Tab');
const focusedRow = await page.evaluate(() => document.activeElement?.closest('tr')?.getAttribute('aria-rowindex'));
if (focusedRow !== String(TABS + 2)) throw new Error(`${TABS} Tabs from the first row reached row ${focusedRow}, not ${TABS + 2}`);
await page.evaluate(() => window.scrollTo(0, 0));

// Search keystrokes: time from input to the filtered rows in the DOM.
const filterTimes: number[] = [];
for (let i = 0; i < 20; i++) {
  const needle = i % 2 ? `service-0${i}` : '';
  filterTimes.push(await page.evaluate(async (text: string) => {
    const input = document.querySelector('input[type=search]');
    const start = performance.now();
    input.value = text;
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    return performance.now() - start;
  }, needle));
}
filterTimes.sort((a, b) => a - b);

// Live polling for 10 s with nothing changing: long tasks on the main thread.
const longTasks = await page.evaluate(async () => {
  const seen: number[] = [];
  const observer = new PerformanceObserver((list: any) => { for (const e of list.getEntries()) seen.push(e.duration); });
  observer.observe({ type: 'longtask', buffered: false });
  await new Promise((r) => setTimeout(r, 10_000));
  observer.disconnect();
  return seen;
});
await browser.close();
await h.close();

const r = {
  name: 'dashboard', assets: assets.length, firstLoadRawKiB: kib(weight.raw), firstLoadBrotliKiB: kib(weight.brotli), firstLoadGzipKiB: kib(weight.gzip),
  monitors: MONITORS, firstRenderMs, rowsInDom: rendered, scrollEndMs: Math.round(scrollEndMs), filterP50Ms: +pct(filterTimes, 0.5).toFixed(1), filterMaxMs: +filterTimes.at(-1)!.toFixed(1),
  pollingLongTasks: longTasks.length, pollingLongestTaskMs: Math.round(Math.max(0, ...longTasks)),
};
console.log(`1,000 monitors: the list on screen after sign-in in ${r.firstRenderMs} ms (${r.rowsInDom} rows in the DOM); the last row ${r.scrollEndMs} ms after a scroll to the end; search keystroke p50 ${r.filterP50Ms} ms (max ${r.filterMaxMs}); ${r.pollingLongTasks} long tasks in 10 s of polling`);
console.log(`BENCH ${JSON.stringify(r)}`);
