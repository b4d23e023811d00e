/**
 * The replicated results schema (PHAROS_CLICKHOUSE_CLUSTER). No ClickHouse cluster runs
 * here and chDB has no remote_servers or Keeper, so it cannot run ON CLUSTER or Distributed
 * DDL; instead: the generated DDL is checked statement by statement, every statement is
 * parsed by the ClickHouse engine itself (chDB's formatQuery), and the shard-local part —
 * with ON CLUSTER and replication taken out — runs on chDB and rolls results up as on one server.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ChdbExecutor } from '../../services/lib/adapters/chdb/executor.js';
import { HOURLY_TABLE, HOURLY_VIEW, RESULTS_TABLE, SHARDING_KEY, localTable, schemaStatements } from '../../services/lib/results/schema.js';
import { INSERT_COLUMNS, toCompactRow } from '../../services/lib/results/rows.js';
import { toStoredResult } from '../../services/ingest/to-stored-result.js';
import { CheckResult, CheckStatus } from '../../proto/generated/pharos/v1/result.js';
import { CheckType } from '../../proto/generated/pharos/v1/check.js';
import { loadConfig, ConfigError } from '../../services/lib/config.js';
import { uniqueName } from '../support/services.js';

const DB = 'pharos';
const CLUSTER = 'pharos_cluster';
const single = schemaStatements(DB);
const clustered = schemaStatements(DB, CLUSTER);
const head = (sql: string) => sql.trim().split('\n')[0];

describe('replicated results schema', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pharos-ch-cluster-'));
  const exec = ChdbExecutor.open(dir);
  afterAll(async () => {
    await exec.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves the single-server schema as it was: no ON CLUSTER, no replication, no Distributed tables', () => {
    for (const sql of single) expect(sql).not.toMatch(/ON CLUSTER|Replicated|Distributed|_local/);
    expect(single.map(head)).toEqual([
      `CREATE DATABASE IF NOT EXISTS ${DB}`,
      `CREATE TABLE IF NOT EXISTS ${DB}.${RESULTS_TABLE} (`,
      `ALTER TABLE ${DB}.${RESULTS_TABLE}`,
      `CREATE TABLE IF NOT EXISTS ${DB}.${HOURLY_TABLE} (`,
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${DB}.${HOURLY_VIEW} TO ${DB}.${HOURLY_TABLE} AS`,
      `DROP VIEW IF EXISTS ${DB}.check_results_hourly_mv_v1`,
      `DROP VIEW IF EXISTS ${DB}.check_results_hourly_mv_v2`,
    ]);
  });

  it('runs every statement ON CLUSTER, in an order where each object exists before it is used', () => {
    for (const sql of clustered) expect(head(sql), head(sql)).toContain(` ON CLUSTER ${CLUSTER}`);
    expect(clustered.map(head)).toEqual([
      `CREATE DATABASE IF NOT EXISTS ${DB} ON CLUSTER ${CLUSTER}`,
      `CREATE TABLE IF NOT EXISTS ${DB}.${localTable(RESULTS_TABLE)} ON CLUSTER ${CLUSTER} (`,
      `CREATE TABLE IF NOT EXISTS ${DB}.${RESULTS_TABLE} ON CLUSTER ${CLUSTER} AS ${DB}.${localTable(RESULTS_TABLE)}`,
      `ALTER TABLE ${DB}.${localTable(RESULTS_TABLE)} ON CLUSTER ${CLUSTER}`,
      `ALTER TABLE ${DB}.${RESULTS_TABLE} ON CLUSTER ${CLUSTER}`,
      `CREATE TABLE IF NOT EXISTS ${DB}.${localTable(HOURLY_TABLE)} ON CLUSTER ${CLUSTER} (`,
      `CREATE TABLE IF NOT EXISTS ${DB}.${HOURLY_TABLE} ON CLUSTER ${CLUSTER} AS ${DB}.${localTable(HOURLY_TABLE)}`,
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${DB}.${HOURLY_VIEW} ON CLUSTER ${CLUSTER} TO ${DB}.${localTable(HOURLY_TABLE)} AS`,
      `DROP VIEW IF EXISTS ${DB}.check_results_hourly_mv_v1 ON CLUSTER ${CLUSTER}`,
      `DROP VIEW IF EXISTS ${DB}.check_results_hourly_mv_v2 ON CLUSTER ${CLUSTER}`,
    ]);
  });

  it('keeps rows in Replicated tables with one Keeper path per table and shard, and serves the documented names as Distributed tables sharded by monitor', () => {
    const ddl = clustered.join('\n');
    expect(ddl).toContain(`ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/${DB}/${localTable(RESULTS_TABLE)}', '{replica}')`);
    expect(ddl).toContain(`ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/${DB}/${localTable(HOURLY_TABLE)}', '{replica}')`);
    for (const t of [RESULTS_TABLE, HOURLY_TABLE]) expect(ddl).toContain(`ENGINE = Distributed(${CLUSTER}, ${DB}, ${localTable(t)}, ${SHARDING_KEY})`);
    expect(SHARDING_KEY).toBe('cityHash64(org_id, monitor_id)');
    // The rollup is shard-local: it reads the local rows and writes the local rollup.
    const view = clustered.find((s) => s.includes('MATERIALIZED VIEW'))!;
    expect(view).toContain(`FROM ${DB}.${localTable(RESULTS_TABLE)}\n`);
    // Both the local and the Distributed raw table get the columns added after the first release, the same ones.
    const [alterLocal, alterDistributed] = clustered.filter((s) => s.startsWith('ALTER TABLE'));
    const columns = (s: string) => s.split('\n').slice(1).map((l) => l.trim());
    expect(columns(alterDistributed)).toEqual(columns(alterLocal));
    expect(columns(alterLocal).length).toBeGreaterThan(10);
    // Outside the tables' names and engines, the two layouts are the same statements.
    const normalise = (s: string) => s.replace(` ON CLUSTER ${CLUSTER}`, '').replace(/_local\b/g, '').replace(/Replicated(\w+MergeTree)\('[^']*', '\{replica\}'\)/, '$1');
    const localOnly = clustered.filter((s) => !s.includes('ENGINE = Distributed') && !s.startsWith(`ALTER TABLE ${DB}.${RESULTS_TABLE} `));
    expect(localOnly.map(normalise)).toEqual(single);
  });

  it('is parsed by the ClickHouse engine, ON CLUSTER and all', async () => {
    for (const sql of clustered) {
      const [{ q }] = await exec.query<{ q: string }>('SELECT formatQuery({sql:String}) AS q', { sql });
      expect(q, head(sql)).toContain(`ON CLUSTER ${CLUSTER}`);
    }
    await expect(exec.query('SELECT formatQuery({sql:String})', { sql: 'CREATE TABLE x ON CLUSTER ( a' })).rejects.toThrow();
  });

  it('runs its shard-local part on chDB (ON CLUSTER and replication taken out) and rolls results up there', async () => {
    const db = uniqueName('pharos');
    const shardLocal = schemaStatements(db, CLUSTER)
      .filter((s) => !s.includes('ENGINE = Distributed') && !s.startsWith(`ALTER TABLE ${db}.${RESULTS_TABLE} `))
      .map((s) => s.replace(` ON CLUSTER ${CLUSTER}`, '').replace(/Replicated(\w+MergeTree)\('[^']*', '\{replica\}'\)/, '$1'));
    for (const sql of shardLocal) await exec.command(sql);
    const org = uniqueName('org');
    const rows = [CheckStatus.CHECK_STATUS_UP, CheckStatus.CHECK_STATUS_DOWN, CheckStatus.CHECK_STATUS_MISSED].map((status, i) => toStoredResult(CheckResult.fromPartial({
      resultId: `r${i}`, jobId: `j${i}`, orgId: org, monitorId: 'mon_1', region: 'EuWest', agentId: 'a', type: CheckType.CHECK_TYPE_WEBSITE,
      scheduledAtMs: Date.now() - 1000, startedAtMs: Date.now() - 1000, status, timings: { totalMs: 10 + i, dnsMs: 0, connectMs: 0, tlsMs: 0, ttfbMs: 0, transferMs: 0 },
    }), 'EuWest', 30));
    await exec.insertCompact(`${db}.${localTable(RESULTS_TABLE)}`, INSERT_COLUMNS, rows.map(toCompactRow));
    const [rollup] = await exec.query<{ checks: string; failures: string }>(
      `SELECT countMerge(checks) AS checks, countIfMerge(failures) AS failures FROM ${db}.${localTable(HOURLY_TABLE)} WHERE org_id = {org:String}`, { org });
    expect([Number(rollup.checks), Number(rollup.failures)]).toEqual([2, 1]);
    // What chDB cannot do: a Distributed table needs a cluster in remote_servers.
    const distributed = schemaStatements(db, CLUSTER).find((s) => s.includes('ENGINE = Distributed'))!.replace(` ON CLUSTER ${CLUSTER}`, '');
    await expect(exec.command(distributed)).rejects.toThrow(/CLUSTER_DOESNT_EXIST|not found/);
  });

  it('is configured by PHAROS_CLICKHOUSE_CLUSTER, which needs a ClickHouse server', () => {
    const env = { PHAROS_CLICKHOUSE_URL: 'http://ch:8123', PHAROS_CLICKHOUSE_CLUSTER: 'pharos_cluster', PHAROS_CLICKHOUSE_ASYNC_INSERT: 'true' };
    expect(loadConfig('migrate', env)).toMatchObject({ clickhouseCluster: 'pharos_cluster', clickhouseAsyncInsert: true });
    expect(loadConfig('migrate', {})).toMatchObject({ clickhouseCluster: undefined, clickhouseAsyncInsert: false });
    expect(() => loadConfig('migrate', { PHAROS_CLICKHOUSE_CLUSTER: 'pharos_cluster' })).toThrow(ConfigError);
    expect(() => loadConfig('migrate', { ...env, PHAROS_CLICKHOUSE_CLUSTER: 'x; DROP' })).toThrow(ConfigError);
    expect(() => schemaStatements(DB, "c' OR 1")).toThrow(/cluster name/);
  });
});
