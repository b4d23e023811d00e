/**
 * Stats latency: one monitor with 30 days of 1-minute results in 3 regions (~130k rows),
 * between neighbours with as much data in the same org, on chDB.
 * Run: node --import tsx test/bench/stats.bench.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ChdbExecutor } from '../../services/lib/adapters/chdb/executor.js';
import { ClickHouseResultStore } from '../../services/lib/results/store.js';
import { NO_DETAILS, type StoredResult } from '../../services/lib/results/types.js';
import { measureLatency } from './support/latency.js';

const DAY = 86_400_000;
const REGIONS = ['EuWest', 'UsEast', 'ApSouth'];
const MONITORS = ['mon_a', 'mon_b', 'mon_target', 'mon_y', 'mon_z'];
const TARGET = 'mon_target';
const ITERATIONS = Number(process.argv[2] ?? 200);

const dir = mkdtempSync(path.join(tmpdir(), 'pharos-stats-bench-'));
const exec = ChdbExecutor.open(dir);
const store = new ClickHouseResultStore(exec, 'pharos_bench');
await store.migrate();

const end = Math.floor(Date.now() / 60_000) * 60_000;
const start = end - 30 * DAY;
let rows = 0;
const loadStarted = performance.now();
for (const monitorId of MONITORS) {
  for (let t = start; t < end; t += DAY) {
    const chunk: StoredResult[] = [];
    for (let m = t; m < t + DAY; m += 60_000) {
      for (const region of REGIONS) {
        const down = Math.random() < 0.01;
        const totalMs = 20 + Math.random() * 200 + (Math.random() < 0.05 ? 1000 : 0);
        chunk.push({
          ...NO_DETAILS,
          resultId: `${monitorId}_${region}_${m}`, jobId: `${monitorId}_${region}_${m}`, orgId: 'org_bench', monitorId, region,
          agentId: `agent-${region}`, type: 'Website', scheduledAtMs: m, startedAtMs: m + Math.floor(Math.random() * 50),
          status: down ? 'down' : Math.random() < 0.001 ? 'skipped' : 'up', errorKind: down ? 'timeout' : '', errorPhase: down ? 'ttfb' : '',
          errorMessage: down ? 'timed out' : '', dnsMs: 1, connectMs: 5, tlsMs: 10, ttfbMs: totalMs - 20, transferMs: 4, totalMs,
          statusCode: down ? 0 : 200, tlsNotAfterMs: end + 60 * DAY, retentionDays: 90,
        });
      }
    }
    await store.insertResults(chunk);
    rows += chunk.length;
  }
}
const loadMs = performance.now() - loadStarted;
await exec.command('OPTIMIZE TABLE pharos_bench.check_results_v1 FINAL');
console.log(`loaded ${rows} rows (${MONITORS.length} monitors × 30 days × 1/min × ${REGIONS.length} regions) in ${(loadMs / 1000).toFixed(1)} s (${Math.round(rows / (loadMs / 1000))} rows/s)`);

const measure = (name: string, fn: () => Promise<unknown> | unknown) => measureLatency(name, ITERATIONS, fn);

const stats30d = await measure('monitorStats 30 days', () => store.monitorStats({ orgId: 'org_bench', monitorId: TARGET, fromMs: start, toMs: end }));
const stats24h = await measure('monitorStats 24 hours', () => store.monitorStats({ orgId: 'org_bench', monitorId: TARGET, fromMs: end - DAY, toMs: end }));
const uptime = await measure('uptimeByMonitor 5 monitors, 30 days', () => store.uptimeByMonitor('org_bench', MONITORS, start + 1234));
const sample = await store.monitorStats({ orgId: 'org_bench', monitorId: TARGET, fromMs: start, toMs: end });
console.log(`target: ${sample.totalChecks} checks, uptime ${sample.uptimePercentage?.toFixed(3)} %, p95 ${sample.p95ResponseTimeMs?.toFixed(1)} ms`);

await store.close();
rmSync(dir, { recursive: true, force: true });
console.log(`BENCH ${JSON.stringify({ name: 'stats', engine: 'chdb', rows, targetRows: sample.totalChecks, iterations: ITERATIONS, stats30dP50Ms: stats30d.p50, stats30dP99Ms: stats30d.p99, stats24hP50Ms: stats24h.p50, stats24hP99Ms: stats24h.p99, uptimeP50Ms: uptime.p50, uptimeP99Ms: uptime.p99 })}`);
