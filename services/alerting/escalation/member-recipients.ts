/**
 * Team members as escalation targets ("notify these team members by email"). A member is
 * delivered to like an Email channel of one recipient: the step's event gets one outbox
 * delivery per member, whose `channel_id` is the member's id (`mem_…`, never a `ch_…`), so
 * the (event, channel) key still makes a step's mail to a member unique. When the delivery
 * is sent, `withTeamMembers` turns that id into an Email channel with the member's current
 * address; the operator's SMTP (PHAROS_SMTP_URL) sends it like any Email channel's.
 */
import type { SqlClient } from '../../lib/ports/sql-client.js';
import type { StoredChannel } from '../channels/channel.js';
import type { ChannelLoader } from '../deliveries/worker.js';

export const MEMBER_ID_PREFIX = 'mem_';

/** Which of these ids are members of one of the organization's teams. */
export async function existingMemberIds(sql: SqlClient, orgId: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await sql.query<{ id: string }>(
    `SELECT m.id FROM team_members m JOIN teams t ON t.id = m.team_id WHERE t.org_id = $1 AND m.id = ANY($2::text[])`, [orgId, [...ids]],
  );
  return new Set(rows.map((r) => r.id));
}

export interface MemberTarget { id: string; name: string; email: string }

/** The organization's members among `ids`, in the order given; ids of members removed since are passed over. */
export async function memberTargets(sql: SqlClient, orgId: string, ids: readonly string[]): Promise<MemberTarget[]> {
  if (ids.length === 0) return [];
  const { rows } = await sql.query<MemberTarget & { team: string }>(
    `SELECT m.id, m.name, m.email, t.name AS team FROM team_members m JOIN teams t ON t.id = m.team_id WHERE t.org_id = $1 AND m.id = ANY($2::text[])`,
    [orgId, [...ids]],
  );
  return ids.map((id) => rows.find((r) => r.id === id)).filter((r) => r !== undefined)
    .map((r) => ({ id: r.id, name: `${r.name} (team ${r.team})`, email: r.email }));
}

/** A member as the Email channel a delivery is sent through; null when the member was removed. */
async function memberChannel(sql: SqlClient, orgId: string, memberId: string): Promise<StoredChannel | null> {
  const [m] = await memberTargets(sql, orgId, [memberId]);
  return m ? { id: m.id, orgId, name: m.name, type: 'Email', settings: { recipients: [m.email] }, signingSecrets: [] } : null;
}

/** A channel loader that also resolves member deliveries (`mem_…`); every other id goes to `channels`. */
export function withTeamMembers(sql: SqlClient, channels: ChannelLoader): ChannelLoader {
  return (orgId, channelId) => (orgId !== null && channelId.startsWith(MEMBER_ID_PREFIX) ? memberChannel(sql, orgId, channelId) : channels(orgId, channelId));
}
