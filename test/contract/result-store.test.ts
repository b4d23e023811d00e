/**
 * Contract suite of the results store (DESIGN.md §3): the same ResultStore code over each
 * ClickHouseExecutor. chDB always runs (on a temp dir); a ClickHouse server runs too when
 * PHAROS_TEST_CLICKHOUSE_URL is set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ClickHouseExecutor, ResultStore } from '../../services/lib/ports/results-store.js';
import { NO_DETAILS, type StoredResult } from '../../services/lib/results/types.js';
import { ClickHouseResultStore } from '../../services/lib/results/store.js';
import { HOURLY_TABLE, HOURLY_VIEW, RESULTS_TABLE } from '../../services/lib/results/schema.js';
import { ChdbExecutor } from '../../services/lib/adapters/chdb/executor.js';
import { ClickHouseServerExecutor } from '../../services/lib/adapters/clickhouse/executor.js';
import { serviceUrl, uniqueName } from '../support/services.js';
import { fullStoredResult } from '../support/result-samples.js';

interface Harness {
  exec: ClickHouseExecutor;
  database: string;
  cleanup(): Promise<void>;
}

const HOUR = 3_600_000;
// Whole hours back from now, so rows are inside retention and the rollup's hours are known.
const BASE = Math.floor(Date.now() / HOUR) * HOUR - 6 * HOUR;

let seq = 0;
function result(over: Partial<StoredResult>): StoredResult {
  seq += 1;
  return {
    ...NO_DETAILS,
    resultId: `res_${seq.toString().padStart(6, '0')}_${Math.random().toString(36).slice(2, 8)}`,
    jobId: `job_${seq}`,
    orgId: 'org',
    monitorId: 'mon_a',
    region: 'r1',
    agentId: 'agent-1',
    type: 'Website',
    scheduledAtMs: BASE,
    startedAtMs: BASE,
    status: 'up',
    errorKind: '',
    errorPhase: '',
    errorMessage: '',
    dnsMs: 1.25,
    connectMs: 2.5,
    tlsMs: 3.75,
    ttfbMs: 4,
    transferMs: 0.5,
    totalMs: 12,
    statusCode: 200,
    tlsNotAfterMs: 0,
    retentionDays: 30,
    ...over,
  };
}

/**
 * Monitor mon_a: region r1 has total_ms 1..100 with every tenth check down, region r2 has
 * 101..200 all up; 30 s apart so they span several hours. Skipped checks and a check just
 * outside the window carry outlier timings that would show if they were counted.
 */
function dataset(org: string) {
  const inWindow: StoredResult[] = [];
  for (let i = 1; i <= 100; i++) {
    inWindow.push(result({ orgId: org, region: 'r1', totalMs: i, startedAtMs: BASE + i * 30_000, scheduledAtMs: BASE + i * 30_000 - 5,
      status: i % 10 === 0 ? 'down' : 'up', errorKind: i % 10 === 0 ? 'timeout' : '', errorPhase: i % 10 === 0 ? 'ttfb' : '' }));
    inWindow.push(result({ orgId: org, region: 'r2', totalMs: 100 + i, startedAtMs: BASE + i * 30_000 + 7 }));
  }
  // Unknown time, counted in no figure: skipped jobs and missed slots (zero timings, which would drag averages down).
  const skipped = [
    ...[1, 2, 3, 4, 5].map((i) =>
      result({ orgId: org, region: 'r1', status: 'skipped', errorKind: 'deadline_missed', totalMs: 10_000, startedAtMs: BASE + i * 61_000 })),
    ...[1, 2, 3].map((i) =>
      result({ orgId: org, region: i === 3 ? 'r3' : 'r2', status: 'missed', errorKind: i === 1 ? 'scheduler_down' : 'bus_unavailable', totalMs: 0, statusCode: 0, startedAtMs: BASE + i * 67_000 })),
  ];
  const outside = result({ orgId: org, region: 'r1', status: 'down', totalMs: 99_999, startedAtMs: BASE - 1 });
  const otherMonitor = [1, 2, 3].map((i) => result({ orgId: org, monitorId: 'mon_b', region: 'r1', totalMs: 5_000, status: i === 1 ? 'down' : 'up', startedAtMs: BASE + i * 1000 }));
  return { inWindow, skipped, outside, otherMonitor, all: [...inWindow, ...skipped, outside, ...otherMonitor] };
}

const WINDOW = { fromMs: BASE, toMs: BASE + 2 * HOUR };

/** check_results_v1 as the first release created it: what the oldest data directories hold. */
const FIRST_RELEASE_TABLE = (db: string) => `CREATE TABLE ${db}.${RESULTS_TABLE} (
  result_id String, job_id String CODEC(ZSTD(1)), org_id String, monitor_id String, region LowCardinality(String),
  agent_id LowCardinality(String), type LowCardinality(String), scheduled_at DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
  ts DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1)), status LowCardinality(String), error_kind LowCardinality(String),
  error_phase LowCardinality(String), error_message String CODEC(ZSTD(3)), dns_ms Float64 CODEC(Gorilla, ZSTD(1)),
  connect_ms Float64 CODEC(Gorilla, ZSTD(1)), tls_ms Float64 CODEC(Gorilla, ZSTD(1)), ttfb_ms Float64 CODEC(Gorilla, ZSTD(1)),
  transfer_ms Float64 CODEC(Gorilla, ZSTD(1)), total_ms Float64 CODEC(Gorilla, ZSTD(1)), status_code UInt16,
  tls_not_after DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)), retention_days UInt16,
  ingested_at DateTime64(3, 'UTC') DEFAULT now64(3) CODEC(Delta, ZSTD(1)),
  INDEX result_id_bloom result_id TYPE bloom_filter(0.001) GRANULARITY 1
) ENGINE = ReplacingMergeTree PARTITION BY toYYYYMM(ts) PRIMARY KEY (org_id, monitor_id, ts)
ORDER BY (org_id, monitor_id, ts, result_id) TTL toDateTime(ts) + toIntervalDay(retention_days)`;

function resultStoreContract(name: string, open: () => Promise<Harness>) {
  describe(`ResultStore contract: ${name}`, () => {
    let h: Harness;
    let store: ResultStore;

    beforeAll(async () => {
      h = await open();
      store = new ClickHouseResultStore(h.exec, h.database);
      await store.migrate();
      await store.migrate(); // idempotent
    });
    afterAll(async () => {
      await h?.cleanup();
    });

    it('reads back what it stored, newest first, by region and before an instant', async () => {
      const org = uniqueName('org');
      const { inWindow, all } = dataset(org);
      await store.insertResults(all);

      const latest = await store.recentResults({ orgId: org, monitorId: 'mon_a', limit: 3 });
      const expected = [...inWindow].sort((a, b) => b.startedAtMs - a.startedAtMs).slice(0, 3);
      expect(latest).toEqual(expected);

      const r2 = await store.recentResults({ orgId: org, monitorId: 'mon_a', limit: 500, region: 'r2' });
      expect(r2).toHaveLength(100 + 2); // the list shows missed slots too
      expect(r2.every((r) => r.region === 'r2')).toBe(true);

      const before = await store.recentResults({ orgId: org, monitorId: 'mon_a', limit: 500, beforeMs: BASE + 10 * 30_000 });
      // r1 and r2 at i = 1..9; skipped at i*61 s: 1..4 are < 300 s; missed at i*67 s: all 3; the one before BASE.
      expect(before.every((r) => r.startedAtMs < BASE + 10 * 30_000)).toBe(true);
      expect(before).toHaveLength(9 + 9 + 4 + 3 + 1);
      expect(before.filter((r) => r.status === 'missed').map((r) => r.errorKind).sort()).toEqual(['bus_unavailable', 'bus_unavailable', 'scheduler_down']);
    });

    it('computes stats over up and down checks only, overall and per region', async () => {
      const org = uniqueName('org');
      await store.insertResults(dataset(org).all);
      const stats = await store.monitorStats({ orgId: org, monitorId: 'mon_a', ...WINDOW });

      // Overall: total_ms 1..200; linear-interpolated percentiles (numpy default).
      expect(stats.totalChecks).toBe(200);
      expect(stats.failedChecks).toBe(10);
      expect(stats.uptimePercentage).toBeCloseTo(95, 10);
      expect(stats.avgResponseTimeMs).toBeCloseTo(100.5, 10);
      expect(stats.p50ResponseTimeMs).toBeCloseTo(100.5, 10);
      expect(stats.p95ResponseTimeMs).toBeCloseTo(190.05, 10);
      expect(stats.p99ResponseTimeMs).toBeCloseTo(198.01, 10);

      expect(stats.byRegion.map((r) => r.region)).toEqual(['r1', 'r2']);
      const [r1, r2] = stats.byRegion;
      expect(r1).toMatchObject({ totalChecks: 100, failedChecks: 10 });
      expect(r1.uptimePercentage).toBeCloseTo(90, 10);
      expect(r1.avgResponseTimeMs).toBeCloseTo(50.5, 10);
      expect(r1.p50ResponseTimeMs).toBeCloseTo(50.5, 10);
      expect(r1.p95ResponseTimeMs).toBeCloseTo(95.05, 10);
      expect(r1.p99ResponseTimeMs).toBeCloseTo(99.01, 10);
      expect(r2).toMatchObject({ totalChecks: 100, failedChecks: 0, uptimePercentage: 100 });
      expect(r2.p50ResponseTimeMs).toBeCloseTo(150.5, 10);
      expect(r2.p95ResponseTimeMs).toBeCloseTo(195.05, 10);
    });

    it('gives many monitors\' figures at once, as monitorStats does for each, over a half-open period', async () => {
      const org = uniqueName('org');
      const monC = [
        result({ orgId: org, monitorId: 'mon_c', status: 'down', totalMs: 40, startedAtMs: BASE + 1000 }),
        result({ orgId: org, monitorId: 'mon_c', status: 'up', totalMs: 20, startedAtMs: BASE + 2000, region: 'r2' }),
        result({ orgId: org, monitorId: 'mon_c', status: 'skipped', startedAtMs: BASE + 1500 }),
        // At the period's end: the next period's, not this one's.
        result({ orgId: org, monitorId: 'mon_c', status: 'down', totalMs: 99, startedAtMs: WINDOW.toMs }),
      ];
      await store.insertResults([...dataset(org).all, ...monC]);
      const figures = await store.periodFigures({ orgId: org, monitorIds: ['mon_a', 'mon_b', 'mon_c', 'mon_none'], ...WINDOW });
      expect([...figures.keys()].sort()).toEqual(['mon_a', 'mon_b', 'mon_c']);
      for (const id of ['mon_a', 'mon_b']) expect(figures.get(id), id).toEqual(await store.monitorStats({ orgId: org, monitorId: id, ...WINDOW }));
      const c = figures.get('mon_c')!;
      expect(c).toMatchObject({ totalChecks: 2, failedChecks: 1, uptimePercentage: 50, avgResponseTimeMs: 30 });
      expect(c.byRegion.map((r) => [r.region, r.totalChecks, r.failedChecks])).toEqual([['r1', 1, 1], ['r2', 1, 0]]);
      expect((await store.periodFigures({ orgId: uniqueName('org'), monitorIds: ['mon_a'], ...WINDOW })).size).toBe(0);
    });

    it('gives empty figures when a monitor has no checks in the window', async () => {
      const org = uniqueName('org');
      await store.insertResults([result({ orgId: org, status: 'skipped', startedAtMs: BASE + 1000 }), result({ orgId: org, status: 'missed', errorKind: 'scheduler_down', startedAtMs: BASE + 2000 })]);
      const stats = await store.monitorStats({ orgId: org, monitorId: 'mon_a', ...WINDOW });
      expect(stats).toEqual({
        uptimePercentage: null, totalChecks: 0, failedChecks: 0, avgResponseTimeMs: null,
        p50ResponseTimeMs: null, p95ResponseTimeMs: null, p99ResponseTimeMs: null, byRegion: [],
      });
    });

    it('tells which result ids are already stored, within the organization only', async () => {
      const org = uniqueName('org');
      const rows = [result({ orgId: org }), result({ orgId: org }), result({ orgId: org })];
      await store.insertResults(rows);
      const asked = [rows[0].resultId, rows[2].resultId, 'res_never_stored'];
      expect(await store.existingIds(org, asked)).toEqual(new Set([rows[0].resultId, rows[2].resultId]));
      expect(await store.existingIds(uniqueName('org'), asked)).toEqual(new Set());
      expect(await store.existingIds(org, [])).toEqual(new Set());
    });

    it('computes uptime per monitor from a mid-hour instant (rollup plus raw edge)', async () => {
      const org = uniqueName('org');
      const { all } = dataset(org);
      await store.insertResults(all);
      const fromMs = BASE + 17 * 60_000 + 123; // not on an hour boundary
      const expectUptime = (monitorId: string) => {
        const counted = all.filter((r) => r.monitorId === monitorId && (r.status === 'up' || r.status === 'down') && r.startedAtMs >= fromMs);
        return (counted.filter((r) => r.status === 'up').length / counted.length) * 100;
      };
      const uptime = await store.uptimeByMonitor(org, ['mon_a', 'mon_b', 'mon_none'], BASE - HOUR);
      expect(uptime.get('mon_a')).toBeCloseTo((190 / 201) * 100, 10); // includes the check at BASE - 1
      expect(uptime.get('mon_b')).toBeCloseTo((2 / 3) * 100, 10);
      expect(uptime.has('mon_none')).toBe(false);
      const fromMid = await store.uptimeByMonitor(org, ['mon_a'], fromMs);
      expect(fromMid.get('mon_a')).toBeCloseTo(expectUptime('mon_a'), 10);
    });

    it('counts up and down checks per monitor and UTC day for status pages, other organizations and uncounted slots left out', async () => {
      const org = uniqueName('org');
      const DAY = 24 * HOUR;
      const today = Math.floor(BASE / DAY) * DAY;
      const at = (dayOffset: number, hour: number) => today - dayOffset * DAY + hour * HOUR + 60_000;
      await store.insertResults([
        result({ orgId: org, startedAtMs: at(1, 0), status: 'up' }),
        result({ orgId: org, startedAtMs: at(1, 23), status: 'down', region: 'r2' }),
        result({ orgId: org, startedAtMs: at(1, 5), status: 'skipped' }),
        result({ orgId: org, startedAtMs: at(1, 6), status: 'missed' }),
        result({ orgId: org, startedAtMs: at(0, 0), status: 'up' }),
        result({ orgId: org, startedAtMs: at(0, 0), status: 'up', monitorId: 'mon_b' }),
        result({ orgId: org, startedAtMs: at(3, 0), status: 'down' }), // before the range
        result({ orgId: uniqueName('org'), startedAtMs: at(0, 0), status: 'down' }),
      ]);
      const days = await store.dailyChecks(org, ['mon_a', 'mon_b', 'mon_none'], today - 2 * DAY, BASE + HOUR);
      const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
      expect([...days].sort((a, b) => `${a.monitorId}${a.day}`.localeCompare(`${b.monitorId}${b.day}`))).toEqual([
        { monitorId: 'mon_a', day: iso(today - DAY), checks: 2, failures: 1 },
        { monitorId: 'mon_a', day: iso(today), checks: 1, failures: 0 },
        { monitorId: 'mon_b', day: iso(today), checks: 1, failures: 0 },
      ]);
      expect(await store.dailyChecks(org, [], today - 2 * DAY, BASE)).toEqual([]);
    });

    it('keeps the hourly rollup in step with inserts, skipped checks and missed slots excluded', async () => {
      const org = uniqueName('org');
      const { inWindow, all } = dataset(org);
      await store.insertResults(all);
      const rows = await h.exec.query<{ region: string; hour_ms: number | string; checks: number | string; failures: number | string; avg_ms: number }>(
        `SELECT region, toUnixTimestamp64Milli(toDateTime64(hour, 3)) AS hour_ms, countMerge(checks) AS checks,
                countIfMerge(failures) AS failures, avgMerge(total_ms_avg) AS avg_ms
         FROM ${h.database}.${HOURLY_TABLE} WHERE org_id = {org:String} AND monitor_id = 'mon_a'
         GROUP BY region, hour ORDER BY region, hour`, { org });
      const expected = new Map<string, { checks: number; failures: number; sum: number }>();
      for (const r of inWindow) {
        const key = `${r.region}@${Math.floor(r.startedAtMs / HOUR) * HOUR}`;
        const e = expected.get(key) ?? { checks: 0, failures: 0, sum: 0 };
        e.checks += 1; e.failures += r.status === 'down' ? 1 : 0; e.sum += r.totalMs;
        expected.set(key, e);
      }
      // the check just before BASE (down) sits in the previous hour of r1
      expected.set(`r1@${BASE - HOUR}`, { checks: 1, failures: 1, sum: 99_999 });
      const got = new Map(rows.map((r) => [`${r.region}@${Number(r.hour_ms)}`, r]));
      expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [key, e] of expected) {
        const g = got.get(key)!;
        expect(Number(g.checks)).toBe(e.checks);
        expect(Number(g.failures)).toBe(e.failures);
        expect(g.avg_ms).toBeCloseTo(e.sum / e.checks, 9);
      }
    });

    it('reads back every field of a result as it was stored', async () => {
      const full = { ...fullStoredResult(), orgId: uniqueName('org'), startedAtMs: BASE + 1, scheduledAtMs: BASE, retentionDays: 30 };
      await store.insertResults([full]);
      expect(await store.recentResults({ orgId: full.orgId, monitorId: full.monitorId, limit: 10 })).toEqual([full]);
    });

    it('upgrades a table created by the first release in place, its rows reading as without details', async () => {
      const database = uniqueName('pharos_v1');
      await h.exec.command(`CREATE DATABASE ${database}`);
      try {
        await h.exec.command(FIRST_RELEASE_TABLE(database));
        const old = result({ orgId: 'org_old' });
        const { resultId, jobId, orgId, monitorId, region, agentId, type, status, errorKind, errorPhase, errorMessage, dnsMs, connectMs, tlsMs, ttfbMs, transferMs, totalMs, statusCode, retentionDays } = old;
        const firstRelease: Record<string, unknown> = {
          result_id: resultId, job_id: jobId, org_id: orgId, monitor_id: monitorId, region, agent_id: agentId, type,
          scheduled_at: '1970-01-01 00:00:00.000', ts: new Date(old.startedAtMs).toISOString().replace('T', ' ').slice(0, 23),
          status, error_kind: errorKind, error_phase: errorPhase, error_message: errorMessage, dns_ms: dnsMs, connect_ms: connectMs,
          tls_ms: tlsMs, ttfb_ms: ttfbMs, transfer_ms: transferMs, total_ms: totalMs, status_code: statusCode,
          tls_not_after: '1970-01-01 00:00:00.000', retention_days: retentionDays,
        };
        await h.exec.insertCompact(`${database}.${RESULTS_TABLE}`, Object.keys(firstRelease), [Object.values(firstRelease)]);
        const upgraded = new ClickHouseResultStore(h.exec, database);
        await upgraded.migrate();
        expect(await upgraded.recentResults({ orgId: 'org_old', monitorId: old.monitorId, limit: 10 })).toEqual([{ ...old, scheduledAtMs: 0 }]);
        const full = { ...fullStoredResult(), orgId: 'org_new', startedAtMs: BASE + 1, scheduledAtMs: BASE, retentionDays: 30 };
        await upgraded.insertResults([full]);
        expect(await upgraded.recentResults({ orgId: 'org_new', monitorId: full.monitorId, limit: 10 })).toEqual([full]);
      } finally {
        await h.exec.command(`DROP DATABASE IF EXISTS ${database}`);
      }
    });

    it('replaces the first hourly view, which counted a missed slot as up, when migrating', async () => {
      const database = uniqueName('pharos_mv1');
      await h.exec.command(`CREATE DATABASE ${database}`);
      try {
        const upgraded = new ClickHouseResultStore(h.exec, database);
        await upgraded.migrate();
        await h.exec.command(`DROP VIEW ${database}.${HOURLY_VIEW}`);
        await h.exec.command(`CREATE MATERIALIZED VIEW ${database}.check_results_hourly_mv_v1 TO ${database}.${HOURLY_TABLE} AS
          SELECT org_id, monitor_id, region, toStartOfHour(toDateTime(ts, 'UTC')) AS hour, countState() AS checks,
                 countIfState(status = 'down') AS failures, avgState(total_ms) AS total_ms_avg,
                 quantilesTDigestState(0.5, 0.95, 0.99)(total_ms) AS total_ms_quantiles, max(retention_days) AS retention_days
          FROM ${database}.${RESULTS_TABLE} WHERE status != 'skipped' GROUP BY org_id, monitor_id, region, hour`);
        await upgraded.migrate();
        const views = await h.exec.query<{ name: string }>(
          `SELECT name FROM system.tables WHERE database = {db:String} AND engine = 'MaterializedView' ORDER BY name`, { db: database });
        expect(views.map((v) => v.name)).toEqual([HOURLY_VIEW]);
        await upgraded.insertResults([
          result({ orgId: 'org_up', status: 'up', startedAtMs: BASE + 1 }),
          result({ orgId: 'org_up', status: 'missed', errorKind: 'scheduler_down', startedAtMs: BASE + 2 }),
        ]);
        const [{ checks }] = await h.exec.query<{ checks: number | string }>(
          `SELECT countMerge(checks) AS checks FROM ${database}.${HOURLY_TABLE} WHERE org_id = 'org_up'`);
        expect(Number(checks)).toBe(1);
      } finally {
        await h.exec.command(`DROP DATABASE IF EXISTS ${database}`);
      }
    });

    it('leaves checks taken in a maintenance window out of stats, uptime and the rollup, and still shows them', async () => {
      const org = uniqueName('org');
      // Within one whole hour: up, then three failures inside a window, then up.
      const rows = [
        result({ orgId: org, resultId: 'r_before', status: 'up', startedAtMs: BASE + 1 }),
        ...[2, 3, 4].map((i) => result({ orgId: org, resultId: `r_muted_${i}`, status: 'down', startedAtMs: BASE + i, inMaintenance: true })),
        result({ orgId: org, resultId: 'r_after', status: 'up', startedAtMs: BASE + 5 }),
      ];
      await store.insertResults(rows);
      const stats = await store.monitorStats({ orgId: org, monitorId: rows[0].monitorId, ...WINDOW });
      expect(stats).toMatchObject({ totalChecks: 2, failedChecks: 0, uptimePercentage: 100 });
      // From before the hour: the whole hour comes from the rollup.
      expect((await store.uptimeByMonitor(org, [rows[0].monitorId], BASE - HOUR)).get(rows[0].monitorId)).toBe(100);
      // From mid-hour: the partial hour comes from the raw table.
      expect((await store.uptimeByMonitor(org, [rows[0].monitorId], BASE + 1)).get(rows[0].monitorId)).toBe(100);
      const shown = await store.recentResults({ orgId: org, monitorId: rows[0].monitorId, limit: 10 });
      expect(shown.filter((r) => r.inMaintenance).map((r) => r.status)).toEqual(['down', 'down', 'down']);
    });

    it('deletes one monitor\'s results and rollups, leaving the others', async () => {
      const org = uniqueName('org');
      await store.insertResults(dataset(org).all);
      await store.deleteMonitorResults(org, 'mon_a');
      expect(await store.recentResults({ orgId: org, monitorId: 'mon_a', limit: 10 })).toEqual([]);
      expect((await store.monitorStats({ orgId: org, monitorId: 'mon_a', ...WINDOW })).totalChecks).toBe(0);
      expect((await store.uptimeByMonitor(org, ['mon_a'], BASE - HOUR)).has('mon_a')).toBe(false);
      expect(await store.recentResults({ orgId: org, monitorId: 'mon_b', limit: 10 })).toHaveLength(3);
      const [{ n }] = await h.exec.query<{ n: number | string }>(
        `SELECT count() AS n FROM ${h.database}.${RESULTS_TABLE} WHERE org_id = {org:String} AND monitor_id = 'mon_a'`, { org });
      expect(Number(n)).toBe(0);
    });
  });
}

resultStoreContract('chDB', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pharos-chdb-'));
  const exec = ChdbExecutor.open(dir);
  return {
    exec,
    database: uniqueName('pharos'),
    async cleanup() {
      await exec.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

const clickhouseUrl = serviceUrl('clickhouse');
if (clickhouseUrl) {
  resultStoreContract('ClickHouse server', async () => {
    const exec = ClickHouseServerExecutor.open({ url: clickhouseUrl });
    const database = uniqueName('pharos');
    return {
      exec,
      database,
      async cleanup() {
        await exec.command(`DROP DATABASE IF EXISTS ${database}`);
        await exec.close();
      },
    };
  });
}
