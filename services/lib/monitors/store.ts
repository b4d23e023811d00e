import type { SqlClient } from '../ports/sql-client.js';
import { DomainError } from '../errors.js';
import { newId } from '../store/ids.js';
import { randomBytes } from 'node:crypto';
import { monitorDefaults, type Monitor, type MonitorConfig, type MonitorStatus, type MonitorTypeName } from './model.js';

interface MonitorRow {
  id: string;
  org_id: string;
  config: MonitorConfig;
  paused: boolean;
  revision: string | number;
  created_at: Date | string;
  updated_at: Date | string;
  status: string | null;
  last_checked_at: Date | string | null;
  ping_token: string | null;
  degraded: boolean | null;
}

const SELECT = `
  SELECT m.id, m.org_id, m.config, m.paused, m.revision, m.created_at, m.updated_at,
         s.status, s.last_checked_at, m.ping_token, s.degraded
    FROM monitors m LEFT JOIN monitor_status s ON s.monitor_id = m.id`;

function toDate(v: Date | string): Date {
  return v instanceof Date ? v : new Date(v);
}

/** Built once: every monitor read (lists, the scheduler's reloads, each status batch) used to build them anew. */
const STORED_DEFAULTS: Record<string, unknown> = monitorDefaults([]);
const DEFAULT_KEYS = Object.keys(STORED_DEFAULTS);

/** A configuration stored before a field existed reads as that field's default (a copy: monitors never share one). */
function withStoredDefaults(config: MonitorRow['config']): MonitorRow['config'] {
  let missing = false;
  for (const k of DEFAULT_KEYS) if (!(k in config)) missing = true;
  if (!missing) return config;
  const out: Record<string, unknown> = {};
  for (const k of DEFAULT_KEYS) if (!(k in config)) out[k] = structuredClone(STORED_DEFAULTS[k]);
  return { ...out, ...config } as MonitorRow['config'];
}

function toMonitor(row: MonitorRow): Monitor {
  const evaluated = (row.status as MonitorStatus | null) ?? 'Pending';
  // Degraded is Up with a slow P95 (alerting sets the flag); Down, and a threshold switched off, win.
  const degraded = evaluated === 'Up' && row.degraded === true && row.config.p95ThresholdMs != null;
  const status: MonitorStatus = row.paused ? 'Paused' : degraded ? 'Degraded' : evaluated;
  return {
    ...withStoredDefaults(row.config),
    id: row.id,
    orgId: row.org_id,
    pingToken: row.ping_token,
    paused: row.paused,
    revision: Number(row.revision),
    status,
    lastCheckedAt: row.last_checked_at ? toDate(row.last_checked_at) : null,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === '23505';
}

const nameTaken = (name: string) =>
  new DomainError('CONFLICT', 'Monitor name already exists', `a monitor named "${name}" already exists in this organization (use PUT /api/monitors/by-name/{name} to upsert)`);

export interface MonitorListQuery {
  type?: MonitorTypeName;
  /** Every tag must be present (AND). */
  tags?: string[];
  limit: number;
  offset: number;
}

/** 128 random bits: the ping URL's only credential, so it must not be guessable. */
function newPingToken(): string {
  return randomBytes(16).toString('base64url');
}

/** Monitors of every organization; every method that takes an id also takes the org, so tenants never cross. */
export class MonitorStore {
  constructor(private readonly sql: SqlClient) {}

  async create(orgId: string, config: MonitorConfig): Promise<Monitor> {
    const id = newId('mon');
    try {
      await this.sql.query(
        `INSERT INTO monitors (id, org_id, name, type, config, regions, tags, interval_seconds, ping_token)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [id, orgId, config.name, config.type, JSON.stringify(config), config.regions, config.tags, config.intervalSeconds,
          config.type === 'Job' ? newPingToken() : null],
      );
    } catch (err) {
      if (isUniqueViolation(err)) throw nameTaken(config.name);
      throw err;
    }
    return (await this.get(orgId, id))!;
  }

  async get(orgId: string, id: string): Promise<Monitor | null> {
    const { rows } = await this.sql.query<MonitorRow>(`${SELECT} WHERE m.org_id = $1 AND m.id = $2`, [orgId, id]);
    return rows[0] ? toMonitor(rows[0]) : null;
  }

  async getByName(orgId: string, name: string): Promise<Monitor | null> {
    const { rows } = await this.sql.query<MonitorRow>(`${SELECT} WHERE m.org_id = $1 AND m.name = $2`, [orgId, name]);
    return rows[0] ? toMonitor(rows[0]) : null;
  }

  /** For internal consumers (scheduler, alerting) that hold only a monitor id. */
  /** The organization's monitors among `ids` (others' and missing ones left out), in no order. */
  async getMany(orgId: string, ids: readonly string[]): Promise<Monitor[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.sql.query<MonitorRow>(`${SELECT} WHERE m.org_id = $1 AND m.id = ANY($2::text[])`, [orgId, [...ids]]);
    return rows.map(toMonitor);
  }

  async getById(id: string): Promise<Monitor | null> {
    const { rows } = await this.sql.query<MonitorRow>(`${SELECT} WHERE m.id = $1`, [id]);
    return rows[0] ? toMonitor(rows[0]) : null;
  }

  /** getById for many ids in one query (the status evaluator's batch): missing ones left out, in no order. */
  async getByIds(ids: readonly string[]): Promise<Monitor[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.sql.query<MonitorRow>(`${SELECT} WHERE m.id = ANY($1::text[])`, [[...ids]]);
    return rows.map(toMonitor);
  }

  async list(orgId: string, q: MonitorListQuery): Promise<{ items: Monitor[]; totalCount: number }> {
    const where = ['m.org_id = $1'];
    const params: unknown[] = [orgId];
    if (q.type) {
      params.push(q.type);
      where.push(`m.type = $${params.length}`);
    }
    if (q.tags && q.tags.length) {
      params.push(q.tags);
      where.push(`m.tags @> $${params.length}::text[]`);
    }
    const filter = where.join(' AND ');
    const count = await this.sql.query<{ n: string | number }>(`SELECT count(*) AS n FROM monitors m WHERE ${filter}`, params);
    const { rows } = await this.sql.query<MonitorRow>(
      `${SELECT} WHERE ${filter} ORDER BY m.created_at, m.id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, q.limit, q.offset],
    );
    return { items: rows.map(toMonitor), totalCount: Number(count.rows[0]?.n ?? 0) };
  }

  /** Replaces the whole configuration; returns null when the monitor does not exist. */
  async replace(orgId: string, id: string, config: MonitorConfig): Promise<Monitor | null> {
    try {
      const res = await this.sql.query(
        `UPDATE monitors SET name = $3, type = $4, config = $5, regions = $6, tags = $7, interval_seconds = $8,
                ping_token = CASE WHEN $4 = 'Job' THEN coalesce(ping_token, $9) END,
                revision = revision + 1, updated_at = now()
          WHERE org_id = $1 AND id = $2`,
        [orgId, id, config.name, config.type, JSON.stringify(config), config.regions, config.tags, config.intervalSeconds, newPingToken()],
      );
      if (res.rowCount === 0) return null;
    } catch (err) {
      if (isUniqueViolation(err)) throw nameTaken(config.name);
      throw err;
    }
    return this.get(orgId, id);
  }

  /**
   * Pauses or resumes. Resuming forgets the status the monitor had before the pause: it is
   * Pending until its first check, since a stale Up or Down would be a lie.
   */
  async setPaused(orgId: string, id: string, paused: boolean): Promise<Monitor | null> {
    await this.sql.transaction(async (tx) => {
      const res = await tx.query(
        `UPDATE monitors SET paused = $3, updated_at = now() WHERE org_id = $1 AND id = $2 AND paused <> $3`, [orgId, id, paused]);
      if (res.rowCount > 0 && !paused) await tx.query(`DELETE FROM monitor_status WHERE monitor_id = $1`, [id]);
    });
    return this.get(orgId, id);
  }

  async delete(orgId: string, id: string): Promise<boolean> {
    const res = await this.sql.query(`DELETE FROM monitors WHERE org_id = $1 AND id = $2`, [orgId, id]);
    return res.rowCount > 0;
  }

  /** Every monitor the scheduler should be checking. */
  async listActive(): Promise<Monitor[]> {
    const { rows } = await this.sql.query<MonitorRow>(`${SELECT} WHERE NOT m.paused ORDER BY m.id`);
    return rows.map(toMonitor);
  }

  /**
   * One page of them, in id order after `afterId` (from the first when null): the scheduler
   * reloads a million monitors a page at a time, never holding them all as rows at once.
   * Keyset paging on the primary key, so a page costs the same wherever it starts.
   */
  async listActivePage(afterId: string | null, limit: number): Promise<Monitor[]> {
    const { rows } = afterId === null
      ? await this.sql.query<MonitorRow>(`${SELECT} WHERE NOT m.paused ORDER BY m.id LIMIT $1`, [limit])
      : await this.sql.query<MonitorRow>(`${SELECT} WHERE NOT m.paused AND m.id > $1 ORDER BY m.id LIMIT $2`, [afterId, limit]);
    return rows.map(toMonitor);
  }
}
