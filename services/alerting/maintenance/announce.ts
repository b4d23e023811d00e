/**
 * Tells status page subscribers of a new maintenance window (issue 13): the window's first
 * occurrence (the current one, or the next) for the monitors it covers, one event on the
 * window's transaction, mailed only to the confirmed subscribers of the organization's pages
 * that show one of them. A window with no occurrence ahead is announced to no one.
 */
import type { SqlClient } from '../../lib/ports/sql-client.js';
import { ALERT_TYPE_OF_EVENT } from '../events.js';
import type { AlertOutbox } from '../deliveries/outbox.js';
import { activeOccurrence, nextStart } from './schedule.js';
import { covers, type MaintenanceWindow } from './store.js';

export async function announceMaintenance(tx: SqlClient, outbox: AlertOutbox, w: MaintenanceWindow, orgId: string, atMs: number): Promise<number> {
  const current = activeOccurrence(w, atMs);
  const startMs = current?.startMs ?? nextStart(w, atMs);
  if (startMs === null) return 0;
  const endMs = current?.endMs ?? (w.cronExpression || w.rrule ? startMs + (w.durationMinutes ?? 60) * 60_000 : (w.endsAtMs ?? startMs));
  const { rows } = await tx.query<{ id: string; tags: string[] }>(`SELECT id, tags FROM monitors WHERE org_id = $1`, [orgId]);
  const covered = rows.filter((m) => covers(w, m)).map((m) => m.id);
  if (covered.length === 0) return 0;
  const startsAt = new Date(startMs).toISOString();
  return outbox.enqueueMaintenanceForSubscribers(tx, orgId, covered, {
    event: 'maintenance.scheduled', orgId, monitor: null,
    alert: { type: ALERT_TYPE_OF_EVENT['maintenance.scheduled'], message: `Scheduled maintenance: ${w.name}`, timestamp: new Date(atMs).toISOString(), responseTimeMs: null },
    maintenance: { id: w.id, name: w.name, startsAt, endsAt: new Date(endMs).toISOString() },
  }, atMs);
}
