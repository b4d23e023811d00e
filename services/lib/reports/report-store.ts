/** SLA reports in the control-plane store: kept as generated, listed newest first. */
import type { SqlClient } from '../ports/sql-client.js';
import { newId } from '../store/ids.js';
import type { SlaReport, SlaReportContent } from './sla-report.js';

interface ReportRow { id: string; created_at: Date | string; body: SlaReportContent | string }

const fromRow = (r: ReportRow): SlaReport => ({
  id: r.id,
  createdAt: new Date(r.created_at).toISOString(),
  ...(typeof r.body === 'string' ? JSON.parse(r.body) as SlaReportContent : r.body),
});

export class SlaReportStore {
  constructor(private readonly sql: SqlClient) {}

  async create(orgId: string, content: SlaReportContent, createdAtMs: number): Promise<SlaReport> {
    const { rows } = await this.sql.query<ReportRow>(
      `INSERT INTO sla_reports (id, org_id, month, created_at, body) VALUES ($1, $2, $3, to_timestamp($4 / 1000.0), $5::jsonb)
       RETURNING id, created_at, body`,
      [newId('rpt'), orgId, content.month, createdAtMs, JSON.stringify(content)],
    );
    return fromRow(rows[0]);
  }

  async get(orgId: string, id: string): Promise<SlaReport | null> {
    const { rows } = await this.sql.query<ReportRow>(
      `SELECT id, created_at, body FROM sla_reports WHERE org_id = $1 AND id = $2 AND deleted_at IS NULL`, [orgId, id]);
    return rows[0] ? fromRow(rows[0]) : null;
  }

  /** Newest first; without the per-monitor rows and incidents, which only `get` returns. */
  async list(orgId: string, limit: number, offset: number): Promise<{ items: SlaReport[]; totalCount: number }> {
    const { rows } = await this.sql.query<ReportRow & { total: string | number }>(
      `SELECT id, created_at, body - 'monitors' - 'incidents' AS body, count(*) OVER () AS total
       FROM sla_reports WHERE org_id = $1 AND deleted_at IS NULL
       ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3`,
      [orgId, limit, offset],
    );
    const totalCount = rows[0] ? Number(rows[0].total) : Number((await this.sql.query<{ n: string }>(
      `SELECT count(*) AS n FROM sla_reports WHERE org_id = $1 AND deleted_at IS NULL`, [orgId])).rows[0].n);
    return { items: rows.map(fromRow), totalCount };
  }

  async delete(orgId: string, id: string, atMs: number): Promise<boolean> {
    const { rows } = await this.sql.query<{ id: string }>(
      `UPDATE sla_reports SET deleted_at = to_timestamp($3 / 1000.0) WHERE org_id = $1 AND id = $2 AND deleted_at IS NULL RETURNING id`,
      [orgId, id, atMs],
    );
    return rows.length > 0;
  }
}
