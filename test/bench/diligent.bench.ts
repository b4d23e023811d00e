/**
 * Diligent executions per minute per worker: monitorings with all four checks against fixture
 * websites (HTTPS with a local CA, the DNS and RDAP stand-ins, Shopify/WooCommerce catalogs),
 * through the real path — scan loop, in-process work queue, worker, PGlite store, SSRF guard.
 * The fixture servers run in this process too, so their TLS handshakes and DNS answers share
 * the worker's CPU (a pessimistic figure). Prints executions/min, execution time percentiles,
 * and memory: RSS and heap at the peak, and the heap per execution in flight. Figures, not a test.
 *
 *   node --import tsx test/bench/diligent.bench.ts [--sites 100] [--rounds 3] [--concurrency 16]
 */
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { filler, html, startFixtureInternet, type FixtureSite } from '../support/diligent-sites.js';
import { openControlPlane } from '../support/api-harness.js';
import { createLogger } from '../../services/lib/logger.js';
import { MemoryJobBus } from '../../services/lib/adapters/memory/job-bus.js';
import { OrganizationStore } from '../../services/lib/tenancy/organizations.js';
import { MonitoringStore } from '../../services/diligent/store.js';
import { diligentSubjects } from '../../services/diligent/subjects.js';
import { createDiligentScheduler } from '../../services/diligent/scheduler.js';
import { startDiligentWorker, type RunChecks } from '../../services/diligent/worker.js';
import { createRiskCheckRunner } from '../../services/diligent/checks/index.js';
import { CHECK_NAMES } from '../../services/diligent/contract.js';
import { pct } from './support/latency.js';

const { values: args } = parseArgs({ options: { sites: { type: 'string', default: '100' }, rounds: { type: 'string', default: '3' }, concurrency: { type: 'string', default: '16' } } });
const siteCount = Number(args.sites);
const rounds = Number(args.rounds);
const concurrency = Number(args.concurrency);

function site(i: number): FixtureSite {
  const text = filler(300);
  switch (i % 5) {
    case 0: return { pages: { '/': { body: html(`Shop ${i}`, `<p>${text}</p><a href="/about">About</a><a href="/products">Products</a>`) }, '/about': { body: html('About', `<p>${filler(200)}</p>`) }, '/products': { body: html('Products', `<p>${filler(200)}</p>`) },
      '/products.json?limit=250': { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ products: Array.from({ length: 40 }, (_, k) => ({ title: k % 7 === 0 ? `Gift card ${k}` : `Oak chair ${k}`, handle: `p${k}`, product_type: 'Furniture', tags: ['wood'], variants: [{ price: '99.00' }] })) }) } } };
    case 1: return { pages: { '/': { body: html(`Casino ${i}`, `<p>Online casino with free spins, roulette, blackjack and sports betting. ${text}</p><a href="/terms">Terms</a>`) }, '/terms': { body: html('Terms', `<p>${filler(400)}</p>`) } } };
    case 2: return { pages: { '/': { body: html('for sale', '<h1>This domain is for sale</h1><p>Make an offer on this domain.</p>') } } };
    case 3: return { pages: { '/': { body: html(`News ${i}`, `<article><p>${filler(800, 'the council met on tuesday to discuss roads schools and the budget')}</p></article>`) }, '/robots.txt': { headers: { 'content-type': 'text/plain' }, body: 'User-agent: *\nDisallow: /private/\n' } } };
    default: return { pages: { '/': { body: html(`Metals ${i}`, `<p>${text}</p>`) }, '/wp-json/wc/store/v1/products?per_page=100': { headers: { 'content-type': 'application/json' }, body: JSON.stringify(Array.from({ length: 30 }, (_, k) => ({ name: k % 3 ? `Silver coin ${k}` : `Display case ${k}`, permalink: `https://x/p${k}`, categories: [{ name: 'Coins' }], prices: { price: '3000' } }))) } } };
  }
}

const sites = Object.fromEntries(Array.from({ length: siteCount }, (_, i) => [`s${i}.bench.test`, site(i)]));
const net = await startFixtureInternet(sites, { timeoutMs: 10_000 });
const { sql, drop } = await openControlPlane(undefined);
const store = new MonitoringStore(sql);
const orgId = (await new OrganizationStore(sql).create('bench', 'unlimited')).id;
const bus = new MemoryJobBus();
const subjects = diligentSubjects('bench');
const logger = createLogger('silent');
const runner = createRiskCheckRunner(net.deps);
const durations: number[] = [];
let inFlight = 0;
let peakInFlight = 0;
let peakRss = 0;
let peakHeap = 0;
const sample = () => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
};
const timed: RunChecks = async (request, signal) => {
  inFlight++;
  peakInFlight = Math.max(peakInFlight, inFlight);
  const t0 = performance.now();
  try {
    return await runner(request, signal);
  } finally {
    durations.push(performance.now() - t0);
    inFlight--;
    sample();
  }
};

const ids: string[] = [];
const now = Date.now();
for (const host of Object.keys(sites)) {
  const m = await store.create({ id: randomUUID(), orgId, website: net.url(host), canonicalOrigin: host, checks: [...CHECK_NAMES], frequency: 'weekly', nextRunAtMs: now + 7 * 86_400_000, runRequested: false, expiresAtMs: now + 180 * 86_400_000, nowMs: now });
  ids.push(m!.id);
}
const scheduler = createDiligentScheduler({ sql, store, bus, subjects, logger });
const worker = await startDiligentWorker({ store, bus, subjects, runChecks: timed, logger, concurrency });

const completed = async () => Number((await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM diligent_executions WHERE status = 'completed'`)).rows[0].n);
global.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const rssBefore = process.memoryUsage().rss;
const sampler = setInterval(sample, 50);
const verdicts: Record<string, number> = {};
let total = 0;
const t0 = performance.now();
for (let r = 0; r < rounds; r++) {
  const t = Date.now();
  for (const id of ids) await store.requestRun(orgId, id, t);
  await scheduler.step();
  total += ids.length;
  while ((await completed()) < total) await new Promise((res) => setTimeout(res, 20));
}
const seconds = (performance.now() - t0) / 1000;
clearInterval(sampler);
for (const row of (await sql.query<{ results: Array<{ check: string; verdict: string }> }>(`SELECT results FROM diligent_executions`)).rows) {
  for (const f of row.results) verdicts[`${f.check}:${f.verdict}`] = (verdicts[`${f.check}:${f.verdict}`] ?? 0) + 1;
}
durations.sort((a, b) => a - b);
const perMinute = Math.round((total / seconds) * 60);
const mib = (b: number) => Math.round(b / 1024 / 1024);
const figures = {
  bench: 'diligent', executions: total, sites: siteCount, concurrency, perMinute, seconds: +seconds.toFixed(1),
  p50ms: Math.round(pct(durations, 0.5)), p99ms: Math.round(pct(durations, 0.99)), peakInFlight,
  rssBeforeMiB: mib(rssBefore), peakRssMiB: mib(peakRss), peakHeapMiB: mib(peakHeap), heapPerRunMiB: +((peakHeap - heapBefore) / Math.max(1, peakInFlight) / 1024 / 1024).toFixed(2),
};
console.log(`${total} executions (4 checks each) in ${figures.seconds} s: ${perMinute}/min; run p50 ${figures.p50ms} ms, p99 ${figures.p99ms} ms; RSS ${figures.rssBeforeMiB} MiB before (PGlite, fixtures) → peak ${figures.peakRssMiB} MiB, heap ${figures.peakHeapMiB} MiB (~${figures.heapPerRunMiB} MiB per run in flight)`);
console.log(JSON.stringify(verdicts));
console.log(`BENCH ${JSON.stringify(figures)}`);
await worker.stop();
await net.close();
await bus.close();
await drop();
process.exit(0);
