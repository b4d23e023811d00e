/**
 * Entity monitors, their targets, contact lists, snapshots and change history in the
 * control-plane store. Every read and write names the organization: another
 * organization's monitor or list is as absent as a missing one.
 */
import { randomUUID } from 'node:crypto';
import type { SqlClient } from '../lib/ports/sql-client.js';
import type { ChangeDetection, DataSourceType, EntityMonitorStatus, EntityType, Frequency } from './model.js';

export interface EntityMonitor {
  id: string;
  orgId: string;
  name: string;
  monitorType: EntityType;
  frequency: Frequency;
  changeDetection: ChangeDetection;
  status: EntityMonitorStatus;
  trackedFields: string[];
  dataSourceType: DataSourceType;
  dataSourceRef: string | null;
  targetCount: number;
  nextRunAtMs: number;
  runRequestedAtMs: number | null;
  lastRunAtMs: number | null;
  createdAtMs: number;
  updatedAtMs: number;
}

export interface NewEntityMonitor {
  name: string;
  monitorType: EntityType;
  frequency: Frequency;
  changeDetection: ChangeDetection;
  trackedFields: string[];
  dataSourceType: DataSourceType;
  dataSourceRef: string | null;
  /** Normalised, in order (empty for a list source). */
  targets: string[];
}

export interface ContactList {
  id: string;
  name: string;
  entryType: EntityType;
  entryCount: number;
  createdAtMs: number;
  updatedAtMs: number;
}

export interface TargetSnapshot {
  target: string;
  hash: string;
  record: Record<string, unknown>;
  inconclusive: string[];
  enrichedAtMs: number;
  changedAtMs: number;
}

export interface TargetChange {
  id: string;
  runId: string;
  target: string;
  changes: FieldChange[];
  createdAtMs: number;
}

export interface FieldChange {
  field: string;
  kind: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
}

const ms = (v: Date | string | null): number | null => (v === null ? null : new Date(v).getTime());
const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) as T : v as T);

interface MonitorRow {
  id: string; org_id: string; name: string; monitor_type: EntityType; frequency: Frequency; change_detection: ChangeDetection;
  status: EntityMonitorStatus; tracked_fields: unknown; data_source_type: DataSourceType; data_source_ref: string | null;
  target_count: string | number; next_run_at: Date | string; run_requested_at: Date | string | null; last_run_at: Date | string | null;
  created_at: Date | string; updated_at: Date | string;
}

const MONITOR_COLUMNS = `m.id, m.org_id, m.name, m.monitor_type, m.frequency, m.change_detection, m.status, m.tracked_fields,
  m.data_source_type, m.data_source_ref, m.next_run_at, m.run_requested_at, m.last_run_at, m.created_at, m.updated_at,
  CASE WHEN m.data_source_type = 'list'
    THEN (SELECT count(*) FROM encrata_contact_list_entries e WHERE e.list_id = m.data_source_ref)
    ELSE (SELECT count(*) FROM encrata_targets t WHERE t.monitor_id = m.id) END AS target_count`;

const monitorOf = (r: MonitorRow): EntityMonitor => ({
  id: r.id, orgId: r.org_id, name: r.name, monitorType: r.monitor_type, frequency: r.frequency, changeDetection: r.change_detection,
  status: r.status, trackedFields: json<string[]>(r.tracked_fields), dataSourceType: r.data_source_type, dataSourceRef: r.data_source_ref,
  targetCount: Number(r.target_count), nextRunAtMs: ms(r.next_run_at)!, runRequestedAtMs: ms(r.run_requested_at), lastRunAtMs: ms(r.last_run_at),
  createdAtMs: ms(r.created_at)!, updatedAtMs: ms(r.updated_at)!,
});

interface ListRow { id: string; name: string; entry_type: EntityType; entry_count: string | number; created_at: Date | string; updated_at: Date | string }
const listOf = (r: ListRow): ContactList => ({ id: r.id, name: r.name, entryType: r.entry_type, entryCount: Number(r.entry_count), createdAtMs: ms(r.created_at)!, updatedAtMs: ms(r.updated_at)! });
const LIST_COLUMNS = `l.id, l.name, l.entry_type, l.created_at, l.updated_at, (SELECT count(*) FROM encrata_contact_list_entries e WHERE e.list_id = l.id) AS entry_count`;

/** Inserts values in slices, so a 10,000-target list is a few statements, not 10,000. */
async function insertValues(tx: SqlClient, sql: (placeholders: string) => string, rows: unknown[][], width: number): Promise<void> {
  const slice = Math.floor(1000 / width);
  for (let i = 0; i < rows.length; i += slice) {
    const part = rows.slice(i, i + slice);
    const placeholders = part.map((_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(', ')})`).join(', ');
    await tx.query(sql(placeholders), part.flat());
  }
}

export class EntityMonitorStore {
  constructor(private readonly sql: SqlClient) {}

  async create(orgId: string, m: NewEntityMonitor, nowMs: number, nextRunAtMs: number): Promise<EntityMonitor> {
    const id = randomUUID();
    await this.sql.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO encrata_monitors (id, org_id, name, monitor_type, frequency, change_detection, status, tracked_fields, data_source_type, data_source_ref, next_run_at, run_requested_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'active', $7::jsonb, $8, $9, to_timestamp($10 / 1000.0), to_timestamp($11 / 1000.0), to_timestamp($11 / 1000.0), to_timestamp($11 / 1000.0))`,
        [id, orgId, m.name, m.monitorType, m.frequency, m.changeDetection, JSON.stringify(m.trackedFields), m.dataSourceType, m.dataSourceRef, nextRunAtMs, nowMs],
      );
      await this.writeTargets(tx, id, m.targets);
    });
    return (await this.get(orgId, id))!;
  }

  private async writeTargets(tx: SqlClient, monitorId: string, targets: readonly string[]): Promise<void> {
    await tx.query(`DELETE FROM encrata_targets WHERE monitor_id = $1`, [monitorId]);
    await insertValues(tx, (p) => `INSERT INTO encrata_targets (monitor_id, value, position) VALUES ${p}`, targets.map((t, i) => [monitorId, t, i]), 3);
  }

  async get(orgId: string, id: string): Promise<EntityMonitor | null> {
    const { rows } = await this.sql.query<MonitorRow>(`SELECT ${MONITOR_COLUMNS} FROM encrata_monitors m WHERE m.org_id = $1 AND m.id = $2`, [orgId, id]);
    return rows[0] ? monitorOf(rows[0]) : null;
  }

  async getById(id: string): Promise<EntityMonitor | null> {
    const { rows } = await this.sql.query<MonitorRow>(`SELECT ${MONITOR_COLUMNS} FROM encrata_monitors m WHERE m.id = $1`, [id]);
    return rows[0] ? monitorOf(rows[0]) : null;
  }

  async list(orgId: string, filter: { monitorType?: EntityType; status?: EntityMonitorStatus }, limit: number, offset: number): Promise<{ items: EntityMonitor[]; totalCount: number }> {
    const where = `m.org_id = $1 AND ($2::text IS NULL OR m.monitor_type = $2) AND ($3::text IS NULL OR m.status = $3)`;
    const params = [orgId, filter.monitorType ?? null, filter.status ?? null];
    const { rows } = await this.sql.query<MonitorRow>(`SELECT ${MONITOR_COLUMNS} FROM encrata_monitors m WHERE ${where} ORDER BY m.created_at, m.id LIMIT $4 OFFSET $5`, [...params, limit, offset]);
    const { rows: count } = await this.sql.query<{ n: string }>(`SELECT count(*) AS n FROM encrata_monitors m WHERE ${where}`, params);
    return { items: rows.map(monitorOf), totalCount: Number(count[0].n) };
  }

  async count(orgId: string): Promise<number> {
    const { rows } = await this.sql.query<{ n: string }>(`SELECT count(*) AS n FROM encrata_monitors WHERE org_id = $1`, [orgId]);
    return Number(rows[0].n);
  }

  /** Replaces the settings given (and the targets, when given); null = no such monitor. */
  async update(orgId: string, id: string, patch: Partial<Pick<EntityMonitor, 'name' | 'frequency' | 'changeDetection' | 'trackedFields' | 'dataSourceType' | 'dataSourceRef' | 'nextRunAtMs'>> & { targets?: string[] }, nowMs: number): Promise<EntityMonitor | null> {
    const found = await this.sql.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: string }>(
        `UPDATE encrata_monitors SET
           name = COALESCE($3, name), frequency = COALESCE($4, frequency), change_detection = COALESCE($5, change_detection),
           tracked_fields = COALESCE($6::jsonb, tracked_fields), data_source_type = COALESCE($7, data_source_type),
           data_source_ref = CASE WHEN $8 THEN $9 ELSE data_source_ref END,
           next_run_at = COALESCE(to_timestamp($10 / 1000.0), next_run_at), updated_at = to_timestamp($11 / 1000.0)
         WHERE org_id = $1 AND id = $2 RETURNING id`,
        [orgId, id, patch.name ?? null, patch.frequency ?? null, patch.changeDetection ?? null, patch.trackedFields ? JSON.stringify(patch.trackedFields) : null,
          patch.dataSourceType ?? null, 'dataSourceRef' in patch, patch.dataSourceRef ?? null, patch.nextRunAtMs ?? null, nowMs],
      );
      if (!rows[0]) return false;
      if (patch.targets) await this.writeTargets(tx, id, patch.targets);
      return true;
    });
    return found ? this.get(orgId, id) : null;
  }

  async setStatus(orgId: string, id: string, status: EntityMonitorStatus, nowMs: number, nextRunAtMs?: number): Promise<EntityMonitor | null> {
    const { rows } = await this.sql.query<{ id: string }>(
      `UPDATE encrata_monitors SET status = $3, next_run_at = COALESCE(to_timestamp($5 / 1000.0), next_run_at), updated_at = to_timestamp($4 / 1000.0) WHERE org_id = $1 AND id = $2 RETURNING id`,
      [orgId, id, status, nowMs, nextRunAtMs ?? null]);
    return rows[0] ? this.get(orgId, id) : null;
  }

  /** Asks the scheduler loop for a run at its next scan. */
  async requestRun(orgId: string, id: string, nowMs: number): Promise<EntityMonitor | null> {
    const { rows } = await this.sql.query<{ id: string }>(
      `UPDATE encrata_monitors SET run_requested_at = to_timestamp($3 / 1000.0) WHERE org_id = $1 AND id = $2 RETURNING id`, [orgId, id, nowMs]);
    return rows[0] ? this.get(orgId, id) : null;
  }

  async delete(orgId: string, id: string): Promise<boolean> {
    const { rowCount } = await this.sql.query(`DELETE FROM encrata_monitors WHERE org_id = $1 AND id = $2`, [orgId, id]);
    return rowCount > 0;
  }

  /** A monitor's targets as of now: its own, or its contact list's entries (a list's edits count from the next run). */
  async targetsOf(monitor: Pick<EntityMonitor, 'id' | 'dataSourceType' | 'dataSourceRef'>): Promise<string[]> {
    const { rows } = monitor.dataSourceType === 'list'
      ? await this.sql.query<{ value: string }>(`SELECT value FROM encrata_contact_list_entries WHERE list_id = $1 ORDER BY created_at, value`, [monitor.dataSourceRef])
      : await this.sql.query<{ value: string }>(`SELECT value FROM encrata_targets WHERE monitor_id = $1 ORDER BY position`, [monitor.id]);
    return rows.map((r) => r.value);
  }

  async pins(monitorId: string): Promise<Map<string, string>> {
    const { rows } = await this.sql.query<{ value: string; pinned_id: string }>(`SELECT value, pinned_id FROM encrata_targets WHERE monitor_id = $1 AND pinned_id IS NOT NULL`, [monitorId]);
    return new Map(rows.map((r) => [r.value, r.pinned_id]));
  }

  async pin(monitorId: string, target: string, pinnedId: string | null): Promise<boolean> {
    const { rowCount } = await this.sql.query(`UPDATE encrata_targets SET pinned_id = $3 WHERE monitor_id = $1 AND value = $2`, [monitorId, target, pinnedId]);
    return rowCount > 0;
  }

  // --- snapshots and changes ---

  async snapshots(monitorId: string, targets?: readonly string[]): Promise<Map<string, TargetSnapshot>> {
    const { rows } = await this.sql.query<{ target: string; hash: string; record: unknown; inconclusive: unknown; enriched_at: Date | string; changed_at: Date | string }>(
      `SELECT target, hash, record, inconclusive, enriched_at, changed_at FROM encrata_snapshots WHERE monitor_id = $1 AND ($2::text[] IS NULL OR target = ANY($2::text[]))`,
      [monitorId, targets ? [...targets] : null]);
    return new Map(rows.map((r) => [r.target, { target: r.target, hash: r.hash, record: json(r.record), inconclusive: json(r.inconclusive), enrichedAtMs: ms(r.enriched_at)!, changedAtMs: ms(r.changed_at)! }]));
  }

  async changes(monitorId: string, target: string | null, limit: number, offset: number): Promise<{ items: TargetChange[]; totalCount: number }> {
    const where = `monitor_id = $1 AND ($2::text IS NULL OR target = $2)`;
    const { rows } = await this.sql.query<{ id: string; run_id: string; target: string; changes: unknown; created_at: Date | string }>(
      `SELECT id, run_id, target, changes, created_at FROM encrata_changes WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4`, [monitorId, target, limit, offset]);
    const { rows: count } = await this.sql.query<{ n: string }>(`SELECT count(*) AS n FROM encrata_changes WHERE ${where}`, [monitorId, target]);
    return { items: rows.map((r) => ({ id: r.id, runId: r.run_id, target: r.target, changes: json(r.changes), createdAtMs: ms(r.created_at)! })), totalCount: Number(count[0].n) };
  }

  // --- contact lists ---

  async createList(orgId: string, name: string, entryType: EntityType, entries: readonly string[], nowMs: number): Promise<ContactList> {
    const id = randomUUID();
    await this.sql.transaction(async (tx) => {
      await tx.query(`INSERT INTO encrata_contact_lists (id, org_id, name, entry_type, created_at, updated_at) VALUES ($1, $2, $3, $4, to_timestamp($5 / 1000.0), to_timestamp($5 / 1000.0))`, [id, orgId, name, entryType, nowMs]);
      await this.insertEntries(tx, id, entries, nowMs);
    });
    return (await this.getList(orgId, id))!;
  }

  private async insertEntries(tx: SqlClient, listId: string, entries: readonly string[], nowMs: number): Promise<void> {
    // Sequential created_at keeps the list's order when read back.
    await insertValues(tx, (p) => `INSERT INTO encrata_contact_list_entries (list_id, value, created_at) VALUES ${p} ON CONFLICT DO NOTHING`,
      entries.map((v, i) => [listId, v, new Date(nowMs + i / 1000).toISOString()]), 3);
  }

  async getList(orgId: string, id: string): Promise<ContactList | null> {
    const { rows } = await this.sql.query<ListRow>(`SELECT ${LIST_COLUMNS} FROM encrata_contact_lists l WHERE l.org_id = $1 AND l.id = $2`, [orgId, id]);
    return rows[0] ? listOf(rows[0]) : null;
  }

  async lists(orgId: string, limit: number, offset: number): Promise<{ items: ContactList[]; totalCount: number }> {
    const { rows } = await this.sql.query<ListRow>(`SELECT ${LIST_COLUMNS} FROM encrata_contact_lists l WHERE l.org_id = $1 ORDER BY l.created_at, l.id LIMIT $2 OFFSET $3`, [orgId, limit, offset]);
    const { rows: count } = await this.sql.query<{ n: string }>(`SELECT count(*) AS n FROM encrata_contact_lists WHERE org_id = $1`, [orgId]);
    return { items: rows.map(listOf), totalCount: Number(count[0].n) };
  }

  async renameList(orgId: string, id: string, name: string, nowMs: number): Promise<ContactList | null> {
    const { rows } = await this.sql.query<{ id: string }>(`UPDATE encrata_contact_lists SET name = $3, updated_at = to_timestamp($4 / 1000.0) WHERE org_id = $1 AND id = $2 RETURNING id`, [orgId, id, name, nowMs]);
    return rows[0] ? this.getList(orgId, id) : null;
  }

  /** False when a monitor still reads the list (the caller answers 409). */
  async deleteList(orgId: string, id: string): Promise<'deleted' | 'missing' | 'in_use'> {
    const { rows } = await this.sql.query<{ n: string }>(`SELECT count(*) AS n FROM encrata_monitors WHERE data_source_ref = $1`, [id]);
    if (Number(rows[0].n) > 0) return (await this.getList(orgId, id)) ? 'in_use' : 'missing';
    const { rowCount } = await this.sql.query(`DELETE FROM encrata_contact_lists WHERE org_id = $1 AND id = $2`, [orgId, id]);
    return rowCount > 0 ? 'deleted' : 'missing';
  }

  async entries(listId: string, limit: number, offset: number): Promise<{ items: Array<{ value: string; createdAtMs: number }>; totalCount: number }> {
    const { rows } = await this.sql.query<{ value: string; created_at: Date | string }>(`SELECT value, created_at FROM encrata_contact_list_entries WHERE list_id = $1 ORDER BY created_at, value LIMIT $2 OFFSET $3`, [listId, limit, offset]);
    const { rows: count } = await this.sql.query<{ n: string }>(`SELECT count(*) AS n FROM encrata_contact_list_entries WHERE list_id = $1`, [listId]);
    return { items: rows.map((r) => ({ value: r.value, createdAtMs: ms(r.created_at)! })), totalCount: Number(count[0].n) };
  }

  /** Adds entries (those already in the list are kept once); returns the list. */
  async addEntries(orgId: string, listId: string, entries: readonly string[], nowMs: number): Promise<void> {
    await this.sql.transaction(async (tx) => {
      await this.insertEntries(tx, listId, entries, nowMs);
      await tx.query(`UPDATE encrata_contact_lists SET updated_at = to_timestamp($3 / 1000.0) WHERE org_id = $1 AND id = $2`, [orgId, listId, nowMs]);
    });
  }

  async replaceEntries(orgId: string, listId: string, entries: readonly string[], nowMs: number): Promise<void> {
    await this.sql.transaction(async (tx) => {
      await tx.query(`DELETE FROM encrata_contact_list_entries WHERE list_id = $1`, [listId]);
      await this.insertEntries(tx, listId, entries, nowMs);
      await tx.query(`UPDATE encrata_contact_lists SET updated_at = to_timestamp($3 / 1000.0) WHERE org_id = $1 AND id = $2`, [orgId, listId, nowMs]);
    });
  }

  async removeEntry(listId: string, value: string): Promise<boolean> {
    const { rowCount } = await this.sql.query(`DELETE FROM encrata_contact_list_entries WHERE list_id = $1 AND value = $2`, [listId, value]);
    return rowCount > 0;
  }
}
