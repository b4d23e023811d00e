/**
 * Incidents in the control-plane store. Alerting opens one when a monitor goes Down and
 * resolves it when the monitor comes back, inside the transaction that stores the status
 * change, so a crash cannot leave a Down monitor without its incident (or the reverse).
 * People create, acknowledge, update and resolve them through IncidentLifecycle.
 */
import type { SqlClient } from '../lib/ports/sql-client.js';
import { newId } from '../lib/store/ids.js';
import type { RegionEvidence, StatusTransition } from './status-machine.js';
import { incidentFromRow, INCIDENT_COLUMNS, type Incident, type IncidentRow, type IncidentStatus, type IncidentUpdate } from './incident-model.js';

export * from './incident-model.js';

export interface IncidentQuery {
  monitorId?: string;
  status?: IncidentStatus;
  fromMs?: number;
  toMs?: number;
  limit: number;
  offset: number;
}

/** How long a resolved incident stays among the "recent" ones. */
export const RECENT_WINDOW_MS = 7 * 86_400_000;
const RECENT_LIMIT = 50;
const ACTIVE_LIMIT = 500;

/** The result that started the outage: the earliest first failure among the down regions. */
export function firstFailingResult(evidence: readonly RegionEvidence[]): string | null {
  let best: RegionEvidence | null = null;
  for (const e of evidence) {
    if (e.verdict !== 'down' || !e.firstFailingResultId) continue;
    if (!best || (e.firstFailureAtMs ?? Infinity) < (best.firstFailureAtMs ?? Infinity)) best = e;
  }
  return best?.firstFailingResultId ?? null;
}

export class IncidentStore {
  constructor(private readonly sql: SqlClient) {}

  /**
   * Applies a status change to the monitor's incidents, on `tx` (the status change's own
   * transaction): Down opens one unless one is open; leaving Down resolves the open one.
   * Returns what it did, which is what incident.created / incident.resolved announce.
   */
  async applyTransition(tx: SqlClient, monitor: { id: string; orgId: string; name: string }, transition: StatusTransition): Promise<{ opened: Incident | null; resolved: Incident | null }> {
    if (transition.to === 'Down') {
      const cause = transition.evidence.find((e) => e.verdict === 'down' && e.lastError)?.lastError ?? '';
      const { rows } = await tx.query<IncidentRow>(
        `INSERT INTO incidents (id, org_id, monitor_id, kind, severity, title, status, cause, started_at, evidence, first_failing_result_id)
         VALUES ($1, $2, $3, 'Automatic', 'Critical', $4, 'Open', $5, to_timestamp($6 / 1000.0), $7, $8)
         ON CONFLICT (monitor_id) WHERE status = 'Open' AND kind = 'Automatic' DO NOTHING
         RETURNING ${INCIDENT_COLUMNS}`,
        [newId('inc'), monitor.orgId, monitor.id, `${monitor.name} is down`, cause, transition.atMs, JSON.stringify(transition.evidence), firstFailingResult(transition.evidence)],
      );
      return { opened: rows[0] ? incidentFromRow(rows[0]) : null, resolved: null };
    }
    // Unknown (every region lost its agents) says nothing about the target: the incident stays as it is.
    if (transition.to === 'Unknown') return { opened: null, resolved: null };
    // Any other status but Down ends the outage: Up after Down, and also Pending → Up after a
    // resume (which forgets the status), so no incident outlives its monitor's recovery.
    return { opened: null, resolved: await this.resolveOpen(monitor.id, transition.atMs, tx) };
  }

  /**
   * Resolves the monitor's open automatic incident, if any (recovery, or a pause: paused
   * monitors have no outage). Manual incidents about the monitor are people's to resolve.
   */
  async resolveOpen(monitorId: string, atMs: number, tx: SqlClient = this.sql): Promise<Incident | null> {
    const { rows } = await tx.query<IncidentRow>(
      `UPDATE incidents SET status = 'Resolved', resolved_at = to_timestamp($2 / 1000.0)
        WHERE monitor_id = $1 AND status = 'Open' AND kind = 'Automatic' RETURNING ${INCIDENT_COLUMNS}`,
      [monitorId, atMs],
    );
    return rows[0] ? incidentFromRow(rows[0]) : null;
  }

  async list(orgId: string, q: IncidentQuery): Promise<{ items: Incident[]; totalCount: number }> {
    const where = ['org_id = $1'];
    const params: unknown[] = [orgId];
    const add = (clause: (p: string) => string, value: unknown) => {
      params.push(value);
      where.push(clause(`$${params.length}`));
    };
    if (q.monitorId) add((p) => `monitor_id = ${p}`, q.monitorId);
    if (q.status) add((p) => `status = ${p}`, q.status);
    if (q.fromMs !== undefined) add((p) => `started_at >= to_timestamp(${p} / 1000.0)`, q.fromMs);
    if (q.toMs !== undefined) add((p) => `started_at <= to_timestamp(${p} / 1000.0)`, q.toMs);
    const filter = where.join(' AND ');
    const count = await this.sql.query<{ n: string | number }>(`SELECT count(*) AS n FROM incidents WHERE ${filter}`, params);
    const { rows } = await this.sql.query<IncidentRow>(
      `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE ${filter} ORDER BY started_at DESC, id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, q.limit, q.offset],
    );
    return { items: rows.map(incidentFromRow), totalCount: Number(count.rows[0]?.n ?? 0) };
  }

  /** Open incidents and those resolved within the last week, newest first. */
  async recent(orgId: string, nowMs: number): Promise<Incident[]> {
    const { rows } = await this.sql.query<IncidentRow>(
      `SELECT ${INCIDENT_COLUMNS} FROM incidents
        WHERE org_id = $1 AND (status = 'Open' OR resolved_at >= to_timestamp($2 / 1000.0))
        ORDER BY started_at DESC, id DESC LIMIT $3`,
      [orgId, nowMs - RECENT_WINDOW_MS, RECENT_LIMIT],
    );
    return rows.map(incidentFromRow);
  }

  /** Incidents not yet resolved (acknowledged or not), newest first. */
  async active(orgId: string): Promise<Incident[]> {
    const { rows } = await this.sql.query<IncidentRow>(
      `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE org_id = $1 AND status = 'Open' ORDER BY started_at DESC, id DESC LIMIT $2`,
      [orgId, ACTIVE_LIMIT],
    );
    return rows.map(incidentFromRow);
  }

  /**
   * The monitors' incidents for a public status page: every open one, and those started
   * since `sinceMs`, newest first, at most `limit`.
   */
  async forMonitors(orgId: string, monitorIds: readonly string[], sinceMs: number, limit: number): Promise<Incident[]> {
    if (monitorIds.length === 0) return [];
    const { rows } = await this.sql.query<IncidentRow>(
      `SELECT ${INCIDENT_COLUMNS} FROM incidents
        WHERE org_id = $1 AND monitor_id = ANY($2::text[]) AND (status = 'Open' OR started_at >= to_timestamp($3 / 1000.0))
        ORDER BY started_at DESC, id DESC LIMIT $4`,
      [orgId, [...monitorIds], sinceMs, limit],
    );
    return rows.map(incidentFromRow);
  }

  /** The timelines of the given incidents, oldest update first. */
  async updatesOf(orgId: string, incidentIds: readonly string[]): Promise<IncidentUpdate[]> {
    if (incidentIds.length === 0) return [];
    const { rows } = await this.sql.query<{ id: string; incident_id: string; status: IncidentUpdate['status']; message: string; created_by: string | null; created_at: Date | string }>(
      `SELECT id, incident_id, status, message, created_by, created_at FROM incident_updates
        WHERE org_id = $1 AND incident_id = ANY($2::text[]) ORDER BY created_at, id`,
      [orgId, [...incidentIds]],
    );
    return rows.map((r) => ({ id: r.id, incidentId: r.incident_id, status: r.status, message: r.message, createdBy: r.created_by, createdAt: new Date(r.created_at) }));
  }

  async get(orgId: string, id: string, tx: SqlClient = this.sql, forUpdate = false): Promise<Incident | null> {
    const { rows } = await tx.query<IncidentRow>(
      `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE org_id = $1 AND id = $2${forUpdate ? ' FOR UPDATE' : ''}`,
      [orgId, id],
    );
    return rows[0] ? incidentFromRow(rows[0]) : null;
  }
}
