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
 * - The hourly rollup excludes skipped checks, as every statistic does.
 */
export const RESULTS_TABLE = 'check_results_v1';
export const HOURLY_TABLE = 'check_results_hourly_v1';
export const HOURLY_VIEW = 'check_results_hourly_mv_v1';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Database names cannot be bound as parameters in DDL, so they are checked instead. */
export function assertDatabaseName(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`invalid ClickHouse database name "${name}"`);
  return name;
}

export function schemaStatements(db: string): string[] {
  assertDatabaseName(db);
  return [
    `CREATE DATABASE IF NOT EXISTS ${db}`,
    `CREATE TABLE IF NOT EXISTS ${db}.${RESULTS_TABLE} (
      result_id      String,
      job_id         String CODEC(ZSTD(1)),
      org_id         String,
      monitor_id     String,
      region         LowCardinality(String),
      agent_id       LowCardinality(String),
      type           LowCardinality(String),
      scheduled_at   DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
      ts             DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1)),
      status         LowCardinality(String),
      error_kind     LowCardinality(String),
      error_phase    LowCardinality(String),
      error_message  String CODEC(ZSTD(3)),
      dns_ms         Float64 CODEC(Gorilla, ZSTD(1)),
      connect_ms     Float64 CODEC(Gorilla, ZSTD(1)),
      tls_ms         Float64 CODEC(Gorilla, ZSTD(1)),
      ttfb_ms        Float64 CODEC(Gorilla, ZSTD(1)),
      transfer_ms    Float64 CODEC(Gorilla, ZSTD(1)),
      total_ms       Float64 CODEC(Gorilla, ZSTD(1)),
      status_code    UInt16,
      tls_not_after  DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
      retention_days UInt16,
      ingested_at    DateTime64(3, 'UTC') DEFAULT now64(3) CODEC(Delta, ZSTD(1)),
      INDEX result_id_bloom result_id TYPE bloom_filter(0.001) GRANULARITY 1
    )
    ENGINE = ReplacingMergeTree
    PARTITION BY toYYYYMM(ts)
    PRIMARY KEY (org_id, monitor_id, ts)
    ORDER BY (org_id, monitor_id, ts, result_id)
    TTL toDateTime(ts) + toIntervalDay(retention_days)`,
    // Details added after the first release: added in place (new columns with defaults are a
    // compatible change; old rows read as empty), so existing data directories upgrade.
    `ALTER TABLE ${db}.${RESULTS_TABLE}
      ADD COLUMN IF NOT EXISTS tls_not_before         DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
      ADD COLUMN IF NOT EXISTS tls_issuer             String CODEC(ZSTD(3)),
      ADD COLUMN IF NOT EXISTS tls_subject            String CODEC(ZSTD(3)),
      ADD COLUMN IF NOT EXISTS tls_sans               Array(String) CODEC(ZSTD(3)),
      ADD COLUMN IF NOT EXISTS tls_chain_valid        UInt8,
      ADD COLUMN IF NOT EXISTS tls_hostname_valid     UInt8,
      ADD COLUMN IF NOT EXISTS tls_expiring_soon      UInt8,
      ADD COLUMN IF NOT EXISTS tls_verification_error LowCardinality(String),
      ADD COLUMN IF NOT EXISTS assertion_source       Array(LowCardinality(String)),
      ADD COLUMN IF NOT EXISTS assertion_operator     Array(LowCardinality(String)),
      ADD COLUMN IF NOT EXISTS assertion_expected     Array(String) CODEC(ZSTD(3)),
      ADD COLUMN IF NOT EXISTS assertion_actual       Array(String) CODEC(ZSTD(3)),
      ADD COLUMN IF NOT EXISTS assertion_passed       Array(UInt8),
      ADD COLUMN IF NOT EXISTS ping_address           String CODEC(ZSTD(1)),
      ADD COLUMN IF NOT EXISTS ping_sent              UInt16,
      ADD COLUMN IF NOT EXISTS ping_received          UInt16,
      ADD COLUMN IF NOT EXISTS ping_packet_loss       Float32,
      ADD COLUMN IF NOT EXISTS ping_rtt_min_ms        Float64 CODEC(Gorilla, ZSTD(1)),
      ADD COLUMN IF NOT EXISTS ping_rtt_avg_ms        Float64 CODEC(Gorilla, ZSTD(1)),
      ADD COLUMN IF NOT EXISTS ping_rtt_max_ms        Float64 CODEC(Gorilla, ZSTD(1)),
      ADD COLUMN IF NOT EXISTS ping_jitter_ms         Float64 CODEC(Gorilla, ZSTD(1)),
      ADD COLUMN IF NOT EXISTS dns_rcode              LowCardinality(String),
      ADD COLUMN IF NOT EXISTS dns_values             Array(String) CODEC(ZSTD(3)),
      ADD COLUMN IF NOT EXISTS dns_resolver           LowCardinality(String),
      ADD COLUMN IF NOT EXISTS domain_expires_at      DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
      ADD COLUMN IF NOT EXISTS domain_registered_at   DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
      ADD COLUMN IF NOT EXISTS domain_registrar       LowCardinality(String),
      ADD COLUMN IF NOT EXISTS domain_statuses        Array(LowCardinality(String)),
      ADD COLUMN IF NOT EXISTS domain_source          LowCardinality(String),
      ADD COLUMN IF NOT EXISTS domain_expiring_soon   UInt8`,
    `CREATE TABLE IF NOT EXISTS ${db}.${HOURLY_TABLE} (
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
    ENGINE = AggregatingMergeTree
    PARTITION BY toYYYYMM(hour)
    ORDER BY (org_id, monitor_id, hour, region)
    TTL hour + toIntervalDay(retention_days)`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.${HOURLY_VIEW} TO ${db}.${HOURLY_TABLE} AS
    SELECT
      org_id, monitor_id, region,
      toStartOfHour(toDateTime(ts, 'UTC')) AS hour,
      countState() AS checks,
      countIfState(status = 'down') AS failures,
      avgState(total_ms) AS total_ms_avg,
      quantilesTDigestState(0.5, 0.95, 0.99)(total_ms) AS total_ms_quantiles,
      max(retention_days) AS retention_days
    FROM ${db}.${RESULTS_TABLE}
    WHERE status != 'skipped'
    GROUP BY org_id, monitor_id, region, hour`,
  ];
}
