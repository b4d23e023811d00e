/**
 * Job monitors' pings and heartbeat clocks in the control-plane store. Pings are recorded in
 * batches (one transaction for many pings, so bursts cost a few statements, not a few per
 * ping), and the results they imply are handed over before the transaction commits: a ping
 * is acknowledged only when both its history row and its result are durable.
 */
import type { SqlClient } from '../lib/ports/sql-client.js';
import { newId } from '../lib/store/ids.js';
import { monitorDefaults, type MonitorConfig } from '../lib/monitors/model.js';
import type { CheckResult } from '../../proto/generated/pharos/v1/result.js';
import { applyPing, missedPing, overrunningRun, type HeartbeatState, type PingKind } from './heartbeat-state.js';
import { finishResult, missedResult, overrunResult } from './heartbeat-results.js';
import { dueAt, type JobSchedule } from './schedule.js';

export interface IncomingPing {
  token: string;
  kind: PingKind;
  exitCode: number | null;
  receivedAtMs: number;
  /** The kept prefix of the body, or null without a body. */
  body: string | null;
  /** The body's full size in bytes. */
  bodyBytes: number;
  method: string;
  sourceIp: string | null;
  userAgent: string | null;
}

export type PingReceipt = { recorded: true; pingId: string } | { recorded: false };

export interface StoredPing {
  id: string;
  kind: PingKind;
  exitCode: number | null;
  receivedAtMs: number;
  runtimeMs: number | null;
  body: string | null;
  bodyBytes: number;
  method: string;
  sourceIp: string | null;
  userAgent: string | null;
}

/** Hands results to ingest; must be durable when it resolves. */
export type PublishResults = (results: CheckResult[]) => Promise<void>;

interface JobMonitorRow {
  id: string;
  org_id: string;
  config: MonitorConfig;
  paused: boolean;
}

interface StateRow {
  monitor_id: string;
  org_id: string;
  anchor_ms: number | string;
  due_ms: number | string | null;
  last_ping_ms: number | string | null;
  last_ping_kind: PingKind | null;
  run_started_ms: number | string | null;
  run_due_ms: number | string | null;
}

const STATE_COLUMNS = `h.monitor_id, h.org_id,
  (extract(epoch FROM h.anchor_at) * 1000)::float8 AS anchor_ms,
  (extract(epoch FROM h.due_at) * 1000)::float8 AS due_ms,
  (extract(epoch FROM h.last_ping_at) * 1000)::float8 AS last_ping_ms,
  h.last_ping_kind,
  (extract(epoch FROM h.run_started_at) * 1000)::float8 AS run_started_ms,
  (extract(epoch FROM h.run_due_at) * 1000)::float8 AS run_due_ms`;

const msOrNull = (v: number | string | null): number | null => (v === null ? null : Math.round(Number(v)));

function toState(row: StateRow): HeartbeatState {
  return {
    monitorId: row.monitor_id,
    orgId: row.org_id,
    anchorAtMs: Math.round(Number(row.anchor_ms)),
    dueAtMs: msOrNull(row.due_ms),
    lastPingAtMs: msOrNull(row.last_ping_ms),
    lastPingKind: row.last_ping_kind,
    runStartedAtMs: msOrNull(row.run_started_ms),
    runDueAtMs: msOrNull(row.run_due_ms),
  };
}

/** Configurations stored before a field existed read as its default. */
function scheduleOf(config: MonitorConfig): JobSchedule & Pick<MonitorConfig, 'graceSeconds'> {
  const d = monitorDefaults([]);
  return {
    cronExpression: config.cronExpression ?? null,
    timezone: config.timezone ?? d.timezone,
    periodSeconds: config.periodSeconds ?? null,
    graceSeconds: config.graceSeconds ?? d.graceSeconds,
  };
}

const TS = (param: string) => `CASE WHEN ${param} IS NULL THEN NULL ELSE to_timestamp(${param} / 1000.0) END`;

/** The upsert of heartbeat clocks from eight array parameters starting at $`first`. */
function upsertStatesSql(first: number): string {
  const p = (i: number) => `$${first + i}`;
  return `INSERT INTO job_heartbeats (monitor_id, org_id, anchor_at, due_at, last_ping_at, last_ping_kind, run_started_at, run_due_at)
     SELECT u.monitor_id, u.org_id, to_timestamp(u.anchor / 1000.0), ${TS('u.due')}, ${TS('u.last_ping')}, u.last_kind,
            ${TS('u.run_started')}, ${TS('u.run_due')}
       FROM unnest(${p(0)}::text[], ${p(1)}::text[], ${p(2)}::float8[], ${p(3)}::float8[], ${p(4)}::float8[], ${p(5)}::text[], ${p(6)}::float8[], ${p(7)}::float8[])
         AS u(monitor_id, org_id, anchor, due, last_ping, last_kind, run_started, run_due)
     ON CONFLICT (monitor_id) DO UPDATE SET
       anchor_at = EXCLUDED.anchor_at, due_at = EXCLUDED.due_at, last_ping_at = EXCLUDED.last_ping_at,
       last_ping_kind = EXCLUDED.last_ping_kind, run_started_at = EXCLUDED.run_started_at, run_due_at = EXCLUDED.run_due_at`;
}

function stateParams(states: HeartbeatState[]): unknown[] {
  return [
    states.map((s) => s.monitorId), states.map((s) => s.orgId), states.map((s) => s.anchorAtMs), states.map((s) => s.dueAtMs),
    states.map((s) => s.lastPingAtMs), states.map((s) => s.lastPingKind), states.map((s) => s.runStartedAtMs), states.map((s) => s.runDueAtMs),
  ];
}

async function saveStates(tx: SqlClient, states: HeartbeatState[]): Promise<void> {
  if (states.length) await tx.query(upsertStatesSql(1), stateParams(states));
}

/** The earliest lateness deadline among these clocks, or null when none has one. */
export function earliestDeadline(states: readonly HeartbeatState[]): number | null {
  let at: number | null = null;
  for (const s of states) {
    for (const d of [s.dueAtMs, s.runDueAtMs]) if (d !== null && (at === null || d < at)) at = d;
  }
  return at;
}

export class HeartbeatStore {
  private readonly deadlineListeners = new Set<(atMs: number) => void>();

  constructor(private readonly sql: SqlClient) {}

  /**
   * Tells `listener`, once each write of this store has committed, the earliest lateness
   * deadline the write set: a watchdog in the same process can sleep until the next deadline
   * instead of polling (services/heartbeats/watchdog.ts). Returns the unsubscribe.
   */
  onDeadlineSet(listener: (atMs: number) => void): () => void {
    this.deadlineListeners.add(listener);
    return () => this.deadlineListeners.delete(listener);
  }

  private announce(states: readonly HeartbeatState[]): void {
    const at = earliestDeadline(states);
    if (at !== null) for (const listener of this.deadlineListeners) listener(at);
  }

  /** The earliest lateness deadline of any active Job monitor's clock, or null when none has one. */
  async nextDeadline(): Promise<number | null> {
    const { rows } = await this.sql.query<{ at_ms: number | string | null }>(
      `SELECT (extract(epoch FROM min(least(h.due_at, h.run_due_at))) * 1000)::float8 AS at_ms
         FROM job_heartbeats h JOIN monitors m ON m.id = h.monitor_id
        WHERE NOT m.paused AND m.type = 'Job'`,
    );
    return msOrNull(rows[0]?.at_ms ?? null);
  }

  /**
   * Sets a Job monitor's clock after it is created, changed, paused or resumed: the next
   * deadline is computed from `anchorAtMs` when given (creation, resume), else from the
   * anchor it had. Paused monitors have no deadline.
   */
  async reschedule(monitor: { id: string; orgId: string; paused: boolean } & MonitorConfig, nowMs: number, anchorAtMs?: number): Promise<void> {
    const saved = await this.sql.transaction(async (tx) => {
      const { rows } = await tx.query<StateRow>(`SELECT ${STATE_COLUMNS} FROM job_heartbeats h WHERE h.monitor_id = $1 FOR UPDATE`, [monitor.id]);
      const current = rows[0] ? toState(rows[0]) : null;
      const anchor = anchorAtMs ?? current?.anchorAtMs ?? nowMs;
      const schedule = scheduleOf(monitor);
      const open = current?.runStartedAtMs ?? null;
      const state: HeartbeatState = {
        monitorId: monitor.id,
        orgId: monitor.orgId,
        anchorAtMs: anchor,
        dueAtMs: monitor.paused ? null : dueAt(schedule, anchor),
        lastPingAtMs: current?.lastPingAtMs ?? null,
        lastPingKind: current?.lastPingKind ?? null,
        runStartedAtMs: open,
        runDueAtMs: monitor.paused || open === null ? null : Math.max(open + schedule.graceSeconds * 1000, nowMs),
      };
      await saveStates(tx, [state]);
      return state;
    });
    this.announce([saved]);
  }

  /**
   * Records a batch of pings in arrival order; unknown tokens are refused, the rest stored.
   * Three statements per batch whatever its size: read and lock the clocks, write pings and
   * clocks together, commit.
   */
  async recordPings(pings: readonly IncomingPing[], publish: PublishResults): Promise<PingReceipt[]> {
    let touched: HeartbeatState[] = [];
    const receipts = await this.sql.transaction(async (tx) => {
      const tokens = [...new Set(pings.map((p) => p.token))];
      const { rows } = await tx.query<JobMonitorRow & { ping_token: string } & Partial<StateRow>>(
        `SELECT m.id, m.org_id, m.config, m.paused, m.ping_token, ${STATE_COLUMNS}
           FROM monitors m JOIN job_heartbeats h ON h.monitor_id = m.id
          WHERE m.ping_token = ANY($1::text[]) AND m.type = 'Job'
          ORDER BY m.id
          FOR UPDATE OF h FOR KEY SHARE OF m`,
        [tokens],
      );
      const byToken = new Map(rows.map((m) => [m.ping_token, m]));
      const states = new Map(rows.map((r) => [r.id, toState(r as StateRow)]));
      if (byToken.size < tokens.length) {
        // A Job monitor whose clock was never set (it gets one when created or changed): start it now.
        const { rows: bare } = await tx.query<JobMonitorRow & { ping_token: string }>(
          `SELECT id, org_id, config, paused, ping_token FROM monitors WHERE ping_token = ANY($1::text[]) AND type = 'Job' ORDER BY id FOR KEY SHARE`,
          [tokens.filter((t) => !byToken.has(t))],
        );
        for (const m of bare) byToken.set(m.ping_token, m);
      }

      const receipts: PingReceipt[] = [];
      const stored: Array<StoredPing & { monitorId: string; orgId: string }> = [];
      const results: CheckResult[] = [];
      for (const ping of pings) {
        const monitor = byToken.get(ping.token);
        if (!monitor) {
          receipts.push({ recorded: false });
          continue;
        }
        const schedule = scheduleOf(monitor.config);
        const state = states.get(monitor.id) ?? {
          monitorId: monitor.id, orgId: monitor.org_id, anchorAtMs: ping.receivedAtMs, dueAtMs: null,
          lastPingAtMs: null, lastPingKind: null, runStartedAtMs: null, runDueAtMs: null,
        };
        const effect = applyPing(state, schedule, monitor.paused, ping.kind, ping.receivedAtMs);
        states.set(monitor.id, effect.state);
        const id = newId('png');
        stored.push({ ...ping, id, runtimeMs: effect.runtimeMs, monitorId: monitor.id, orgId: monitor.org_id });
        receipts.push({ recorded: true, pingId: id });
        if (ping.kind !== 'start' && !monitor.paused) {
          results.push(finishResult({ id: monitor.id, orgId: monitor.org_id }, { ...ping, kind: ping.kind, id, runtimeMs: effect.runtimeMs }));
        }
      }
      if (stored.length) {
        touched = [...new Set(stored.map((p) => p.monitorId))].map((id) => states.get(id)!);
        await tx.query(
          `WITH recorded AS (
             INSERT INTO job_pings (id, monitor_id, org_id, kind, exit_code, received_at, runtime_ms, body, body_bytes, method, source_ip, user_agent)
             SELECT u.id, u.monitor_id, u.org_id, u.kind, u.exit_code, to_timestamp(u.received / 1000.0), u.runtime_ms, u.body, u.body_bytes,
                    u.method, u.source_ip, u.user_agent
               FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::float8[], $7::bigint[], $8::text[], $9::int[],
                           $10::text[], $11::text[], $12::text[])
                 AS u(id, monitor_id, org_id, kind, exit_code, received, runtime_ms, body, body_bytes, method, source_ip, user_agent)
           )
           ${upsertStatesSql(13)}`,
          [
            stored.map((p) => p.id), stored.map((p) => p.monitorId), stored.map((p) => p.orgId), stored.map((p) => p.kind),
            stored.map((p) => p.exitCode), stored.map((p) => p.receivedAtMs), stored.map((p) => p.runtimeMs), stored.map((p) => p.body),
            stored.map((p) => p.bodyBytes), stored.map((p) => p.method), stored.map((p) => p.sourceIp), stored.map((p) => p.userAgent),
            ...stateParams(touched),
          ],
        );
      }
      await publish(results);
      return receipts;
    });
    this.announce(touched);
    return receipts;
  }

  /**
   * Keeps the newest `keep` pings of every Job monitor and deletes the rest; returns how many
   * went. Pings arrive unauthenticated and fast, so history is bounded per monitor.
   */
  async prunePings(keep: number): Promise<number> {
    const res = await this.sql.query(
      `DELETE FROM job_pings p
        USING (
          SELECT c.monitor_id, cut.received_at AS cut_at, cut.id AS cut_id
            FROM (SELECT monitor_id FROM job_pings GROUP BY monitor_id HAVING count(*) > $1) c
            CROSS JOIN LATERAL (
              SELECT x.received_at, x.id FROM job_pings x WHERE x.monitor_id = c.monitor_id
               ORDER BY x.received_at DESC, x.id DESC OFFSET $1 LIMIT 1
            ) cut
        ) k
       WHERE p.monitor_id = k.monitor_id AND (p.received_at, p.id) <= (k.cut_at, k.cut_id)`,
      [keep],
    );
    return res.rowCount;
  }

  async listPings(orgId: string, monitorId: string, limit: number, offset: number): Promise<{ items: StoredPing[]; totalCount: number }> {
    const count = await this.sql.query<{ n: string | number }>(`SELECT count(*) AS n FROM job_pings WHERE org_id = $1 AND monitor_id = $2`, [orgId, monitorId]);
    const { rows } = await this.sql.query<{
      id: string; kind: PingKind; exit_code: number | null; received_ms: number | string; runtime_ms: number | string | null;
      body: string | null; body_bytes: number; method: string; source_ip: string | null; user_agent: string | null;
    }>(
      `SELECT id, kind, exit_code, (extract(epoch FROM received_at) * 1000)::float8 AS received_ms, runtime_ms, body, body_bytes,
              method, source_ip, user_agent
         FROM job_pings WHERE org_id = $1 AND monitor_id = $2
        ORDER BY received_at DESC, id DESC LIMIT $3 OFFSET $4`,
      [orgId, monitorId, limit, offset],
    );
    return {
      totalCount: Number(count.rows[0]?.n ?? 0),
      items: rows.map((r) => ({
        id: r.id, kind: r.kind, exitCode: r.exit_code, receivedAtMs: Math.round(Number(r.received_ms)),
        runtimeMs: r.runtime_ms === null ? null : Number(r.runtime_ms), body: r.body, bodyBytes: r.body_bytes,
        method: r.method, sourceIp: r.source_ip, userAgent: r.user_agent,
      })),
    };
  }

  /**
   * One watchdog pass: every clock whose deadline has passed reports a missed ping or an
   * overrunning run, and moves on. Rows are claimed with SKIP LOCKED, so watchdogs in
   * several processes share the work; ids are deterministic, so a pass whose commit fails
   * reports the same results again (ingest stores them once). Returns results reported.
   */
  async sweep(nowMs: number, publish: PublishResults, limit = 500, onBadSchedule?: (monitorId: string, err: unknown) => void): Promise<number> {
    return this.sql.transaction(async (tx) => {
      const { rows } = await tx.query<StateRow & { config: MonitorConfig }>(
        `SELECT ${STATE_COLUMNS}, m.config
           FROM job_heartbeats h JOIN monitors m ON m.id = h.monitor_id
          WHERE (h.due_at <= to_timestamp($1 / 1000.0) OR h.run_due_at <= to_timestamp($1 / 1000.0)) AND NOT m.paused AND m.type = 'Job'
          ORDER BY h.monitor_id
          LIMIT $2
          FOR UPDATE OF h SKIP LOCKED`,
        [nowMs, limit],
      );
      const results: CheckResult[] = [];
      const changed: HeartbeatState[] = [];
      for (const row of rows) {
        const schedule = scheduleOf(row.config);
        const monitor = { id: row.monitor_id, orgId: row.org_id, graceSeconds: schedule.graceSeconds };
        let state = toState(row);
        try {
          const missed = missedPing(state, schedule, nowMs);
          if (missed) {
            results.push(missedResult(monitor, missed.expectedAtMs, nowMs));
            state = missed.state;
          }
        } catch (err) {
          // A schedule that cannot be computed must not stall every other monitor's lateness:
          // its deadline is dropped (the next ping or configuration change sets a new one).
          onBadSchedule?.(row.monitor_id, err);
          state = { ...state, dueAtMs: null };
        }
        const overrun = overrunningRun(state, nowMs);
        if (overrun) {
          results.push(overrunResult(monitor, state.runStartedAtMs ?? nowMs, nowMs));
          state = overrun;
        }
        changed.push(state);
      }
      await saveStates(tx, changed);
      await publish(results);
      return results.length;
    });
  }
}
