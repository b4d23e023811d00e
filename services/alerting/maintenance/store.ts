/** Maintenance windows in the control-plane store, and which of them hold a monitor now. */
import type { SqlClient } from '../../lib/ports/sql-client.js';
import { newId } from '../../lib/store/ids.js';
import { activeOccurrence, type MaintenanceMode, type Occurrence, type WindowSchedule } from './schedule.js';

export interface WindowTargets {
  monitorIds: string[] | null;
  tags: string[];
  allMonitors: boolean;
}

/** What a client sets: the schedule less the start-now / end-early state, which the API sets. */
export interface MaintenanceWindowInput extends WindowTargets, Omit<WindowSchedule, 'overrideStartMs' | 'overrideEndMs' | 'endedAtMs'> {
  name: string;
  mode: MaintenanceMode;
}

export interface MaintenanceWindow extends MaintenanceWindowInput, WindowSchedule {
  id: string;
  orgId: string;
  createdAt: Date;
  updatedAt: Date;
}

interface WindowRow {
  id: string; org_id: string; name: string; mode: MaintenanceMode;
  starts_at: Date | string | null; ends_at: Date | string | null; cron_expression: string | null; rrule: string | null;
  duration_minutes: number | null; timezone: string; anchor_at: Date | string;
  monitor_ids: string[] | null; tags: string[]; all_monitors: boolean;
  override_start_at: Date | string | null; override_end_at: Date | string | null; ended_at: Date | string | null;
  created_at: Date | string; updated_at: Date | string;
}

const ms = (v: Date | string | null) => (v === null ? null : new Date(v).getTime());

function fromRow(r: WindowRow): MaintenanceWindow {
  return {
    id: r.id, orgId: r.org_id, name: r.name, mode: r.mode, startsAtMs: ms(r.starts_at), endsAtMs: ms(r.ends_at),
    cronExpression: r.cron_expression, rrule: r.rrule, durationMinutes: r.duration_minutes, timezone: r.timezone, anchorMs: ms(r.anchor_at)!,
    monitorIds: r.monitor_ids, tags: r.tags, allMonitors: r.all_monitors,
    overrideStartMs: ms(r.override_start_at), overrideEndMs: ms(r.override_end_at), endedAtMs: ms(r.ended_at),
    createdAt: new Date(r.created_at), updatedAt: new Date(r.updated_at),
  };
}

/** Whether a window covers a monitor (by id, by every tag, or all). */
export function covers(w: WindowTargets, monitor: { id: string; tags: readonly string[] }): boolean {
  if (w.allMonitors) return true;
  if (w.monitorIds !== null) return w.monitorIds.includes(monitor.id);
  return w.tags.length > 0 && w.tags.every((t) => monitor.tags.includes(t));
}

export interface MonitorMaintenance { windowId: string; mode: MaintenanceMode; occurrence: Occurrence }

const ts = (v: number | null) => (v === null ? null : new Date(v).toISOString());

export class MaintenanceWindowStore {
  constructor(private readonly sql: SqlClient, private readonly now: () => number = Date.now) {}

  /** `tx`: the caller's transaction, when the window is announced on it. */
  async create(orgId: string, w: MaintenanceWindowInput, tx: SqlClient = this.sql): Promise<MaintenanceWindow> {
    const at = this.now();
    const { rows } = await tx.query<WindowRow>(
      `INSERT INTO maintenance_windows (id, org_id, name, mode, starts_at, ends_at, cron_expression, rrule, duration_minutes, timezone, anchor_at, monitor_ids, tags, all_monitors, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, to_timestamp($15 / 1000.0), to_timestamp($15 / 1000.0)) RETURNING *`,
      [newId('mw'), orgId, w.name, w.mode, ts(w.startsAtMs), ts(w.endsAtMs), w.cronExpression, w.rrule, w.durationMinutes, w.timezone, ts(w.anchorMs),
        w.monitorIds === null ? null : JSON.stringify(w.monitorIds), JSON.stringify(w.tags), w.allMonitors, at],
    );
    return fromRow(rows[0]!);
  }

  async replace(orgId: string, id: string, w: MaintenanceWindowInput): Promise<MaintenanceWindow | null> {
    const { rows } = await this.sql.query<WindowRow>(
      `UPDATE maintenance_windows SET name = $3, mode = $4, starts_at = $5, ends_at = $6, cron_expression = $7, rrule = $8, duration_minutes = $9,
         timezone = $10, anchor_at = $11, monitor_ids = $12, tags = $13, all_monitors = $14, updated_at = to_timestamp($15 / 1000.0)
        WHERE org_id = $1 AND id = $2 RETURNING *`,
      [orgId, id, w.name, w.mode, ts(w.startsAtMs), ts(w.endsAtMs), w.cronExpression, w.rrule, w.durationMinutes, w.timezone, ts(w.anchorMs),
        w.monitorIds === null ? null : JSON.stringify(w.monitorIds), JSON.stringify(w.tags), w.allMonitors, this.now()],
    );
    return rows[0] ? fromRow(rows[0]) : null;
  }

  async get(orgId: string, id: string): Promise<MaintenanceWindow | null> {
    const { rows } = await this.sql.query<WindowRow>(`SELECT * FROM maintenance_windows WHERE org_id = $1 AND id = $2`, [orgId, id]);
    return rows[0] ? fromRow(rows[0]) : null;
  }

  async list(orgId: string, limit = 1000, offset = 0): Promise<{ items: MaintenanceWindow[]; totalCount: number }> {
    const count = await this.sql.query<{ n: string | number }>(`SELECT count(*) AS n FROM maintenance_windows WHERE org_id = $1`, [orgId]);
    const { rows } = await this.sql.query<WindowRow>(`SELECT * FROM maintenance_windows WHERE org_id = $1 ORDER BY created_at, id LIMIT $2 OFFSET $3`, [orgId, limit, offset]);
    return { items: rows.map(fromRow), totalCount: Number(count.rows[0]?.n ?? 0) };
  }

  async delete(orgId: string, id: string): Promise<boolean> {
    return (await this.sql.query(`DELETE FROM maintenance_windows WHERE org_id = $1 AND id = $2`, [orgId, id])).rowCount > 0;
  }

  /** POST …/start: on from now until `untilMs`; clears an earlier end. */
  async startNow(orgId: string, id: string, fromMs: number, untilMs: number): Promise<MaintenanceWindow | null> {
    const { rows } = await this.sql.query<WindowRow>(
      `UPDATE maintenance_windows SET override_start_at = to_timestamp($3 / 1000.0), override_end_at = to_timestamp($4 / 1000.0), ended_at = NULL, updated_at = to_timestamp($3 / 1000.0)
        WHERE org_id = $1 AND id = $2 RETURNING *`,
      [orgId, id, fromMs, untilMs],
    );
    return rows[0] ? fromRow(rows[0]) : null;
  }

  /** POST …/end: ends the occurrence in force (and a start-now span) at `atMs`. */
  async endNow(orgId: string, id: string, atMs: number): Promise<MaintenanceWindow | null> {
    const { rows } = await this.sql.query<WindowRow>(
      `UPDATE maintenance_windows SET ended_at = to_timestamp($3 / 1000.0),
         override_end_at = CASE WHEN override_end_at > to_timestamp($3 / 1000.0) THEN to_timestamp($3 / 1000.0) ELSE override_end_at END,
         updated_at = to_timestamp($3 / 1000.0)
        WHERE org_id = $1 AND id = $2 RETURNING *`,
      [orgId, id, atMs],
    );
    return rows[0] ? fromRow(rows[0]) : null;
  }

  /** The windows holding each of the organization's given monitors at `tMs` (pause wins over mute). */
  async inForce(orgId: string, monitors: ReadonlyArray<{ id: string; tags: readonly string[] }>, tMs: number): Promise<Map<string, MonitorMaintenance>> {
    if (monitors.length === 0) return new Map();
    return (await this.inForceAt(orgId))(monitors, tMs);
  }

  /**
   * The organization's windows read once, for many questions at different times (the status
   * evaluator's batch of results): the returned function answers as `inForce` does.
   */
  async inForceAt(orgId: string): Promise<(monitors: ReadonlyArray<{ id: string; tags: readonly string[] }>, tMs: number) => Map<string, MonitorMaintenance>> {
    const { rows } = await this.sql.query<WindowRow>(`SELECT * FROM maintenance_windows WHERE org_id = $1 ORDER BY created_at, id`, [orgId]);
    const items = rows.map(fromRow);
    return (monitors, tMs) => holding(items, monitors, tMs);
  }
}

function holding(items: readonly MaintenanceWindow[], monitors: ReadonlyArray<{ id: string; tags: readonly string[] }>, tMs: number): Map<string, MonitorMaintenance> {
  const out = new Map<string, MonitorMaintenance>();
  for (const w of items) {
    const occurrence = activeOccurrence(w, tMs);
    if (!occurrence) continue;
    for (const m of monitors) {
      if (!covers(w, m)) continue;
      const held = out.get(m.id);
      if (!held || (held.mode === 'mute' && w.mode === 'pause')) out.set(m.id, { windowId: w.id, mode: w.mode, occurrence });
    }
  }
  return out;
}
