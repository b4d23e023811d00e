/**
 * Every organization's maintenance windows, held in memory and refreshed from the store, for
 * questions asked per check where a query each would cost a round trip: the scheduler's "is
 * this monitor paused by a window now?" and ingest's "did a window hold this monitor when the
 * check started?" (the check is then left out of uptime). A window created or ended is seen
 * within one refresh interval; a failed refresh keeps the last windows known.
 */
import type { SqlClient } from '../../lib/ports/sql-client.js';
import { activeOccurrence } from './schedule.js';
import { covers, MaintenanceWindowStore, type MaintenanceWindow } from './store.js';

interface HeldWindow {
  window: MaintenanceWindow;
  /** For a window that targets tags: the monitors carrying every tag, at the last refresh. */
  tagged: ReadonlySet<string> | null;
}

export class MaintenanceCalendar {
  private byOrg = new Map<string, HeldWindow[]>();

  constructor(private readonly sql: SqlClient) {}

  async refresh(): Promise<void> {
    const { rows } = await this.sql.query<{ org_id: string }>(`SELECT DISTINCT org_id FROM maintenance_windows`);
    const store = new MaintenanceWindowStore(this.sql);
    const next = new Map<string, HeldWindow[]>();
    for (const { org_id } of rows) {
      const held: HeldWindow[] = [];
      for (const window of (await store.list(org_id)).items) {
        let tagged: Set<string> | null = null;
        if (!window.allMonitors && window.monitorIds === null) {
          const { rows: ids } = await this.sql.query<{ id: string }>(`SELECT id FROM monitors WHERE org_id = $1 AND tags @> $2::text[]`, [org_id, window.tags]);
          tagged = new Set(ids.map((r) => r.id));
        }
        held.push({ window, tagged });
      }
      next.set(org_id, held);
    }
    this.byOrg = next;
  }

  /** Whether a `pause` window holds the monitor at `tMs` (its checks are not sent). */
  paused(monitor: { id: string; orgId: string; tags: readonly string[] }, tMs: number): boolean {
    return (this.byOrg.get(monitor.orgId) ?? []).some(({ window: w }) => w.mode === 'pause' && covers(w, monitor) && activeOccurrence(w, tMs) !== null);
  }

  /**
   * Whether any window (mute or pause) held the monitor at `tMs`, knowing only its id:
   * a tag window's monitors are those that carried its tags at the last refresh.
   */
  holds(orgId: string, monitorId: string, tMs: number): boolean {
    return (this.byOrg.get(orgId) ?? []).some(({ window: w, tagged }) =>
      (tagged ? tagged.has(monitorId) : covers(w, { id: monitorId, tags: [] })) && activeOccurrence(w, tMs) !== null);
  }
}
