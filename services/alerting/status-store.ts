import type { SqlClient } from '../lib/ports/sql-client.js';
import { initialState, type MonitorState, type RegionState } from './status-machine.js';

/**
 * Persists the state machine per monitor. `update` runs read-modify-write under a row
 * lock, so two evaluators (or a redelivery racing the original) never interleave.
 */
export class MonitorStatusStore {
  constructor(private readonly sql: SqlClient) {}

  /**
   * `alongside` runs in the same transaction after the new state is written, for what must
   * change with the status or not at all (incidents).
   */
  async update<T>(
    orgId: string,
    monitorId: string,
    fn: (state: MonitorState) => { state: MonitorState; result: T } | null,
    alongside?: (tx: SqlClient, result: T) => Promise<void>,
  ): Promise<T | null> {
    return this.sql.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO monitor_status (monitor_id, org_id, status) VALUES ($1, $2, 'Pending') ON CONFLICT (monitor_id) DO NOTHING`,
        [monitorId, orgId],
      );
      const { rows } = await tx.query<{ status: string; last_checked_at: Date | string | null; region_state: Record<string, RegionState> }>(
        `SELECT status, last_checked_at, region_state FROM monitor_status WHERE monitor_id = $1 FOR UPDATE`,
        [monitorId],
      );
      const row = rows[0];
      const current: MonitorState = row
        ? {
            status: row.status as MonitorState['status'],
            lastCheckedAtMs: row.last_checked_at ? new Date(row.last_checked_at).getTime() : null,
            regions: row.region_state ?? {},
          }
        : initialState();
      const out = fn(current);
      if (!out) return null;
      const { state } = out;
      await tx.query(
        `UPDATE monitor_status
            SET status = $2, last_checked_at = $3, region_state = $4,
                changed_at = CASE WHEN status = $2 THEN changed_at ELSE now() END
          WHERE monitor_id = $1`,
        [monitorId, state.status, state.lastCheckedAtMs === null ? null : new Date(state.lastCheckedAtMs), JSON.stringify(state.regions)],
      );
      await alongside?.(tx, out.result);
      return out.result;
    });
  }
}
