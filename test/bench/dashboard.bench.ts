/**
 * `npm run bench -- dashboard`: the web dashboard's weight and its monitor list at 1,000
 * monitors (issue 17). Weight: the bytes a first visit transfers (index.html plus the assets
 * it names, as Brotli and gzip — what @fastify/static sends — and raw). List: the api on
 * PGlite/chDB in this process, 1,000 Website monitors, headless Chromium (Debian's) signed
 * in; times the first render of all rows, a search keystroke re-filtering them, and counts
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
const t0 = Date.now();
await page.getByRole('button', { name: 'Sign in' }).click();
await page.locator('table.monitors tbody tr').nth(MONITORS - 1).waitFor({ timeout: 60_000 });
const firstRenderMs = Date.now() - t0;

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
  monitors: MONITORS, firstRenderMs, filterP50Ms: +pct(filterTimes, 0.5).toFixed(1), filterMaxMs: +filterTimes.at(-1)!.toFixed(1),
  pollingLongTasks: longTasks.length, pollingLongestTaskMs: Math.round(Math.max(0, ...longTasks)),
};
console.log(`1,000 monitors: all rows after sign-in in ${r.firstRenderMs} ms; search keystroke p50 ${r.filterP50Ms} ms (max ${r.filterMaxMs}); ${r.pollingLongTasks} long tasks in 10 s of polling`);
console.log(`BENCH ${JSON.stringify(r)}`);
