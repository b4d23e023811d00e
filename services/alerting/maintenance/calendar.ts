/**
 * Every organization's maintenance windows, held in memory and refreshed from the store, for
 * the scheduler's per-dispatch question "is this monitor paused by a window now?" (a query
 * per dispatch would cost a round trip per check). A window created or ended is seen within
 * one refresh interval.
 */
import type { SqlClient } from '../../lib/ports/sql-client.js';
import { activeOccurrence } from './schedule.js';
import { covers, MaintenanceWindowStore, type MaintenanceWindow } from './store.js';

export class MaintenanceCalendar {
  private byOrg = new Map<string, MaintenanceWindow[]>();

  constructor(private readonly sql: SqlClient) {}

  async refresh(): Promise<void> {
    const { rows } = await this.sql.query<{ org_id: string }>(`SELECT DISTINCT org_id FROM maintenance_windows`);
    const store = new MaintenanceWindowStore(this.sql);
    const next = new Map<string, MaintenanceWindow[]>();
    for (const { org_id } of rows) next.set(org_id, (await store.list(org_id)).items);
    this.byOrg = next;
  }

  /** Whether a `pause` window holds the monitor at `tMs` (its checks are not sent). */
  paused(monitor: { id: string; orgId: string; tags: readonly string[] }, tMs: number): boolean {
    return (this.byOrg.get(monitor.orgId) ?? []).some((w) => w.mode === 'pause' && covers(w, monitor) && activeOccurrence(w, tMs) !== null);
  }
}
