/**
 * The ClickHouse schema of the results store (DESIGN.md §4), documented for dashboard
 * authors in docs/clickhouse.md — change both together. Tables are versioned by name
 * (`_v1`): an incompatible change adds `_v2` and a backfill, never an ALTER in place.
 *
 * Why these choices:
 * - ORDER BY (org_id, monitor_id, ts, result_id) with PRIMARY KEY (org_id, monitor_id, ts):
 *   every read is "one monitor of one org over a time range", which the primary key serves;
 *   result_id at the end of the sorting key makes ReplacingMergeTree collapse a result stored
 *   twice (the safety net behind ingest's de-duplication, e.g. two ingest replicas racing on
 *   one resend). Collapsing happens at merge time, so readers do not use FINAL and rely on
 *   ingest for exactness.
 * - TTL per row from retention_days: plans differ in retention, so the row carries it.
 * - DoubleDelta on ts (regular intervals), Delta on scheduled_at, Gorilla on the timings.
 * - The hourly rollup counts only up and down checks, as every statistic does (skipped and
 *   missed slots are unknown time). Its first view (`_mv_v1`) excluded only 'skipped', so it
 *   would have counted a missed slot as up; a view's query cannot be altered in place on
 *   24.3, so `_mv_v2` replaces it: created first, then v1 dropped, so no insert misses the
 *   rollup (one racing an upgrade's migration may be counted twice in its hour).
 *   `_mv_v3` replaced `_mv_v2` the same way when checks taken in a maintenance window
 *   (`in_maintenance = 1`) stopped counting; the column is added before the view that reads it.
 *
 * The raw table's columns come from the column table (columns.ts).
 */
import { ADDED_FIELDS, COUNTED_RESULT_SQL, FIRST_RELEASE_FIELDS, INGESTED_AT, type ResultColumn, type ResultField } from './columns.js';

export const RESULTS_TABLE = 'check_results_v1';
export const HOURLY_TABLE = 'check_results_hourly_v1';
export const HOURLY_VIEW = 'check_results_hourly_mv_v3';
const RETIRED_HOURLY_VIEWS = ['check_results_hourly_mv_v1', 'check_results_hourly_mv_v2'];

/** `name  Type CODEC(…)`, aligned as the statements were written by hand. */
const definition = (c: ResultColumn) => `${c.name.padEnd(22)} ${c.type}`;
const columnsOf = (fields: object): ResultColumn[] => (Object.values(fields) as Array<ResultField<unknown>>).flatMap((f) => f.columns);

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Database names cannot be bound as parameters in DDL, so they are checked instead. */
export function assertDatabaseName(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`invalid ClickHouse database name "${name}"`);
  return name;
}

/** Cluster names go into DDL unquoted, like database names. */
export function assertClusterName(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`invalid ClickHouse cluster name "${name}"`);
  return name;
}

/** On a cluster the rows live in `<table>_local` on each shard; `<table>` is the Distributed table over them. */
export const localTable = (table: string) => `${table}_local`;

/**
 * Rows of one monitor stay on one shard: ReplacingMergeTree collapses a result stored twice
 * (same id, same monitor) and the hourly view rolls a monitor's hour up on the shard that has
 * all of its rows.
 */
export const SHARDING_KEY = 'cityHash64(org_id, monitor_id)';

/**
 * The results store's DDL. Single server (and chDB): the documented tables themselves. With a
 * cluster (PHAROS_CLICKHOUSE_CLUSTER, docs/clickhouse.md "On a cluster"): Replicated tables
 * `<table>_local` on every shard, Distributed tables under the documented names over them,
 * the rollup view shard-local, every statement ON CLUSTER.
 */
export function schemaStatements(db: string, cluster?: string): string[] {
  assertDatabaseName(db);
  const on = cluster === undefined ? '' : ` ON CLUSTER ${assertClusterName(cluster)}`;
  const raw = cluster === undefined ? RESULTS_TABLE : localTable(RESULTS_TABLE);
  const hourly = cluster === undefined ? HOURLY_TABLE : localTable(HOURLY_TABLE);
  // One replication path per table and shard; {shard} and {replica} are each server's macros.
  const engine = (name: string, table: string) => (cluster === undefined ? name : `Replicated${name}('/clickhouse/tables/{shard}/${db}/${table}', '{replica}')`);
  const distributed = (table: string) => (cluster === undefined ? [] : [
    `CREATE TABLE IF NOT EXISTS ${db}.${table}${on} AS ${db}.${localTable(table)}
    ENGINE = Distributed(${cluster}, ${db}, ${localTable(table)}, ${SHARDING_KEY})`,
  ]);
  const addedColumns = (table: string) => `ALTER TABLE ${db}.${table}${on}
      ${columnsOf(ADDED_FIELDS).map((c) => `ADD COLUMN IF NOT EXISTS ${definition(c)}`).join(',\n      ')}`;
  return [
    `CREATE DATABASE IF NOT EXISTS ${db}${on}`,
    `CREATE TABLE IF NOT EXISTS ${db}.${raw}${on} (
      ${[...columnsOf(FIRST_RELEASE_FIELDS), INGESTED_AT].map(definition).join(',\n      ')},
      INDEX result_id_bloom result_id TYPE bloom_filter(0.001) GRANULARITY 1
    )
    ENGINE = ${engine('ReplacingMergeTree', raw)}
    PARTITION BY toYYYYMM(ts)
    PRIMARY KEY (org_id, monitor_id, ts)
    ORDER BY (org_id, monitor_id, ts, result_id)
    TTL toDateTime(ts) + toIntervalDay(retention_days)`,
    ...distributed(RESULTS_TABLE),
    // Columns added after the first release: added in place (new columns with defaults are a
    // compatible change; old rows read as empty), so existing data directories upgrade. On a
    // cluster the Distributed table gets them too (it copied the columns when it was created).
    addedColumns(raw),
    ...(cluster === undefined ? [] : [addedColumns(RESULTS_TABLE)]),
    `CREATE TABLE IF NOT EXISTS ${db}.${hourly}${on} (
      org_id             String,
      monitor_id         String,
      region             LowCardinality(String),
      hour               DateTime('UTC'),
      checks             AggregateFunction(count),
      failures           AggregateFunction(countIf, UInt8),
      total_ms_avg       AggregateFunction(avg, Float64),
      total_ms_quantiles AggregateFunction(quantilesTDigest(0.5, 0.95, 0.99), Float64),
      retention_days     SimpleAggregateFunction(max, UInt16)
    )
    ENGINE = ${engine('AggregatingMergeTree', hourly)}
    PARTITION BY toYYYYMM(hour)
    ORDER BY (org_id, monitor_id, hour, region)
    TTL hour + toIntervalDay(retention_days)`,
    ...distributed(HOURLY_TABLE),
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.${HOURLY_VIEW}${on} TO ${db}.${hourly} AS
    SELECT
      org_id, monitor_id, region,
      toStartOfHour(toDateTime(ts, 'UTC')) AS hour,
      countState() AS checks,
      countIfState(status = 'down') AS failures,
      avgState(total_ms) AS total_ms_avg,
      quantilesTDigestState(0.5, 0.95, 0.99)(total_ms) AS total_ms_quantiles,
      max(retention_days) AS retention_days
    FROM ${db}.${raw}
    WHERE ${COUNTED_RESULT_SQL}
    GROUP BY org_id, monitor_id, region, hour`,
    ...RETIRED_HOURLY_VIEWS.map((v) => `DROP VIEW IF EXISTS ${db}.${v}${on}`),
  ];
}
