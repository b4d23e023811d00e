/**
 * Webhook: the Enori document's payload (webhookPayload) POSTed as JSON. The User-Agent
 * carries the document's `Enori-Webhook/1.0` (consumers that check it, as the document tells
 * them to, keep working) after Pharos's own product token; the body is signed per Standard
 * Webhooks with every active secret of the channel.
 */
import { webhookPayload, type AlertEvent } from '../events.js';
import type { ChannelType, StoredChannel } from './channel.js';
import { signatureHeader } from './signing.js';
import { urlSettings, webhookUrlField, type WebhookUrlSettings } from './url-setting.js';

export const WEBHOOK_USER_AGENT_TOKEN = 'Enori-Webhook/1.0';

/**
 * `webhook-id`: the event id plus the channel, the same on every retry of this delivery
 * (receivers de-duplicate on it), different for the same event on another channel.
 */
export const deliveryId = (event: AlertEvent, channel: Pick<StoredChannel, 'id'>) => `${event.id}_${channel.id}`;

export const webhook: ChannelType<WebhookUrlSettings> = {
  type: 'Webhook',
  fields: { webhookUrl: webhookUrlField('Where events are POSTed (http or https; https recommended); masked when read back') },
  ...urlSettings,
  send: (channel, event, ctx, tools) => {
    const body = JSON.stringify(webhookPayload(event));
    const id = deliveryId(event, channel);
    const timestamp = Math.floor(ctx.now() / 1000);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': `${tools.userAgent} ${WEBHOOK_USER_AGENT_TOKEN}`,
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
    };
    if (channel.signingSecrets.length > 0) headers['webhook-signature'] = signatureHeader(channel.signingSecrets, id, timestamp, body);
    return tools.post({ url: channel.settings.webhookUrl, headers, body, signal: ctx.signal });
  },
};
