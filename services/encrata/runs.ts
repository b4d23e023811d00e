/**
 * Runs of entity monitors: opened by the scheduler loop when a monitor falls due, counted by
 * the workers chunk by chunk (each chunk once, however often its message is delivered),
 * finished when the last chunk is in.
 */
import { randomUUID } from 'node:crypto';
import type { SqlClient } from '../lib/ports/sql-client.js';

export interface RunTally { changed: number; unchanged: number; inconclusive: number }

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());

export class RunStore {
  constructor(private readonly sql: SqlClient) {}

  async open(tx: SqlClient, m: { id: string; orgId: string }, trigger: 'scheduled' | 'requested', baseline: boolean, targets: number, chunks: number, nowMs: number): Promise<string> {
    const id = randomUUID();
    await tx.query(
      `INSERT INTO encrata_runs (id, monitor_id, org_id, trigger, baseline, chunks_total, targets_total, started_at, finished_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, to_timestamp($8 / 1000.0), CASE WHEN $6 = 0 THEN to_timestamp($8 / 1000.0) END)`,
      [id, m.id, m.orgId, trigger, baseline, chunks, targets, nowMs]);
    return id;
  }

  /**
   * Counts a chunk on `tx` (the transaction that stored its snapshots); false when it was
   * counted before (a redelivered message), so its changes are not reported twice.
   */
  async countChunk(tx: SqlClient, runId: string, chunk: number, tally: RunTally, nowMs: number): Promise<boolean> {
    const { rowCount } = await tx.query(`INSERT INTO encrata_run_chunks (run_id, chunk) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [runId, chunk]);
    if (rowCount === 0) return false;
    await tx.query(
      `UPDATE encrata_runs SET chunks_done = chunks_done + 1, targets_changed = targets_changed + $2, targets_unchanged = targets_unchanged + $3,
         targets_inconclusive = targets_inconclusive + $4,
         finished_at = CASE WHEN chunks_done + 1 >= chunks_total THEN to_timestamp($5 / 1000.0) ELSE finished_at END
       WHERE id = $1`,
      [runId, tally.changed, tally.unchanged, tally.inconclusive, nowMs]);
    return true;
  }

  async list(monitorId: string, limit: number, offset: number) {
    const { rows } = await this.sql.query<{ id: string; trigger: string; baseline: boolean; targets_total: number; targets_changed: number; targets_unchanged: number; targets_inconclusive: number; started_at: Date | string; finished_at: Date | string | null }>(
      `SELECT id, trigger, baseline, targets_total, targets_changed, targets_unchanged, targets_inconclusive, started_at, finished_at
       FROM encrata_runs WHERE monitor_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2 OFFSET $3`, [monitorId, limit, offset]);
    const { rows: count } = await this.sql.query<{ n: string }>(`SELECT count(*) AS n FROM encrata_runs WHERE monitor_id = $1`, [monitorId]);
    return {
      items: rows.map((r) => ({
        id: r.id, trigger: r.trigger, baseline: r.baseline, targets_total: Number(r.targets_total), targets_changed: Number(r.targets_changed),
        targets_unchanged: Number(r.targets_unchanged), targets_inconclusive: Number(r.targets_inconclusive), started_at: iso(r.started_at)!, finished_at: iso(r.finished_at),
      })),
      total_count: Number(count[0].n),
    };
  }
}
