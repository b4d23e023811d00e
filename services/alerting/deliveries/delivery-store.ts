/**
 * The outbox's delivery rows as workers use them: lease what is due, then record the attempt.
 * Every time is passed in (the worker's clock), never the database's now(), so retries are
 * tested with a controllable clock.
 */
import type { SqlClient } from '../../lib/ports/sql-client.js';
import type { DeliveryOutcome } from '../channels/channel.js';
import type { AlertEvent } from '../events.js';

/** The Enori document's retry policy: "Up to 3 retries with exponential backoff: 30s, 5m, 30m". */
export const RETRY_DELAYS_MS = [30_000, 5 * 60_000, 30 * 60_000] as const;

export const DELIVERY_STATUSES = ['Pending', 'Retrying', 'Sent', 'Failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface LeasedDelivery {
  id: string;
  orgId: string | null;
  monitorId: string | null;
  channelId: string;
  attemptCount: number;
  event: AlertEvent;
}

interface LeasedRow {
  id: string;
  org_id: string | null;
  monitor_id: string | null;
  channel_id: string;
  attempt_count: number;
  payload: AlertEvent;
}

/** What follows a failed attempt number `attempt` (1-based): the next try, or giving up. */
export function afterFailure(attempt: number, nowMs: number): { status: 'Retrying'; nextAttemptAtMs: number } | { status: 'Failed'; nextAttemptAtMs: null } {
  const delay = RETRY_DELAYS_MS[attempt - 1];
  return delay === undefined ? { status: 'Failed', nextAttemptAtMs: null } : { status: 'Retrying', nextAttemptAtMs: nowMs + delay };
}

export interface AttemptToRecord {
  delivery: LeasedDelivery;
  token: string;
  outcome: DeliveryOutcome;
  startedAtMs: number;
  nowMs: number;
  /** No retry can help (the channel is gone): Failed at once. */
  permanent?: boolean;
}

export interface RecordedAttempt { attempt: number; status: DeliveryStatus; nextAttemptAtMs: number | null }

export class DeliveryStore {
  constructor(private readonly sql: SqlClient) {}

  /**
   * Claims up to `limit` due deliveries for `leaseMs`. SKIP LOCKED lets several workers
   * claim at once without waiting on or taking each other's rows; a lease that has passed
   * (its worker died mid-send) makes the row due again. One statement, so its own
   * transaction: no BEGIN/COMMIT round trips. The ORDER BY matches the partial index
   * alert_deliveries_claim_idx (migration 009), so a claim reads the rows it takes rather
   * than sorting every due row.
   */
  async lease(nowMs: number, leaseMs: number, token: string, limit: number): Promise<LeasedDelivery[]> {
    const { rows } = await this.sql.query<LeasedRow>(
      `WITH due AS (
         SELECT id FROM alert_deliveries
          WHERE status IN ('Pending', 'Retrying') AND next_attempt_at <= to_timestamp($1 / 1000.0)
            AND (lease_until IS NULL OR lease_until <= to_timestamp($1 / 1000.0))
          ORDER BY next_attempt_at, id
          LIMIT $4
          FOR UPDATE SKIP LOCKED
       ), leased AS (
         UPDATE alert_deliveries d SET lease_until = to_timestamp($2 / 1000.0), lease_token = $3
           FROM due WHERE d.id = due.id
         RETURNING d.id, d.org_id, d.monitor_id, d.channel_id, d.attempt_count, d.event_id
       )
       SELECT l.id, l.org_id, l.monitor_id, l.channel_id, l.attempt_count, e.payload
         FROM leased l JOIN alert_events e ON e.id = l.event_id`,
      [nowMs, nowMs + leaseMs, token, limit],
    );
    return rows.map((r) => ({ id: r.id, orgId: r.org_id, monitorId: r.monitor_id, channelId: r.channel_id, attemptCount: r.attempt_count, event: r.payload }));
  }

  /**
   * Calls `onQueued` each time a transaction that queued deliveries commits, on an engine
   * whose one session is this process's (PGlite: every delivery is queued through it;
   * migration 025's trigger notifies only a session that asked). Answers the unlisten, or
   * null on an engine where other processes write too (Postgres: the workers poll).
   */
  async listenForQueued(onQueued: () => void): Promise<(() => Promise<void>) | null> {
    if (!this.sql.listen) return null;
    const unlisten = await this.sql.listen('alert_deliveries_queued', onQueued);
    await this.sql.query(`SET pharos.notify_queued_deliveries = 'on'`);
    return async () => {
      await this.sql.query('RESET pharos.notify_queued_deliveries');
      await unlisten();
    };
  }

  /**
   * When the next claim can take something: the earliest due time of a delivery still to
   * send, or the end of its lease when one holds it; null when nothing is left to send.
   */
  async nextDueAtMs(): Promise<number | null> {
    const { rows } = await this.sql.query<{ at_ms: number | null }>(
      `SELECT (extract(epoch FROM min(greatest(next_attempt_at, lease_until))) * 1000)::float8 AS at_ms
         FROM alert_deliveries WHERE status IN ('Pending', 'Retrying')`,
    );
    return rows[0]?.at_ms ?? null;
  }

  /**
   * Records one attempt and moves the delivery on (Sent, Retrying with its next time, or
   * Failed), only while this worker still holds the lease. Returns null when the lease was
   * lost (it expired and another worker took the row, which now owns the outcome).
   */
  async record(d: LeasedDelivery, token: string, outcome: DeliveryOutcome, startedAtMs: number, nowMs: number, permanent = false): Promise<RecordedAttempt | null> {
    return (await this.recordMany([{ delivery: d, token, outcome, startedAtMs, nowMs, permanent }]))[0];
  }

  /**
   * Records many attempts in one statement (a worker's group commit), each only while its
   * lease is still held: the row must still carry the lease's token and the attempt count it
   * was leased with. Answers in the order given, null where the lease was lost.
   */
  async recordMany(entries: readonly AttemptToRecord[]): Promise<Array<RecordedAttempt | null>> {
    if (entries.length === 0) return [];
    const planned = entries.map((e) => {
      const attempt = e.delivery.attemptCount + 1;
      const next = e.outcome.ok
        ? { status: 'Sent' as const, nextAttemptAtMs: null }
        : e.permanent ? { status: 'Failed' as const, nextAttemptAtMs: null } : afterFailure(attempt, e.nowMs);
      return { e, attempt, next };
    });
    const { rows } = await this.sql.query<{ delivery_id: string }>(
      `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::float8[], $6::int[], $7::text[], $8::float8[], $9::int[], $10::float8[])
           AS i(id, token, attempt, status, next_ms, status_code, error, started_ms, duration_ms, now_ms)
       ), moved AS (
         UPDATE alert_deliveries d
            SET attempt_count = i.attempt, status = i.status,
                next_attempt_at = CASE WHEN i.next_ms IS NULL THEN NULL ELSE to_timestamp(i.next_ms / 1000.0) END,
                lease_until = NULL, lease_token = NULL, updated_at = to_timestamp(i.now_ms / 1000.0)
           FROM input i
          WHERE d.id = i.id AND d.lease_token = i.token AND d.attempt_count = i.attempt - 1
         RETURNING d.id
       )
       INSERT INTO alert_delivery_attempts (delivery_id, attempt, at, status_code, error, duration_ms)
       SELECT i.id, i.attempt, to_timestamp(i.started_ms / 1000.0), i.status_code, i.error, i.duration_ms
         FROM input i JOIN moved m ON m.id = i.id
       RETURNING delivery_id`,
      [
        planned.map((p) => p.e.delivery.id), planned.map((p) => p.e.token), planned.map((p) => p.attempt), planned.map((p) => p.next.status),
        planned.map((p) => p.next.nextAttemptAtMs), planned.map((p) => p.e.outcome.statusCode), planned.map((p) => p.e.outcome.error),
        planned.map((p) => p.e.startedAtMs), planned.map((p) => Math.max(0, Math.round(p.e.nowMs - p.e.startedAtMs))), planned.map((p) => p.e.nowMs),
      ],
    );
    const recorded = new Set(rows.map((r) => r.delivery_id));
    return planned.map((p) => (recorded.has(p.e.delivery.id) ? { attempt: p.attempt, ...p.next } : null));
  }
}
