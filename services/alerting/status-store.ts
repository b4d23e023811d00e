import type { SqlClient } from '../lib/ports/sql-client.js';
import { initialState, type MonitorState, type RegionState } from './status-machine.js';

/**
 * The status rows of a batch of monitors, locked by one transaction (`updateMany`): read
 * once, changed in memory, written together at the end.
 */
export interface StatusBatch {
  readonly tx: SqlClient;
  /** The monitor's state as changed so far in this batch (Pending for a monitor never evaluated). */
  get(monitorId: string): MonitorState;
  /** Changes the monitor's state; written when the batch ends (or at the next `write`). */
  set(monitorId: string, state: MonitorState): void;
  /** Writes the states set so far now, in one statement, for what reads them next in this transaction. */
  write(): Promise<void>;
}

interface StatusRow {
  monitor_id: string;
  status: string;
  last_checked_at: Date | string | null;
  region_state: Record<string, RegionState>;
}

const fromRow = (row: StatusRow): MonitorState => ({
  status: row.status as MonitorState['status'],
  lastCheckedAtMs: row.last_checked_at ? new Date(row.last_checked_at).getTime() : null,
  regions: row.region_state ?? {},
});

/**
 * Persists the state machine per monitor. `updateMany` runs read-modify-write under row
 * locks, so two evaluators (or a redelivery racing the original) never interleave.
 */
export class MonitorStatusStore {
  constructor(private readonly sql: SqlClient) {}

  /**
   * One transaction for many monitors: locks and reads their rows (in monitor id order, so two
   * evaluators' batches cannot deadlock on each other over existing rows), creates and locks
   * the missing ones (a statement saved per batch once every monitor has a row), runs
   * `run`, and writes every state it set in one statement before committing. Rolls back
   * everything if `run` throws.
   */
  async updateMany<T>(monitors: ReadonlyArray<{ orgId: string; monitorId: string }>, run: (batch: StatusBatch) => Promise<T>): Promise<T> {
    const orgOf = new Map(monitors.map((m) => [m.monitorId, m.orgId]));
    const ids = [...orgOf.keys()].sort();
    return this.sql.transaction(async (tx) => {
      const lock = (of: string[]) => tx.query<StatusRow>(
        `SELECT monitor_id, status, last_checked_at, region_state FROM monitor_status WHERE monitor_id = ANY($1::text[]) ORDER BY monitor_id FOR UPDATE`,
        [of],
      );
      const { rows } = await lock(ids);
      if (rows.length < ids.length) {
        // Only a monitor's first results find no row: create the missing ones, then lock them too
        // (another evaluator may have created one meanwhile, so they are read back, not assumed).
        const found = new Set(rows.map((r) => r.monitor_id));
        const missing = ids.filter((id) => !found.has(id));
        await tx.query(
          `INSERT INTO monitor_status (monitor_id, org_id, status)
           SELECT monitor_id, org_id, 'Pending' FROM unnest($1::text[], $2::text[]) AS v(monitor_id, org_id)
           ON CONFLICT (monitor_id) DO NOTHING`,
          [missing, missing.map((id) => orgOf.get(id)!)],
        );
        rows.push(...(await lock(missing)).rows);
      }
      const states = new Map(rows.map((r) => [r.monitor_id, fromRow(r)]));
      const changed = new Map<string, MonitorState>();
      const batch: StatusBatch = {
        tx,
        get: (id) => changed.get(id) ?? states.get(id) ?? initialState(),
        set: (id, state) => void changed.set(id, state),
        write: async () => {
          if (changed.size === 0) return;
          const written = [...changed];
          changed.clear();
          for (const [id, state] of written) states.set(id, state);
          await tx.query(
            `UPDATE monitor_status AS s
                SET status = v.status, last_checked_at = to_timestamp(v.checked_ms / 1000.0), region_state = v.region_state::jsonb,
                    changed_at = CASE WHEN s.status = v.status THEN s.changed_at ELSE now() END
               FROM unnest($1::text[], $2::text[], $3::float8[], $4::text[]) AS v(monitor_id, status, checked_ms, region_state)
              WHERE s.monitor_id = v.monitor_id`,
            [written.map(([id]) => id), written.map(([, st]) => st.status), written.map(([, st]) => st.lastCheckedAtMs), written.map(([, st]) => JSON.stringify(st.regions))],
          );
        },
      };
      const out = await run(batch);
      await batch.write();
      return out;
    });
  }
}
