/**
 * The seam where the channel types plug into the delivery worker. Until the composition root
 * has a real sender (channel settings decrypted, SSRF-guarded HTTP, SMTP), deliveries are
 * attempted and recorded as failed with this reason, so nothing is silently dropped and the
 * alert records say why.
 */
import type { SqlClient } from '../../lib/ports/sql-client.js';
import type { ChannelTypeName, DeliverEvent } from '../channels/channel.js';
import type { ChannelLoader } from './worker.js';

export const NO_SENDER = 'no channel sender configured';

export const unconfiguredDeliverEvent: DeliverEvent = async () => ({ ok: false, statusCode: null, error: NO_SENDER });

/** Loads a channel's identity without its (sealed) settings: enough for the unconfigured sender. */
export function channelIdentityLoader(sql: SqlClient): ChannelLoader {
  return async (orgId, channelId) => {
    const { rows } = await sql.query<{ id: string; org_id: string; name: string; type: ChannelTypeName }>(
      `SELECT id, org_id, name, type FROM alert_channels WHERE org_id = $1 AND id = $2`,
      [orgId, channelId],
    );
    const r = rows[0];
    return r ? { id: r.id, orgId: r.org_id, name: r.name, type: r.type, settings: {}, signingSecrets: [] } : null;
  };
}
