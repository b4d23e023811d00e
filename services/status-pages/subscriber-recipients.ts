/**
 * Status page subscribers as outbox recipients, in the pattern of escalation's team members
 * (alerting/escalation/member-recipients.ts): an incident event on a page's monitor gets one
 * delivery per confirmed subscriber, whose `channel_id` is the subscriber's id (`sub_…`), so
 * the outbox's (event, channel) key sends it at most once. When the delivery is sent,
 * `withStatusPageSubscribers` turns the id into an Email channel of one address that renders
 * the subscriber's mail (page title, links, one-click unsubscribe); a subscriber who
 * unsubscribed meanwhile is no channel, so nothing is sent.
 */
import type { SqlClient } from '../lib/ports/sql-client.js';
import type { StoredChannel } from '../alerting/channels/channel.js';
import type { ChannelLoader } from '../alerting/deliveries/worker.js';
import { signSubscriberToken } from './subscription-tokens.js';

export const SUBSCRIBER_ID_PREFIX = 'sub_';

export const unsubscribeUrl = (pageUrl: string, token: string) => `${pageUrl}/subscriptions/unsubscribe?token=${encodeURIComponent(token)}`;
export const confirmUrl = (pageUrl: string, token: string) => `${pageUrl}/subscriptions/confirm?token=${encodeURIComponent(token)}`;

async function subscriberChannel(sql: SqlClient, key: Buffer, orgId: string, id: string, nowMs: number): Promise<StoredChannel | null> {
  const { rows } = await sql.query<{ email: string; page_url: string; title: string }>(
    `SELECT s.email, s.page_url, p.title FROM status_page_subscribers s JOIN status_pages p ON p.id = s.page_id
      WHERE s.id = $1 AND p.org_id = $2 AND s.state = 'confirmed' AND s.unsubscribed_at IS NULL`,
    [id, orgId],
  );
  const s = rows[0];
  if (!s) return null;
  return {
    id, orgId, name: 'Status page subscriber', type: 'Email', settings: { recipients: [s.email] }, signingSecrets: [],
    statusPageSubscription: { pageTitle: s.title, pageUrl: s.page_url, unsubscribeUrl: unsubscribeUrl(s.page_url, signSubscriberToken(key, 'unsubscribe', id, nowMs)) },
  };
}

/** A channel loader that also resolves subscriber deliveries (`sub_…`); every other id goes to `channels`. */
export function withStatusPageSubscribers(sql: SqlClient, key: Buffer, channels: ChannelLoader, now: () => number = Date.now): ChannelLoader {
  return (orgId, channelId) => (orgId !== null && channelId.startsWith(SUBSCRIBER_ID_PREFIX) ? subscriberChannel(sql, key, orgId, channelId, now()) : channels(orgId, channelId));
}
