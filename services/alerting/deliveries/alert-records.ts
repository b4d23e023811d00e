/**
 * Alert records, the read side of the outbox: one record per (event, channel) delivery, with
 * its channel, its event and every attempt. GET /api/alerts reads these.
 */
import type { SqlClient } from '../../lib/ports/sql-client.js';
import type { AlertEvent } from '../events.js';
import type { DeliveryStatus } from './delivery-store.js';

export interface DeliveryAttempt {
  attempt: number;
  at: Date;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export interface AlertRecord {
  id: string;
  monitorId: string | null;
  channel: { id: string; name: string; type: string };
  event: AlertEvent;
  type: string;
  status: DeliveryStatus;
  attemptCount: number;
  nextAttemptAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  attempts: DeliveryAttempt[];
}

export interface AlertRecordQuery {
  monitorId?: string;
  status?: DeliveryStatus;
  type?: string;
  fromMs?: number;
  toMs?: number;
  limit: number;
  offset: number;
}

interface RecordRow {
  id: string;
  monitor_id: string | null;
  channel_id: string;
  channel_name: string;
  channel_type: string;
  alert_type: string;
  status: DeliveryStatus;
  attempt_count: number;
  next_attempt_at: Date | string | null;
  created_at: Date | string;
  updated_at: Date | string;
  payload: AlertEvent;
  attempts: Array<{ attempt: number; at: string; status_code: number | null; error: string | null; duration_ms: number }>;
}

const SELECT = `
  SELECT d.id, d.monitor_id, d.channel_id, d.channel_name, d.channel_type, d.alert_type, d.status, d.attempt_count,
         d.next_attempt_at, d.created_at, d.updated_at, e.payload,
         COALESCE((SELECT json_agg(json_build_object('attempt', a.attempt, 'at', a.at, 'status_code', a.status_code, 'error', a.error, 'duration_ms', a.duration_ms) ORDER BY a.attempt)
                     FROM alert_delivery_attempts a WHERE a.delivery_id = d.id), '[]'::json) AS attempts
    FROM alert_deliveries d JOIN alert_events e ON e.id = d.event_id`;

const toRecord = (r: RecordRow): AlertRecord => ({
  id: r.id,
  monitorId: r.monitor_id,
  channel: { id: r.channel_id, name: r.channel_name, type: r.channel_type },
  event: r.payload,
  type: r.alert_type,
  status: r.status,
  attemptCount: r.attempt_count,
  nextAttemptAt: r.next_attempt_at && (r.status === 'Pending' || r.status === 'Retrying') ? new Date(r.next_attempt_at) : null,
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
  attempts: r.attempts.map((a) => ({ attempt: a.attempt, at: new Date(a.at), statusCode: a.status_code, error: a.error, durationMs: a.duration_ms })),
});

export class AlertRecordStore {
  constructor(private readonly sql: SqlClient) {}

  async list(orgId: string, q: AlertRecordQuery): Promise<{ items: AlertRecord[]; totalCount: number }> {
    const where = ['d.org_id = $1'];
    const params: unknown[] = [orgId];
    const add = (clause: (p: string) => string, value: unknown) => {
      params.push(value);
      where.push(clause(`$${params.length}`));
    };
    if (q.monitorId) add((p) => `d.monitor_id = ${p}`, q.monitorId);
    if (q.status) add((p) => `d.status = ${p}`, q.status);
    if (q.type) add((p) => `d.alert_type = ${p}`, q.type);
    if (q.fromMs !== undefined) add((p) => `d.created_at >= to_timestamp(${p} / 1000.0)`, q.fromMs);
    if (q.toMs !== undefined) add((p) => `d.created_at <= to_timestamp(${p} / 1000.0)`, q.toMs);
    const filter = where.join(' AND ');
    const count = await this.sql.query<{ n: string | number }>(`SELECT count(*) AS n FROM alert_deliveries d WHERE ${filter}`, params);
    const { rows } = await this.sql.query<RecordRow>(
      `${SELECT} WHERE ${filter} ORDER BY d.created_at DESC, d.id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, q.limit, q.offset],
    );
    return { items: rows.map(toRecord), totalCount: Number(count.rows[0]?.n ?? 0) };
  }

  async get(orgId: string, id: string): Promise<AlertRecord | null> {
    const { rows } = await this.sql.query<RecordRow>(`${SELECT} WHERE d.org_id = $1 AND d.id = $2`, [orgId, id]);
    return rows[0] ? toRecord(rows[0]) : null;
  }
}
