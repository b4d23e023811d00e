/**
 * The deployment's operator channels (PHAROS_OPERATOR_WEBHOOK_URL, PHAROS_OPERATOR_EMAILS):
 * where operator events go (region.dark, region.recovered). They are not rows of any
 * organization: a delivery names one by a fixed id (`operator:webhook`, `operator:email`)
 * and no organization, and the delivery worker's loader builds it from the configuration
 * when it sends, as a Webhook (unsigned: the operator's own endpoint) or an Email channel.
 */
import type { StoredChannel } from '../channels/channel.js';
import type { ChannelLoader } from '../deliveries/worker.js';
import type { DeliveryTarget } from '../deliveries/outbox.js';

export interface OperatorAlertSettings { webhookUrl?: string; emails: readonly string[] }

const WEBHOOK_ID = 'operator:webhook';
const EMAIL_ID = 'operator:email';

export const isOperatorChannel = (channel: Pick<StoredChannel, 'id' | 'orgId'>) => channel.orgId === null && channel.id.startsWith('operator:');

/** The configured operator channels, as deliveries name them. */
export function operatorTargets(s: OperatorAlertSettings): DeliveryTarget[] {
  return [
    ...(s.webhookUrl ? [{ id: WEBHOOK_ID, name: 'operator webhook', type: 'Webhook' }] : []),
    ...(s.emails.length > 0 ? [{ id: EMAIL_ID, name: 'operator email', type: 'Email' }] : []),
  ];
}

/** A channel loader that also builds the operator channels for deliveries of no organization. */
export function withOperatorChannels(s: OperatorAlertSettings, channels: ChannelLoader): ChannelLoader {
  return async (orgId, channelId) => {
    if (orgId !== null) return channels(orgId, channelId);
    if (channelId === WEBHOOK_ID && s.webhookUrl) return { id: channelId, orgId: null, name: 'operator webhook', type: 'Webhook', settings: { webhookUrl: s.webhookUrl }, signingSecrets: [] };
    if (channelId === EMAIL_ID && s.emails.length > 0) return { id: channelId, orgId: null, name: 'operator email', type: 'Email', settings: { recipients: [...s.emails] }, signingSecrets: [] };
    // Unset since the event was decided: nothing to send it to.
    return null;
  };
}
