/**
 * The shipped Grafana dashboards (deploy/grafana/dashboards) against the real schema:
 * every ClickHouse query of the Monitors dashboard — panels and variables — has its macros
 * and variables expanded to concrete values the way Grafana's ClickHouse plugin does, runs on
 * chDB over the results store's own DDL with seeded results, and returns the columns its
 * panel expects; every metric the Operations dashboard graphs is one a role exports.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CheckResult, CheckStatus, CheckPhase, ErrorKind } from '../../proto/generated/pharos/v1/result.js';
import { CheckType } from '../../proto/generated/pharos/v1/check.js';
import { ChdbExecutor } from '../../services/lib/adapters/chdb/executor.js';
import { ClickHouseResultStore } from '../../services/lib/results/store.js';
import { toStoredResult } from '../../services/ingest/to-stored-result.js';
import { createMetricsRegistry } from '../../services/lib/metrics/registry.js';
import { createSchedulerMetrics } from '../../services/lib/metrics/scheduler-metrics.js';
import { createIngestMetrics } from '../../services/lib/metrics/ingest-metrics.js';
import { createAlertingMetrics } from '../../services/lib/metrics/alerting-metrics.js';
import { createApiMetrics } from '../../services/lib/metrics/api-metrics.js';
import { createAgentMetrics } from '../../probe-agent/metrics.js';
import { uniqueName } from '../support/services.js';

const DASHBOARDS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../deploy/grafana/dashboards');
const load = (file: string) => JSON.parse(readFileSync(path.join(DASHBOARDS, file), 'utf8'));

interface Target { rawSql?: string; expr?: string; format?: number; datasource: { type: string } }
interface Panel { title: string; type: string; targets?: Target[] }

/** What each Monitors panel reads from its query: its columns, in order. A panel missing here fails the test. */
const EXPECTED_COLUMNS: Record<string, string[]> = {
  Uptime: ['uptime_pct'],
  'Checks and failures': ['checks', 'failures'],
  'Response time P95': ['p95_ms'],
  'Missed and skipped slots': ['missed', 'skipped'],
  'Uptime by region (hourly)': ['time', 'region', 'uptime_pct'],
  'Response time P50 / P95 / P99 by region': ['time', 'region', 'p50_ms', 'p95_ms', 'p99_ms'],
  'Response time P95 by region (hourly rollup)': ['time', 'region', 'p95_ms'],
  'Status timeline': ['time', 'region', 'state'],
  'Failures by error kind and phase': ['error', 'failures'],
  'Recent failures': ['ts', 'region', 'agent_id', 'error_kind', 'error_phase', 'status_code', 'total_ms', 'error_message'],
  'Ingest lag P95': ['time', 'lag_p95_ms'],
};

const NOW_MS = Date.now();
const RANGE = { fromMs: NOW_MS - 24 * 3600_000, toMs: NOW_MS, intervalMs: 5 * 60_000 };

/** Grafana's ClickHouse plugin macros (pkg/macros in grafana/clickhouse-datasource), for a fixed range and interval. */
function expandMacros(sql: string): string {
  const s = (ms: number) => Math.floor(ms / 1000);
  const seconds = Math.max(Math.floor(RANGE.intervalMs / 1000), 1);
  return sql
    .replace(/\$__timeFilter_ms\(([^)]+)\)/g, (_m, c) => `${c} >= fromUnixTimestamp64Milli(${RANGE.fromMs}) AND ${c} <= fromUnixTimestamp64Milli(${RANGE.toMs})`)
    .replace(/\$__timeFilter\(([^)]+)\)/g, (_m, c) => `${c} >= toDateTime(${s(RANGE.fromMs)}) AND ${c} <= toDateTime(${s(RANGE.toMs)})`)
    .replace(/\$__timeInterval_ms\(([^)]+)\)/g, (_m, c) => `toStartOfInterval(toDateTime64(${c}, 3), INTERVAL ${RANGE.intervalMs} millisecond)`)
    .replace(/\$__timeInterval\(([^)]+)\)/g, (_m, c) => `toStartOfInterval(toDateTime(${c}), INTERVAL ${seconds} second)`)
    .replace(/\$__fromTime_ms\b/g, `fromUnixTimestamp64Milli(${RANGE.fromMs})`)
    .replace(/\$__toTime_ms\b/g, `fromUnixTimestamp64Milli(${RANGE.toMs})`)
    .replace(/\$__fromTime\b/g, `toDateTime(${s(RANGE.fromMs)})`)
    .replace(/\$__toTime\b/g, `toDateTime(${s(RANGE.toMs)})`)
    .replace(/\$__interval_s\b/g, String(seconds));
}

/** Grafana's template variables: `${name}` and `${name:singlequote}` (a multi-value list). */
function expandVariables(sql: string, vars: Record<string, string | string[]>): string {
  return sql.replace(/\$\{(\w+)(?::(\w+))?\}/g, (m, name: string, format?: string) => {
    const value = vars[name];
    if (value === undefined) throw new Error(`unknown variable ${m}`);
    const list = Array.isArray(value) ? value : [value];
    if (format === 'singlequote') return list.map((v) => `'${v.replace(/'/g, "\\'")}'`).join(',');
    if (format !== undefined) throw new Error(`unsupported variable format ${m}`);
    return list.join(',');
  });
}

describe('Monitors dashboard on the ClickHouse schema (chDB)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pharos-grafana-'));
  const database = uniqueName('pharos');
  const exec = ChdbExecutor.open(dir);
  const store = new ClickHouseResultStore(exec, database);
  const org = uniqueName('org');
  const monitor = 'mon_dashboard';
  const vars = { database, org, monitor, region: ['EuWest', 'UsEast'] };
  const dashboard = load('pharos-monitors.json');
  const panels: Panel[] = dashboard.panels;
  const run = (sql: string) => expandVariables(expandMacros(sql), vars);

  beforeAll(async () => {
    await store.migrate();
    const results: CheckResult[] = [];
    let n = 0;
    const statuses = [CheckStatus.CHECK_STATUS_UP, CheckStatus.CHECK_STATUS_UP, CheckStatus.CHECK_STATUS_DOWN, CheckStatus.CHECK_STATUS_MISSED, CheckStatus.CHECK_STATUS_SKIPPED];
    for (const region of ['EuWest', 'UsEast']) {
      for (let i = 0; i < 60; i++) {
        const status = statuses[i % statuses.length];
        const startedAtMs = NOW_MS - (i + 1) * 10 * 60_000;
        const down = status === CheckStatus.CHECK_STATUS_DOWN;
        results.push(CheckResult.fromPartial({
          resultId: `${monitor}.${region}.${n++}`, jobId: `job_${n}`, orgId: org, monitorId: monitor, region, agentId: `agent-${region}`,
          type: CheckType.CHECK_TYPE_WEBSITE, scheduledAtMs: startedAtMs, startedAtMs, status,
          errorKind: down ? ErrorKind.ERROR_KIND_TIMEOUT : ErrorKind.ERROR_KIND_UNSPECIFIED,
          errorPhase: down ? CheckPhase.CHECK_PHASE_TTFB : CheckPhase.CHECK_PHASE_UNSPECIFIED,
          errorMessage: down ? 'timed out' : '', statusCode: down ? 0 : 200,
          timings: { dnsMs: 1, connectMs: 2, tlsMs: 3, ttfbMs: 4, transferMs: 5, totalMs: 20 + i },
        }));
      }
    }
    await store.insertResults(results.map((r) => toStoredResult(r, r.region, 90)));
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('has an expected column list for every ClickHouse panel, and every panel query uses only known macros and variables', () => {
    const chPanels = panels.filter((p) => p.targets?.some((t) => t.datasource.type === 'grafana-clickhouse-datasource'));
    expect(chPanels.map((p) => p.title).sort()).toEqual(Object.keys(EXPECTED_COLUMNS).sort());
    for (const p of chPanels) {
      for (const t of p.targets!) {
        const sql = run(t.rawSql!);
        expect(sql, `${p.title}: every macro and variable expanded`).not.toMatch(/\$/);
        expect(sql, `${p.title}: filters one org and monitor`).toContain(`org_id = '${org}' AND monitor_id = '${monitor}'`);
      }
    }
  });

  for (const [title, columns] of Object.entries(EXPECTED_COLUMNS)) {
    it(`"${title}" returns ${columns.join(', ')} with rows for the seeded monitor`, async () => {
      const panel = panels.find((p) => p.title === title)!;
      const target = panel.targets![0];
      const sql = run(target.rawSql!);
      const described = await exec.query<{ name: string; type: string }>(`DESCRIBE (${sql})`);
      expect(described.map((c) => c.name)).toEqual(columns);
      // Time series panels need a time column first (the plugin's time series format).
      if (target.format === 0) expect(described[0].type).toMatch(/^DateTime/);
      const rows = await exec.query<Record<string, unknown>>(sql);
      expect(rows.length, `${title} returns rows`).toBeGreaterThan(0);
    });
  }

  it('reads the documented figures: uptime over counted checks only, failures by kind', async () => {
    const sqlOf = (title: string) => run(panels.find((p) => p.title === title)!.targets![0].rawSql!);
    // Per region per 5 statuses: 2 up, 1 down, 1 missed, 1 skipped → uptime 2/3.
    const [{ uptime_pct }] = await exec.query<{ uptime_pct: number }>(sqlOf('Uptime'));
    expect(Number(uptime_pct)).toBeCloseTo(66.667, 2);
    const [{ missed, skipped }] = await exec.query<{ missed: string; skipped: string }>(sqlOf('Missed and skipped slots'));
    expect([Number(missed), Number(skipped)]).toEqual([24, 24]);
    const kinds = await exec.query<{ error: string; failures: string }>(sqlOf('Failures by error kind and phase'));
    expect(kinds.map((k) => [k.error, Number(k.failures)])).toEqual([['timeout (ttfb)', 24]]);
  });

  it('fills the organization, monitor and region variables from the rollup', async () => {
    const list: Array<{ name: string; query?: string; type: string }> = dashboard.templating.list;
    const answers: Record<string, string[]> = {};
    for (const v of list.filter((x) => x.type === 'query')) {
      const rows = await exec.query<Record<string, string>>(run(v.query!));
      answers[v.name] = rows.map((r) => Object.values(r)[0]);
    }
    expect(answers.org).toContain(org);
    expect(answers.monitor).toEqual([monitor]);
    expect(answers.region).toEqual(['EuWest', 'UsEast']);
    expect(list.find((v) => v.name === 'database')).toMatchObject({ type: 'constant', query: 'pharos' });
  });
});

describe('Operations dashboard on the metrics the roles export', () => {
  it('graphs only metric names some role exports', async () => {
    const registry = createMetricsRegistry();
    createSchedulerMetrics(registry);
    createIngestMetrics(registry);
    createAlertingMetrics(registry);
    createApiMetrics(registry);
    createAgentMetrics(registry);
    const exported = new Set<string>();
    for (const m of await registry.getMetricsAsJSON()) {
      exported.add(m.name);
      if (String(m.type) === 'histogram') for (const s of ['_bucket', '_sum', '_count']) exported.add(m.name + s);
    }
    const dashboard = load('pharos-operations.json');
    const exprs: string[] = dashboard.panels.flatMap((p: Panel) => (p.targets ?? []).map((t) => t.expr!));
    expect(exprs.length).toBeGreaterThanOrEqual(20);
    const used = new Set(exprs.flatMap((e) => e.match(/\b(?:pharos|process|nodejs)_[a-z0-9_]+\b/g) ?? []));
    for (const name of used) expect(exported, `${name} is exported`).toContain(name);
    // Every role's own metrics appear on the dashboard.
    for (const role of ['scheduler', 'agent', 'ingest', 'alerting', 'api']) expect([...used].some((n) => n.startsWith(`pharos_${role}_`)), role).toBe(true);
  });
});
