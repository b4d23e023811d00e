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
  orgId: string;
  monitorId: string;
  channelId: string;
  attemptCount: number;
  event: AlertEvent;
}

interface LeasedRow {
  id: string;
  org_id: string;
  monitor_id: string;
  channel_id: string;
  attempt_count: number;
  payload: AlertEvent;
}

/** What follows a failed attempt number `attempt` (1-based): the next try, or giving up. */
export function afterFailure(attempt: number, nowMs: number): { status: 'Retrying'; nextAttemptAtMs: number } | { status: 'Failed'; nextAttemptAtMs: null } {
  const delay = RETRY_DELAYS_MS[attempt - 1];
  return delay === undefined ? { status: 'Failed', nextAttemptAtMs: null } : { status: 'Retrying', nextAttemptAtMs: nowMs + delay };
}

export class DeliveryStore {
  constructor(private readonly sql: SqlClient) {}

  /**
   * Claims up to `limit` due deliveries for `leaseMs`. SKIP LOCKED lets several workers
   * claim at once without waiting on or taking each other's rows; a lease that has passed
   * (its worker died mid-send) makes the row due again.
   */
  async lease(nowMs: number, leaseMs: number, token: string, limit: number): Promise<LeasedDelivery[]> {
    const { rows } = await this.sql.transaction((tx) => tx.query<LeasedRow>(
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
    ));
    return rows.map((r) => ({ id: r.id, orgId: r.org_id, monitorId: r.monitor_id, channelId: r.channel_id, attemptCount: r.attempt_count, event: r.payload }));
  }

  /**
   * Records one attempt and moves the delivery on (Sent, Retrying with its next time, or
   * Failed), only while this worker still holds the lease. Returns null when the lease was
   * lost (it expired and another worker took the row, which now owns the outcome).
   */
  async record(d: LeasedDelivery, token: string, outcome: DeliveryOutcome, startedAtMs: number, nowMs: number, permanent = false): Promise<{ attempt: number; status: DeliveryStatus; nextAttemptAtMs: number | null } | null> {
    return this.sql.transaction(async (tx) => {
      const { rows } = await tx.query<{ attempt_count: number }>(
        `SELECT attempt_count FROM alert_deliveries WHERE id = $1 AND lease_token = $2 FOR UPDATE`,
        [d.id, token],
      );
      if (!rows[0]) return null;
      const attempt = rows[0].attempt_count + 1;
      const next = outcome.ok
        ? { status: 'Sent' as const, nextAttemptAtMs: null }
        : permanent ? { status: 'Failed' as const, nextAttemptAtMs: null } : afterFailure(attempt, nowMs);
      await tx.query(
        `INSERT INTO alert_delivery_attempts (delivery_id, attempt, at, status_code, error, duration_ms)
         VALUES ($1, $2, to_timestamp($3 / 1000.0), $4, $5, $6)`,
        [d.id, attempt, startedAtMs, outcome.statusCode, outcome.error, Math.max(0, Math.round(nowMs - startedAtMs))],
      );
      await tx.query(
        `UPDATE alert_deliveries
            SET attempt_count = $2, status = $3,
                next_attempt_at = CASE WHEN $4::float8 IS NULL THEN NULL ELSE to_timestamp($4::float8 / 1000.0) END,
                lease_until = NULL, lease_token = NULL, updated_at = to_timestamp($5 / 1000.0)
          WHERE id = $1`,
        [d.id, attempt, next.status, next.nextAttemptAtMs, nowMs],
      );
      return { attempt, ...next };
    });
  }

}
