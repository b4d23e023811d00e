/**
 * Monitorings and their executions in the control-plane store. Times go in and out as unix
 * ms; every query is scoped to an organization except the scheduler's and the worker's,
 * which act for all of them.
 */
import type { SqlClient } from '../lib/ports/sql-client.js';
import type { CheckName, Frequency, RunningState } from './contract.js';
import type { Finding } from './checks/finding.js';
import { mergeRegionFindings } from './region-merge.js';
import type { VerdictState } from './verdict-events.js';

/** Decides and writes an execution's announcement on its transaction, from the last announced verdicts. */
export type Announce = (tx: SqlClient, x: { monitoring: Monitoring; execution: Execution; findings: Finding[]; previous: VerdictState; atMs: number }) => Promise<{ verdicts: VerdictState; deliveriesQueued: number }>;

/** What storing one region's findings did. */
export interface RegionReport {
  /** stale: the execution was already completed (or gone), or this region had reported. */
  outcome: 'stale' | 'waiting' | 'completed';
  /** Regions yet to report, when waiting. */
  waitingFor: string[];
  deliveriesQueued: number;
  /** The merged findings, when completed. */
  findings?: Finding[];
}

export interface Monitoring {
  id: string;
  orgId: string;
  website: string;
  canonicalOrigin: string;
  checks: CheckName[];
  frequency: Frequency;
  isActive: boolean;
  runningState: RunningState;
  nextRunAtMs: number | null;
  runRequestedAtMs: number | null;
  expiresAtMs: number;
  lastExecutionMs: number | null;
  createdAtMs: number;
  updatedAtMs: number;
}

export type ExecutionStatus = 'queued' | 'running' | 'completed';
export type ExecutionTrigger = 'schedule' | 'run_now';

export interface Execution {
  id: string;
  monitoringId: string;
  orgId: string;
  trigger: ExecutionTrigger;
  checks: CheckName[];
  status: ExecutionStatus;
  attempt: number;
  queuedAtMs: number;
  dispatchedAtMs: number;
  startedAtMs: number | null;
  finishedAtMs: number | null;
  results: unknown[] | null;
  /** The Diligent regions it runs in; empty for an execution queued before regions existed (then any one region completes it). */
  regions: string[];
  /** Each region's findings, as they report. */
  regionResults: Record<string, Finding[]>;
}

export interface NewMonitoring {
  id: string;
  orgId: string;
  website: string;
  canonicalOrigin: string;
  checks: CheckName[];
  frequency: Frequency;
  nextRunAtMs: number;
  runRequested: boolean;
  expiresAtMs: number;
  nowMs: number;
}

export interface MonitoringChanges {
  checks?: CheckName[];
  frequency?: Frequency;
  expiresAtMs?: number;
  isActive?: boolean;
  nextRunAtMs?: number | null;
}

type Row = Record<string, unknown>;
const ms = (v: unknown): number | null => (v === null || v === undefined ? null : new Date(v as string | Date).getTime());
const ts = (v: number | null | undefined) => (v === null || v === undefined ? null : new Date(v).toISOString());

function monitoringOf(r: Row): Monitoring {
  return {
    id: r.id as string, orgId: r.org_id as string, website: r.website as string, canonicalOrigin: r.canonical_origin as string,
    checks: r.checks as CheckName[], frequency: r.frequency as Frequency, isActive: r.is_active as boolean, runningState: r.running_state as RunningState,
    nextRunAtMs: ms(r.next_run_at), runRequestedAtMs: ms(r.run_requested_at), expiresAtMs: ms(r.expires_at)!, lastExecutionMs: ms(r.last_execution),
    createdAtMs: ms(r.created_at)!, updatedAtMs: ms(r.updated_at)!,
  };
}

function executionOf(r: Row): Execution {
  return {
    id: r.id as string, monitoringId: r.monitoring_id as string, orgId: r.org_id as string, trigger: r.trigger as ExecutionTrigger,
    checks: r.checks as CheckName[], status: r.status as ExecutionStatus, attempt: Number(r.attempt), queuedAtMs: ms(r.queued_at)!,
    dispatchedAtMs: ms(r.dispatched_at)!, startedAtMs: ms(r.started_at), finishedAtMs: ms(r.finished_at), results: (r.results as unknown[] | null) ?? null,
    regions: (r.regions as string[] | null) ?? [],
    regionResults: (typeof r.region_results === 'string' ? JSON.parse(r.region_results) : r.region_results ?? {}) as Record<string, Finding[]>,
  };
}

export class MonitoringStore {
  constructor(private readonly sql: SqlClient) {}

  /** Undefined when the organization already monitors this canonical origin. */
  async create(m: NewMonitoring): Promise<Monitoring | undefined> {
    const { rows } = await this.sql.query(
      `INSERT INTO diligent_monitorings (id, org_id, website, canonical_origin, checks, frequency, next_run_at, run_requested_at, expires_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
       ON CONFLICT (org_id, canonical_origin) DO NOTHING RETURNING *`,
      [m.id, m.orgId, m.website, m.canonicalOrigin, m.checks, m.frequency, ts(m.nextRunAtMs), m.runRequested ? ts(m.nowMs) : null, ts(m.expiresAtMs), ts(m.nowMs)]);
    return rows[0] ? monitoringOf(rows[0]) : undefined;
  }

  async hasOrigin(orgId: string, canonicalOrigin: string): Promise<boolean> {
    const { rows } = await this.sql.query(`SELECT 1 FROM diligent_monitorings WHERE org_id = $1 AND canonical_origin = $2`, [orgId, canonicalOrigin]);
    return rows.length > 0;
  }

  async countForOrg(orgId: string): Promise<number> {
    const { rows } = await this.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM diligent_monitorings WHERE org_id = $1`, [orgId]);
    return Number(rows[0]?.n ?? 0);
  }

  async get(orgId: string, id: string): Promise<Monitoring | undefined> {
    const { rows } = await this.sql.query(`SELECT * FROM diligent_monitorings WHERE org_id = $1 AND id = $2`, [orgId, id]);
    return rows[0] ? monitoringOf(rows[0]) : undefined;
  }

  async list(orgId: string, limit: number, offset: number): Promise<{ items: Monitoring[]; total: number }> {
    const { rows } = await this.sql.query(`SELECT * FROM diligent_monitorings WHERE org_id = $1 ORDER BY created_at, id LIMIT $2 OFFSET $3`, [orgId, limit, offset]);
    return { items: rows.map(monitoringOf), total: await this.countForOrg(orgId) };
  }

  async update(orgId: string, id: string, c: MonitoringChanges, nowMs: number): Promise<Monitoring | undefined> {
    const { rows } = await this.sql.query(
      `UPDATE diligent_monitorings SET
         checks = COALESCE($3, checks), frequency = COALESCE($4, frequency), expires_at = COALESCE($5, expires_at),
         is_active = COALESCE($6, is_active), next_run_at = CASE WHEN $7::boolean THEN $8::timestamptz ELSE next_run_at END, updated_at = $9
       WHERE org_id = $1 AND id = $2 RETURNING *`,
      [orgId, id, c.checks ?? null, c.frequency ?? null, ts(c.expiresAtMs), c.isActive ?? null, c.nextRunAtMs !== undefined, ts(c.nextRunAtMs), ts(nowMs)]);
    return rows[0] ? monitoringOf(rows[0]) : undefined;
  }

  async delete(orgId: string, id: string): Promise<boolean> {
    const { rows } = await this.sql.query(`DELETE FROM diligent_monitorings WHERE org_id = $1 AND id = $2 RETURNING id`, [orgId, id]);
    return rows.length > 0;
  }

  /** Asks for a run as soon as the monitoring is idle; undefined when it does not exist. */
  async requestRun(orgId: string, id: string, nowMs: number): Promise<Monitoring | undefined> {
    const { rows } = await this.sql.query(
      `UPDATE diligent_monitorings SET run_requested_at = COALESCE(run_requested_at, $3), updated_at = $3 WHERE org_id = $1 AND id = $2 RETURNING *`,
      [orgId, id, ts(nowMs)]);
    return rows[0] ? monitoringOf(rows[0]) : undefined;
  }

  async executions(orgId: string, monitoringId: string, limit: number, offset: number): Promise<{ items: Execution[]; total: number }> {
    const { rows } = await this.sql.query(
      `SELECT * FROM diligent_executions WHERE org_id = $1 AND monitoring_id = $2 ORDER BY queued_at DESC, id LIMIT $3 OFFSET $4`, [orgId, monitoringId, limit, offset]);
    const count = await this.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM diligent_executions WHERE org_id = $1 AND monitoring_id = $2`, [orgId, monitoringId]);
    return { items: rows.map(executionOf), total: Number(count.rows[0]?.n ?? 0) };
  }

  /** The latest finished executions of each monitoring given, newest first (for execution_results). */
  async latestResults(monitoringIds: string[]): Promise<Map<string, Execution>> {
    if (monitoringIds.length === 0) return new Map();
    const { rows } = await this.sql.query(
      `SELECT DISTINCT ON (monitoring_id) * FROM diligent_executions WHERE monitoring_id = ANY($1::uuid[]) AND status = 'completed'
       ORDER BY monitoring_id, finished_at DESC`, [monitoringIds]);
    return new Map(rows.map((r) => [r.monitoring_id as string, executionOf(r)]));
  }

  // ── scheduler and worker ──────────────────────────────────────────────────────────────

  /**
   * Takes up to `limit` due monitorings (schedule reached or a run requested, idle, active),
   * locked for the caller's transaction so two schedulers never queue one twice.
   */
  async lockDue(tx: SqlClient, nowMs: number, limit: number): Promise<Monitoring[]> {
    const { rows } = await tx.query(
      `SELECT * FROM diligent_monitorings
       WHERE is_active AND running_state = 'IDLE' AND (next_run_at <= $1 OR run_requested_at IS NOT NULL)
       ORDER BY COALESCE(run_requested_at, next_run_at) LIMIT $2 FOR UPDATE SKIP LOCKED`, [ts(nowMs), limit]);
    return rows.map(monitoringOf);
  }

  async expire(tx: SqlClient, id: string, nowMs: number): Promise<void> {
    await tx.query(`UPDATE diligent_monitorings SET is_active = false, next_run_at = NULL, run_requested_at = NULL, updated_at = $2 WHERE id = $1`, [id, ts(nowMs)]);
  }

  /**
   * The monitoring QUEUED and its execution recorded. An execution id seen before (a run
   * requested in the same millisecond as an earlier one) is run again rather than found
   * complete, so the monitoring can never stay QUEUED.
   */
  async markQueued(tx: SqlClient, m: Monitoring, e: { id: string; trigger: ExecutionTrigger; nextRunAtMs: number | null; nowMs: number; regions: readonly string[] }): Promise<Execution> {
    await tx.query(
      `UPDATE diligent_monitorings SET running_state = 'QUEUED', next_run_at = $2, run_requested_at = CASE WHEN $3 = 'run_now' THEN NULL ELSE run_requested_at END, updated_at = $4 WHERE id = $1`,
      [m.id, ts(e.nextRunAtMs), e.trigger, ts(e.nowMs)]);
    const { rows } = await tx.query(
      `INSERT INTO diligent_executions (id, monitoring_id, org_id, trigger, checks, status, queued_at, dispatched_at, regions)
       VALUES ($1, $2, $3, $4, $5, 'queued', $6, $6, $7)
       ON CONFLICT (id) DO UPDATE SET attempt = diligent_executions.attempt + 1, dispatched_at = $6,
         status = 'queued', checks = $5, started_at = NULL, finished_at = NULL, results = NULL, regions = $7, region_results = '{}'::jsonb RETURNING *`,
      [e.id, m.id, m.orgId, e.trigger, m.checks, ts(e.nowMs), [...e.regions]]);
    return executionOf(rows[0]);
  }

  /** Executions queued or running whose job was last published before `beforeMs`: re-published with attempt + 1. */
  async redispatchStale(beforeMs: number, nowMs: number, limit: number): Promise<Execution[]> {
    const { rows } = await this.sql.query(
      `UPDATE diligent_executions SET attempt = attempt + 1, dispatched_at = $2
       WHERE id IN (SELECT id FROM diligent_executions WHERE status IN ('queued', 'running') AND dispatched_at < $1 ORDER BY dispatched_at LIMIT $3 FOR UPDATE SKIP LOCKED)
       RETURNING *`, [ts(beforeMs), ts(nowMs), limit]);
    return rows.map(executionOf);
  }

  async execution(id: string): Promise<Execution | undefined> {
    const { rows } = await this.sql.query(`SELECT * FROM diligent_executions WHERE id = $1`, [id]);
    return rows[0] ? executionOf(rows[0]) : undefined;
  }

  async monitoringById(id: string): Promise<Monitoring | undefined> {
    const { rows } = await this.sql.query(`SELECT * FROM diligent_monitorings WHERE id = $1`, [id]);
    return rows[0] ? monitoringOf(rows[0]) : undefined;
  }

  async markRunning(executionId: string, monitoringId: string, nowMs: number): Promise<void> {
    await this.sql.transaction(async (tx) => {
      await tx.query(`UPDATE diligent_executions SET status = 'running', started_at = COALESCE(started_at, $2) WHERE id = $1 AND status <> 'completed'`, [executionId, ts(nowMs)]);
      await tx.query(`UPDATE diligent_monitorings SET running_state = 'RUNNING', updated_at = $2 WHERE id = $1`, [monitoringId, ts(nowMs)]);
    });
  }

  /**
   * Stores one region's findings, on one transaction with the execution row locked. When every
   * region of the execution has reported, their merge (region-merge.ts) becomes its results
   * and it completes (completeOn). Stale — nothing stored — when an earlier delivery already
   * completed the execution or stored this region.
   */
  async reportRegion(executionId: string, region: string, findings: Finding[], nowMs: number, announce?: Announce): Promise<RegionReport> {
    return this.sql.transaction(async (tx) => {
      const { rows } = await tx.query(`SELECT * FROM diligent_executions WHERE id = $1 FOR UPDATE`, [executionId]);
      const e = rows[0] ? executionOf(rows[0]) : undefined;
      if (!e || e.status === 'completed' || e.regionResults[region]) return { outcome: 'stale', waitingFor: [], deliveriesQueued: 0 };
      const results = { ...e.regionResults, [region]: findings };
      const regions = e.regions.length > 0 ? e.regions : [region];
      const waitingFor = regions.filter((r) => !results[r]);
      await tx.query(`UPDATE diligent_executions SET region_results = $2::jsonb WHERE id = $1`, [executionId, JSON.stringify(results)]);
      if (waitingFor.length > 0) return { outcome: 'waiting', waitingFor, deliveriesQueued: 0 };
      const merged = mergeRegionFindings(e.checks, regions, results);
      const deliveriesQueued = await this.completeOn(tx, { ...e, regionResults: results }, merged, nowMs, announce);
      return { outcome: 'completed', waitingFor: [], deliveriesQueued, findings: merged };
    });
  }

  /**
   * Completes the open executions that some regions answered but others not, once their job
   * was published before `beforeMs` (the regions' deadline): the missing regions count as
   * inconclusive in the merge. Returns what it completed.
   */
  async finishOverdue(beforeMs: number, nowMs: number, limit: number, announce?: Announce): Promise<Array<{ execution: Execution; missing: string[]; deliveriesQueued: number }>> {
    return this.sql.transaction(async (tx) => {
      const { rows } = await tx.query(
        `SELECT * FROM diligent_executions WHERE status IN ('queued', 'running') AND dispatched_at < $1 AND region_results <> '{}'::jsonb
         ORDER BY dispatched_at LIMIT $2 FOR UPDATE SKIP LOCKED`, [ts(beforeMs), limit]);
      const out: Array<{ execution: Execution; missing: string[]; deliveriesQueued: number }> = [];
      for (const e of rows.map(executionOf)) {
        const regions = e.regions.length > 0 ? e.regions : Object.keys(e.regionResults);
        const merged = mergeRegionFindings(e.checks, regions, e.regionResults);
        out.push({ execution: e, missing: regions.filter((r) => !e.regionResults[r]), deliveriesQueued: await this.completeOn(tx, e, merged, nowMs, announce) });
      }
      return out;
    });
  }

  /**
   * On the caller's transaction (the execution row locked): stores the findings as the
   * execution's results, runs `announce` with the monitoring's last announced verdicts (row
   * locked) and keeps the new ones, and returns the monitoring to IDLE (inactive once past its
   * expiry). Returns the deliveries the announcement queued.
   */
  private async completeOn(tx: SqlClient, e: Execution, findings: Finding[], nowMs: number, announce?: Announce): Promise<number> {
    await tx.query(`UPDATE diligent_executions SET status = 'completed', finished_at = $2, results = $3::jsonb WHERE id = $1`, [e.id, ts(nowMs), JSON.stringify(findings)]);
    let deliveriesQueued = 0;
    const { rows } = await tx.query(`SELECT * FROM diligent_monitorings WHERE id = $1 FOR UPDATE`, [e.monitoringId]);
    if (!rows[0]) return 0; // deleted meanwhile
    if (announce) {
      const raw = rows[0].announced_verdicts as VerdictState | string;
      const previous = typeof raw === 'string' ? JSON.parse(raw) as VerdictState : raw;
      const out = await announce(tx, { monitoring: monitoringOf(rows[0]), execution: e, findings, previous, atMs: nowMs });
      deliveriesQueued = out.deliveriesQueued;
      await tx.query(`UPDATE diligent_monitorings SET announced_verdicts = $2::jsonb WHERE id = $1`, [e.monitoringId, JSON.stringify(out.verdicts)]);
    }
    await tx.query(
      `UPDATE diligent_monitorings SET running_state = 'IDLE', last_execution = $2, updated_at = $2,
         is_active = is_active AND expires_at > $2, next_run_at = CASE WHEN expires_at > $2 THEN next_run_at ELSE NULL END
       WHERE id = $1`, [e.monitoringId, ts(nowMs)]);
    return deliveriesQueued;
  }

  // ── per-organization MCC overrides ─────────────────────────────────────────────────────

  async mccOverrides(orgId: string): Promise<Map<string, boolean>> {
    const { rows } = await this.sql.query<{ mcc: string; high_risk: boolean }>(`SELECT mcc, high_risk FROM diligent_mcc_overrides WHERE org_id = $1 ORDER BY mcc`, [orgId]);
    return new Map(rows.map((r) => [r.mcc, r.high_risk]));
  }

  /** Replaces the organization's overrides with these, in one transaction. */
  async replaceMccOverrides(orgId: string, overrides: ReadonlyArray<{ mcc: string; highRisk: boolean }>): Promise<void> {
    await this.sql.transaction(async (tx) => {
      await tx.query(`DELETE FROM diligent_mcc_overrides WHERE org_id = $1`, [orgId]);
      for (const o of overrides) await tx.query(`INSERT INTO diligent_mcc_overrides (org_id, mcc, high_risk) VALUES ($1, $2, $3)`, [orgId, o.mcc, o.highRisk]);
    });
  }
}
