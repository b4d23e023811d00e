/**
 * Alert channels as rows, for outbox and worker tests: the channel CRUD (and its sealing of
 * settings) is another module's; these tests need only a channel's identity.
 */
import { randomBytes } from 'node:crypto';
import type { SqlClient } from '../../services/lib/ports/sql-client.js';

export async function insertChannel(sql: SqlClient, orgId: string, name = 'hook', type = 'Webhook'): Promise<string> {
  const id = `ch_${randomBytes(8).toString('hex')}`;
  await sql.query(
    `INSERT INTO alert_channels (id, org_id, name, type, settings_sealed, signing_sealed) VALUES ($1, $2, $3, $4, 'sealed', 'sealed')`,
    [id, orgId, name, type],
  );
  return id;
}

export async function eventsOf(sql: SqlClient, monitorId: string): Promise<Array<{ id: string; type: string }>> {
  return (await sql.query<{ id: string; type: string }>(`SELECT id, type FROM alert_events WHERE monitor_id = $1 ORDER BY created_at, id`, [monitorId])).rows;
}

export async function deliveriesOf(sql: SqlClient, monitorId: string): Promise<Array<{ id: string; event_id: string; channel_id: string; status: string; alert_type: string }>> {
  return (await sql.query<{ id: string; event_id: string; channel_id: string; status: string; alert_type: string }>(
    `SELECT id, event_id, channel_id, status, alert_type FROM alert_deliveries WHERE monitor_id = $1 ORDER BY created_at, id`, [monitorId],
  )).rows;
}
