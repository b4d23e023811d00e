/**
 * Results store (DESIGN.md §3, §4): ClickHouse SQL on two engines — a ClickHouse server
 * through @clickhouse/client (`PHAROS_CLICKHOUSE_URL`) and chDB in-process under the data
 * dir (embedded default). The SQL lives once, in services/lib/results/; only the
 * executor differs.
 */
import type { StoredResult, MonitorStats, PeriodFiguresQuery, RecentResultsQuery, StatsQuery } from '../results/types.js';

export interface DailyChecks {
  monitorId: string;
  /** UTC date, YYYY-MM-DD. */
  day: string;
  checks: number;
  failures: number;
}

/** One bucket of a monitor's response-time series in one region (from the hourly rollup). */
export interface ResponseTimePoint {
  region: string;
  /** The bucket's start, unix ms. */
  atMs: number;
  checks: number;
  failures: number;
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface ClickHouseExecutor {
  /**
   * True when this executor is the only writer of its data (chDB: one process per data dir).
   * The store then keeps slot watermarks (results/watermarks.ts) to skip most duplicate lookups.
   */
  readonly exclusive?: boolean;
  /** DDL or any statement without a result. */
  command(sql: string, params?: Record<string, unknown>): Promise<void>;
  /** Query with {name:Type} parameters; rows as objects (JSONEachRow). */
  query<R = Record<string, unknown>>(sql: string, params?: Record<string, unknown>): Promise<R[]>;
  /** Inserts rows given as values in `columns` order (JSONCompactEachRow): cheaper to write and parse. */
  insertCompact(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void>;
  close(): Promise<void>;
}

export interface ResultStore {
  /** Creates the tables and views if missing. */
  migrate(): Promise<void>;
  insertResults(results: readonly StoredResult[]): Promise<void>;
  /** Of the given result ids, those already stored (for de-duplication on resend). */
  existingIds(orgId: string, ids: readonly string[]): Promise<Set<string>>;
  recentResults(q: RecentResultsQuery): Promise<StoredResult[]>;
  monitorStats(q: StatsQuery): Promise<MonitorStats>;
  /** monitorStats' figures for many monitors of one organization at once (SLA reports); a monitor without checks is absent. */
  periodFigures(q: PeriodFiguresQuery): Promise<Map<string, MonitorStats>>;
  /** Uptime % per monitor since `fromMs` (for monitor lists); missing = no data. */
  uptimeByMonitor(orgId: string, monitorIds: readonly string[], fromMs: number): Promise<Map<string, number>>;
  /**
   * Up and down checks per monitor and UTC day (`YYYY-MM-DD`) from `fromMs` (a day's start)
   * until `toMs`, from the hourly rollup: for status pages' 90-day bars.
   */
  dailyChecks(orgId: string, monitorIds: readonly string[], fromMs: number, toMs: number): Promise<DailyChecks[]>;
  /**
   * P50/P95 response time, checks and failures per region and bucket of `bucketSeconds` (a
   * whole number of hours) from `fromMs` until `toMs`, merged from the hourly rollup's
   * t-digests (approximate percentiles; the exact ones are monitorStats'): for charts.
   */
  responseTimeSeries(q: { orgId: string; monitorId: string; fromMs: number; toMs: number; bucketSeconds: number }): Promise<ResponseTimePoint[]>;
  /** Hourly P50 of many monitors of one organization, all regions merged, from the hourly rollup: for list sparklines. */
  responseTrends(q: { orgId: string; monitorIds: readonly string[]; fromMs: number; toMs: number }): Promise<Array<{ monitorId: string; atMs: number; p50Ms: number | null }>>;
  deleteMonitorResults(orgId: string, monitorId: string): Promise<void>;
  close(): Promise<void>;
}
