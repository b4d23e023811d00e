/**
 * The ResultStore, written once over a ClickHouseExecutor (chDB or ClickHouse server).
 *
 * Which table answers what:
 * - monitorStats reads the raw table. Percentiles must be exact (quantilesExactInclusive,
 *   linear interpolation as in numpy/Excel PERCENTILE.INC) and a rollup of t-digests is
 *   not; the primary key narrows the scan to one monitor's range, which for 30 days of
 *   1-minute checks in 3 regions (~130k rows, 4 narrow columns) is a few milliseconds.
 * - uptimeByMonitor only needs counts, which merge exactly: whole hours come from the
 *   hourly rollup, the partial first hour from the raw table.
 */
import type { ClickHouseExecutor, DailyChecks, ResponseTimePoint, ResultStore } from '../ports/results-store.js';
import type { MonitorStats, PeriodFiguresQuery, RecentResultsQuery, StatsFigures, StatsQuery, StoredResult } from './types.js';
import { HOURLY_TABLE, RESULTS_TABLE, assertDatabaseName, schemaStatements } from './schema.js';
import { COUNTED_RESULT_SQL } from './columns.js';
import { READ_COLUMNS, fromRow, toCompactRows } from './rows.js';
import { SlotWatermarks, watermarksFor } from './watermarks.js';

const HOUR_MS = 3_600_000;

interface StatsRow {
  region: string;
  is_total: number;
  checks: number | string;
  failures: number | string;
  avg_ms: number | null;
  q: Array<number | null>;
}

export class ClickHouseResultStore implements ResultStore {
  private readonly raw: string;
  private readonly hourly: string;
  /** Only over an executor that owns its data (chDB): see watermarks.ts. */
  private readonly watermarks: SlotWatermarks | undefined;

  /** `cluster`: PHAROS_CLICKHOUSE_CLUSTER, the replicated layout (schema.ts); reads and inserts go through the Distributed tables of the same names. */
  constructor(private readonly exec: ClickHouseExecutor, private readonly database: string, private readonly cluster?: string) {
    assertDatabaseName(database);
    this.raw = `${database}.${RESULTS_TABLE}`;
    this.hourly = `${database}.${HOURLY_TABLE}`;
    this.watermarks = exec.exclusive && cluster === undefined ? watermarksFor(exec, database) : undefined;
  }

  async migrate(): Promise<void> {
    for (const sql of schemaStatements(this.database, this.cluster)) await this.exec.command(sql);
    if (this.watermarks) {
      await this.exec.command(SlotWatermarks.ddl(this.database));
      await this.watermarks.backfill(this.raw);
    }
  }

  async insertResults(results: readonly StoredResult[]): Promise<void> {
    if (results.length === 0) return;
    // The marks first: a crash between the two leaves a bound above what is stored, never below.
    if (this.watermarks) await this.watermarks.cover(results);
    const { columns, rows } = toCompactRows(results);
    await this.exec.insertCompact(this.raw, columns, rows);
  }

  existingIds(orgId: string, ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return Promise.resolve(new Set());
    // Ingest asks once per organization of a flush, all at once; answering those calls
    // with one query instead of one each is most of the cost of de-duplication.
    return new Promise((resolve, reject) => {
      if (this.lookups.length === 0) queueMicrotask(() => void this.runLookups());
      this.lookups.push({ orgId, ids, resolve, reject });
    });
  }

  private lookups: Array<{ orgId: string; ids: readonly string[]; resolve(s: Set<string>): void; reject(e: unknown): void }> = [];

  private async runLookups(): Promise<void> {
    const lookups = this.lookups;
    this.lookups = [];
    try {
      // Ids above their series' watermark are provably new: only the rest are looked up.
      let asked: Array<{ orgId: string; id: string }>;
      if (this.watermarks) {
        asked = (await this.watermarks.classify(lookups)).lookup;
      } else {
        asked = [];
        for (const l of lookups) for (const id of l.ids) asked.push({ orgId: l.orgId, id });
      }
      if (asked.length === 0) {
        for (const l of lookups) l.resolve(new Set());
        return;
      }
      // The org prefix of the primary key plus the bloom filter on result_id keep this to
      // the granules that can hold one of the ids. The ids travel as one String parsed by
      // format(): an Array(String) parameter of thousands of ids is parsed as a SQL literal,
      // which took longer than the lookup itself (~40 of ~65 ms for 10,000 ids on chDB).
      const ids = new Set<string>();
      for (const a of asked) ids.add(a.id);
      let data = '';
      for (const id of ids) data += `[${JSON.stringify(id)}]\n`;
      const rows = await this.exec.query<{ org_id: string; result_id: string }>(
        `SELECT DISTINCT org_id, result_id FROM ${this.raw}
         WHERE org_id IN {orgs:Array(String)}
           AND result_id IN (SELECT id FROM format(JSONCompactEachRow, 'id String', {ids:String}))`,
        { orgs: [...new Set(asked.map((a) => a.orgId))], ids: data },
      );
      const found = new Set(rows.map((r) => `${r.org_id}\u0000${r.result_id}`));
      for (const l of lookups) l.resolve(new Set(l.ids.filter((id) => found.has(`${l.orgId}\u0000${id}`))));
    } catch (err) {
      for (const l of lookups) l.reject(err);
    }
  }

  async recentResults(q: RecentResultsQuery): Promise<StoredResult[]> {
    const params: Record<string, unknown> = { org: q.orgId, monitor: q.monitorId, limit: Math.max(0, Math.trunc(q.limit)) };
    let where = 'org_id = {org:String} AND monitor_id = {monitor:String}';
    if (q.region !== undefined) {
      where += ' AND region = {region:String}';
      params.region = q.region;
    }
    if (q.beforeMs !== undefined) {
      where += ' AND ts < fromUnixTimestamp64Milli({before:Int64})';
      params.before = Math.trunc(q.beforeMs);
    }
    const rows = await this.exec.query(
      `SELECT ${READ_COLUMNS} FROM ${this.raw} WHERE ${where}
       ORDER BY ts DESC, result_id DESC LIMIT {limit:UInt32}`,
      params,
    );
    return rows.map(fromRow);
  }

  async monitorStats(q: StatsQuery): Promise<MonitorStats> {
    // GROUPING SETS answers overall and per region in one scan; the overall row is the one
    // where region is aggregated away (grouping() = 1 under standard semantics).
    const rows = await this.exec.query<StatsRow>(
      `SELECT region, grouping(region) AS is_total,
              count() AS checks, countIf(status = 'down') AS failures,
              avg(total_ms) AS avg_ms,
              quantilesExactInclusive(0.5, 0.95, 0.99)(total_ms) AS q
       FROM ${this.raw}
       WHERE org_id = {org:String} AND monitor_id = {monitor:String}
         AND ts >= fromUnixTimestamp64Milli({from:Int64}) AND ts <= fromUnixTimestamp64Milli({to:Int64})
         AND ${COUNTED_RESULT_SQL}
       GROUP BY GROUPING SETS ((region), ())
       SETTINGS force_grouping_standard_compatibility = 1`,
      { org: q.orgId, monitor: q.monitorId, from: Math.trunc(q.fromMs), to: Math.trunc(q.toMs) },
    );
    const total = rows.find((r) => Number(r.is_total) === 1);
    const byRegion = rows
      .filter((r) => Number(r.is_total) !== 1 && Number(r.checks) > 0)
      .map((r) => ({ region: r.region, ...figures(r) }))
      .sort((a, b) => a.region.localeCompare(b.region));
    return { ...figures(total), byRegion };
  }

  async periodFigures(q: PeriodFiguresQuery): Promise<Map<string, MonitorStats>> {
    const out = new Map<string, MonitorStats>();
    if (q.monitorIds.length === 0) return out;
    // monitorStats' query for many monitors: one scan, per (monitor, region) and per monitor.
    const rows = await this.exec.query<StatsRow & { monitor_id: string }>(
      `SELECT monitor_id, region, grouping(region) AS is_total,
              count() AS checks, countIf(status = 'down') AS failures,
              avg(total_ms) AS avg_ms,
              quantilesExactInclusive(0.5, 0.95, 0.99)(total_ms) AS q
       FROM ${this.raw}
       WHERE org_id = {org:String} AND monitor_id IN {ids:Array(String)}
         AND ts >= fromUnixTimestamp64Milli({from:Int64}) AND ts < fromUnixTimestamp64Milli({to:Int64})
         AND ${COUNTED_RESULT_SQL}
       GROUP BY GROUPING SETS ((monitor_id, region), (monitor_id))
       SETTINGS force_grouping_standard_compatibility = 1`,
      { org: q.orgId, ids: [...q.monitorIds], from: Math.trunc(q.fromMs), to: Math.trunc(q.toMs) },
    );
    for (const r of rows) {
      if (Number(r.checks) === 0) continue;
      const stats = out.get(r.monitor_id) ?? { ...figures(undefined), byRegion: [] };
      if (Number(r.is_total) === 1) Object.assign(stats, figures(r));
      else stats.byRegion.push({ region: r.region, ...figures(r) });
      out.set(r.monitor_id, stats);
    }
    for (const stats of out.values()) stats.byRegion.sort((a, b) => a.region.localeCompare(b.region));
    return out;
  }

  async uptimeByMonitor(orgId: string, monitorIds: readonly string[], fromMs: number): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (monitorIds.length === 0) return out;
    const firstWholeHourMs = Math.ceil(fromMs / HOUR_MS) * HOUR_MS;
    const rows = await this.exec.query<{ monitor_id: string; checks: number | string; failures: number | string }>(
      `SELECT monitor_id, sum(c) AS checks, sum(f) AS failures FROM (
         SELECT monitor_id, countMerge(checks) AS c, countIfMerge(failures) AS f
         FROM ${this.hourly}
         WHERE org_id = {org:String} AND monitor_id IN {ids:Array(String)}
           AND hour >= fromUnixTimestamp64Milli({hourFrom:Int64})
         GROUP BY monitor_id
         UNION ALL
         SELECT monitor_id, count() AS c, countIf(status = 'down') AS f
         FROM ${this.raw}
         WHERE org_id = {org:String} AND monitor_id IN {ids:Array(String)}
           AND ts >= fromUnixTimestamp64Milli({from:Int64}) AND ts < fromUnixTimestamp64Milli({hourFrom:Int64})
           AND ${COUNTED_RESULT_SQL}
         GROUP BY monitor_id
       ) GROUP BY monitor_id`,
      { org: orgId, ids: [...monitorIds], from: Math.trunc(fromMs), hourFrom: firstWholeHourMs },
    );
    for (const r of rows) {
      const checks = Number(r.checks);
      if (checks > 0) out.set(r.monitor_id, ((checks - Number(r.failures)) / checks) * 100);
    }
    return out;
  }

  async dailyChecks(orgId: string, monitorIds: readonly string[], fromMs: number, toMs: number): Promise<DailyChecks[]> {
    if (monitorIds.length === 0) return [];
    // Whole hours only: a day's first hour is whole because days start on the hour (UTC).
    // The table is sorted by (org, monitor, hour), so the groups arrive in order: aggregating
    // in order instead of by hash took 50 monitors × 90 days from ~44–63 to ~24 ms on chDB.
    const rows = await this.exec.query<{ monitor_id: string; day: string; checks: number | string; failures: number | string }>(
      // A Date comes back as YYYY-MM-DD in JSON: no per-row string conversion needed.
      `SELECT monitor_id, toDate(hour) AS day, countMerge(checks) AS checks, countIfMerge(failures) AS failures
       FROM ${this.hourly}
       WHERE org_id = {org:String} AND monitor_id IN {ids:Array(String)}
         AND hour >= fromUnixTimestamp64Milli({from:Int64}) AND hour < fromUnixTimestamp64Milli({to:Int64})
       GROUP BY monitor_id, day
       SETTINGS optimize_aggregation_in_order = 1`,
      { org: orgId, ids: [...monitorIds], from: Math.trunc(fromMs), to: Math.trunc(toMs) },
    );
    return rows.map((r) => ({ monitorId: r.monitor_id, day: r.day, checks: Number(r.checks), failures: Number(r.failures) }));
  }

  async responseTimeSeries(q: { orgId: string; monitorId: string; fromMs: number; toMs: number; bucketSeconds: number }): Promise<ResponseTimePoint[]> {
    const bucketHours = Math.max(1, Math.round(q.bucketSeconds / 3600));
    // The rollup's t-digest states merge across hours, so a bucket of many hours is one merge.
    const rows = await this.exec.query<{ region: string; at: string | number; checks: number | string; failures: number | string; q: Array<number | null> }>(
      `SELECT region, toUnixTimestamp(toStartOfInterval(hour, toIntervalHour({bucket:UInt32}))) * 1000 AS at,
              countMerge(checks) AS checks, countIfMerge(failures) AS failures,
              quantilesTDigestMerge(0.5, 0.95, 0.99)(total_ms_quantiles) AS q
       FROM ${this.hourly}
       WHERE org_id = {org:String} AND monitor_id = {monitor:String}
         AND hour >= toStartOfHour(fromUnixTimestamp64Milli({from:Int64})) AND hour < fromUnixTimestamp64Milli({to:Int64})
       GROUP BY region, at
       ORDER BY region, at`,
      { org: q.orgId, monitor: q.monitorId, from: Math.trunc(q.fromMs), to: Math.trunc(q.toMs), bucket: bucketHours },
    );
    const ms = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(Number(v)) ? null : Math.round(Number(v) * 100) / 100);
    return rows
      .filter((r) => Number(r.checks) > 0)
      .map((r) => ({ region: r.region, atMs: Number(r.at), checks: Number(r.checks), failures: Number(r.failures), p50Ms: ms(r.q?.[0]), p95Ms: ms(r.q?.[1]) }));
  }

  async responseTrends(q: { orgId: string; monitorIds: readonly string[]; fromMs: number; toMs: number }): Promise<Array<{ monitorId: string; atMs: number; p50Ms: number | null }>> {
    if (q.monitorIds.length === 0) return [];
    const rows = await this.exec.query<{ monitor_id: string; at: string | number; q: Array<number | null> }>(
      `SELECT monitor_id, toUnixTimestamp(hour) * 1000 AS at, quantilesTDigestMerge(0.5, 0.95, 0.99)(total_ms_quantiles) AS q
       FROM ${this.hourly}
       WHERE org_id = {org:String} AND monitor_id IN {ids:Array(String)}
         AND hour >= toStartOfHour(fromUnixTimestamp64Milli({from:Int64})) AND hour < fromUnixTimestamp64Milli({to:Int64})
       GROUP BY monitor_id, hour
       ORDER BY monitor_id, hour
       SETTINGS optimize_aggregation_in_order = 1`,
      { org: q.orgId, ids: [...q.monitorIds], from: Math.trunc(q.fromMs), to: Math.trunc(q.toMs) },
    );
    return rows.map((r) => {
      const v = r.q?.[0];
      return { monitorId: r.monitor_id, atMs: Number(r.at), p50Ms: v === null || v === undefined || !Number.isFinite(Number(v)) ? null : Math.round(Number(v) * 100) / 100 };
    });
  }

  async deleteMonitorResults(orgId: string, monitorId: string): Promise<void> {
    // A mutation, waited for on every replica, so a deleted monitor's figures are gone when
    // this resolves. Deleting a monitor is rare; the rewrite touches only its parts.
    for (const table of [this.raw, this.hourly]) {
      await this.exec.command(
        `ALTER TABLE ${table} DELETE WHERE org_id = {org:String} AND monitor_id = {monitor:String}
         SETTINGS mutations_sync = 2`,
        { org: orgId, monitor: monitorId },
      );
    }
  }

  async close(): Promise<void> {
    await this.exec.close();
  }
}

function figures(r: StatsRow | undefined): StatsFigures {
  const checks = r ? Number(r.checks) : 0;
  if (!r || checks === 0) {
    return { uptimePercentage: null, totalChecks: 0, failedChecks: 0, avgResponseTimeMs: null, p50ResponseTimeMs: null, p95ResponseTimeMs: null, p99ResponseTimeMs: null };
  }
  const failed = Number(r.failures);
  return {
    uptimePercentage: ((checks - failed) / checks) * 100,
    totalChecks: checks,
    failedChecks: failed,
    avgResponseTimeMs: finite(r.avg_ms),
    p50ResponseTimeMs: finite(r.q?.[0]),
    p95ResponseTimeMs: finite(r.q?.[1]),
    p99ResponseTimeMs: finite(r.q?.[2]),
  };
}

function finite(v: unknown): number | null {
  const n = typeof v === 'number' ? v : Number(v);
  return v === null || v === undefined || !Number.isFinite(n) ? null : n;
}
