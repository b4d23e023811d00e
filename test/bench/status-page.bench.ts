/**
 * Public status page: a page of 50 components over 90 days of results (30-minute checks
 * from 2 regions, ~430k rows; the page reads the hourly rollup, 216k rows for these monitors), 30 incidents with updates
 * and 5 maintenance windows, on chDB and Postgres (PHAROS_BENCH_DATABASE_URL, default the local test
 * database). Measures the server's work for an uncached page (read the view, render the
 * HTML) and the pages per second the api serves from its one-minute cache over HTTP, with
 * the load generator on the same 2 cores. Figures, not a pass/fail test.
 * Run: node --import tsx test/bench/status-page.bench.ts [iterations] [seconds]
 */
import { gzipSync } from 'node:zlib';
import { request, Agent } from 'undici';
import { startApiHarness } from '../support/api-harness.js';
import { NO_DETAILS, type StoredResult } from '../../services/lib/results/types.js';
import { AgentPresence } from '../../services/lib/agent-presence.js';
import { loadPageView } from '../../services/status-pages/view.js';
import { SettledDays } from '../../services/status-pages/settled-days.js';
import { renderPage } from '../../services/status-pages/render-page.js';
import { StatusPageStore } from '../../services/status-pages/store.js';
import { IncidentStore } from '../../services/alerting/incident-store.js';
import { loadConfig } from '../../services/lib/config.js';
import { measureLatency, pct } from './support/latency.js';

const DAY = 86_400_000;
const COMPONENTS = 50;
const REGIONS = ['UsEast', 'EuWest'];
const STEP_MS = 30 * 60_000;
const ITERATIONS = Number(process.argv[2] ?? 200);
const SECONDS = Number(process.argv[3] ?? 10);
const CONCURRENCY = 32;

const h = await startApiHarness({ databaseUrl: process.env.PHAROS_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', env: { PHAROS_REGIONS: REGIONS.join(',') } });
const presence = new AgentPresence(h.hotState, 3_600_000, Date.now);
for (const region of REGIONS) await presence.registered(region, { agentId: `agt_${region}`, hostname: 'bench', version: '1' });
const t = await h.tenant();
const post = async (url: string, body: unknown) => {
  const res = await h.app.inject({ method: 'POST', url, headers: { 'x-api-key': t.key }, payload: body as object });
  if (res.statusCode !== 201 && res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
  return res.json();
};

const now = Date.now();
const start = Math.floor(now / DAY) * DAY - 89 * DAY;
const ids: string[] = [];
let rows = 0;
const loadStarted = performance.now();
for (let c = 0; c < COMPONENTS; c++) {
  const m = await post('/api/monitors', { name: `bench-${c}`, type: 'Website', url: `https://svc-${c}.example.com` });
  ids.push(m.id);
  let chunk: StoredResult[] = [];
  for (let ts = start; ts < now; ts += STEP_MS) {
    for (const region of REGIONS) {
      const down = Math.random() < 0.005;
      const id = `${m.id}.${region}.${ts}`;
      chunk.push({
        ...NO_DETAILS, resultId: id, jobId: id, orgId: t.orgId, monitorId: m.id, region, agentId: `agt_${region}`, type: 'Website',
        scheduledAtMs: ts, startedAtMs: ts, status: down ? 'down' : 'up', errorKind: down ? 'timeout' : '', errorPhase: down ? 'ttfb' : '', errorMessage: '',
        dnsMs: 1, connectMs: 5, tlsMs: 10, ttfbMs: 80, transferMs: 4, totalMs: 100, statusCode: down ? 0 : 200, tlsNotAfterMs: 0, retentionDays: 365,
      });
    }
    if (chunk.length >= 20_000) {
      await h.results.insertResults(chunk);
      rows += chunk.length;
      chunk = [];
    }
  }
  await h.results.insertResults(chunk);
  rows += chunk.length;
}
for (let i = 0; i < 30; i++) {
  const inc = await post('/api/incidents', { title: `Incident ${i}: elevated errors`, message: 'We are looking into it.', monitorId: ids[i % COMPONENTS], severity: 'Major' });
  await post(`/api/incidents/${inc.id}/updates`, { status: 'Identified', message: 'Cause found; a fix is rolling out.' });
  if (i >= 3) await post(`/api/incidents/${inc.id}/resolve`, { message: 'Fixed.' });
}
for (let i = 0; i < 5; i++) {
  await post('/api/maintenance-windows', { name: `Maintenance ${i}`, mode: 'mute', startsAt: new Date(now + (i + 1) * DAY).toISOString(), endsAt: new Date(now + (i + 1) * DAY + 3_600_000).toISOString(), monitorIds: ids.slice(i * 10, i * 10 + 10) });
}
const created = await post('/api/status-pages', { slug: 'bench', title: 'Bench status', components: ids.map((monitorId, i) => ({ monitorId, group: `Group ${i % 5}` })) });
const loadMs = performance.now() - loadStarted;
// Merged parts, as a server's background merges keep them: many small inserts otherwise
// leave hundreds of parts that a long-running table would not have.
const exec = (h.results as unknown as { exec: { command(sql: string): Promise<void> } }).exec;
for (const table of ['check_results_v1', 'check_results_hourly_v1']) await exec.command(`OPTIMIZE TABLE pharos.${table} FINAL`);
console.log(`loaded ${rows} results (${COMPONENTS} monitors × 90 days × every 30 min × ${REGIONS.length} regions), 30 incidents, 5 windows in ${(loadMs / 1000).toFixed(1)} s`);

const page = (await new StatusPageStore(h.sql).get(t.orgId, created.id))!;
const deps = { sql: h.sql, monitors: h.monitors, incidents: new IncidentStore(h.sql), results: h.results, hotState: h.hotState, config: loadConfig('dev', { PHAROS_REGIONS: REGIONS.join(',') }) };
const measure = (name: string, fn: () => Promise<unknown> | unknown) => measureLatency(name, ITERATIONS, fn);

const view = await loadPageView(deps, page);
const daily = await measure('dailyChecks: 50 monitors × 90 days from the rollup (chDB)', () => h.results.dailyChecks(t.orgId, ids, start, now));
const read = await measure('read the view (Postgres + chDB rollup)', () => loadPageView(deps, page));
const render = await measure('render the HTML', () => renderPage(view, '/status/bench'));
const uncached = await measure('uncached page: read + render', async () => renderPage(await loadPageView(deps, page), '/status/bench'));
// What the public route does once a minute per page: settled days kept, yesterday and today read.
const settled = new SettledDays(Date.now);
await loadPageView(deps, page, settled);
const settledRead = await measure('uncached page, settled days kept: read + render', async () => renderPage(await loadPageView(deps, page, settled), '/status/bench'));
const html = renderPage(view, '/status/bench');
const htmlBytes = Buffer.byteLength(html);
const gzipBytes = gzipSync(html).length;
console.log(`HTML ${(htmlBytes / 1024).toFixed(1)} KiB (CSS included), gzipped ${(gzipBytes / 1024).toFixed(1)} KiB`);

const base = await h.app.listen({ host: '127.0.0.1', port: 0 });
const dispatcher = new Agent({ connections: CONCURRENCY });
async function throughput(label: string, headers: Record<string, string>) {
  let done = 0;
  const latencies: number[] = [];
  const until = performance.now() + SECONDS * 1000;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (performance.now() < until) {
      const t0 = performance.now();
      const res = await request(`${base}/status/bench`, { headers, dispatcher });
      await res.body.arrayBuffer();
      if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
      latencies.push(performance.now() - t0);
      done++;
    }
  }));
  latencies.sort((a, b) => a - b);
  const r = { pagesPerSecond: Math.round(done / SECONDS), p50: +pct(latencies, 0.5).toFixed(2), p99: +pct(latencies, 0.99).toFixed(2) };
  console.log(`cached over HTTP (${label}), ${CONCURRENCY} concurrent for ${SECONDS} s: ${r.pagesPerSecond} pages/s, client-seen p50 ${r.p50} ms, p99 ${r.p99} ms`);
  return r;
}
const gz = await throughput('gzip', { 'accept-encoding': 'gzip' });
const plain = await throughput('identity', {});

await dispatcher.close();
await h.close();
console.log(`BENCH ${JSON.stringify({
  name: 'status-page', components: COMPONENTS, days: 90, rows, iterations: ITERATIONS,
  dailyChecksP50Ms: daily.p50, dailyChecksP99Ms: daily.p99, readP50Ms: read.p50, readP99Ms: read.p99, renderP50Ms: render.p50, renderP99Ms: render.p99, uncachedP50Ms: uncached.p50, uncachedP99Ms: uncached.p99, settledP50Ms: settledRead.p50, settledP99Ms: settledRead.p99,
  htmlKiB: +(htmlBytes / 1024).toFixed(1), gzipKiB: +(gzipBytes / 1024).toFixed(1),
  cachedGzipPagesPerSecond: gz.pagesPerSecond, cachedGzipP99Ms: gz.p99, cachedPlainPagesPerSecond: plain.pagesPerSecond, cachedPlainP99Ms: plain.p99,
})}`);
