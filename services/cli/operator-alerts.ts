/**
 * Composition of the operator's alerts for an alerting process: which operator channels are
 * configured, and a sender for them. Operator channels are the operator's own configuration,
 * not a tenant's input, so their webhook may be a private address (cloud metadata stays
 * refused); mail goes through the deployment's SMTP (PHAROS_SMTP_URL) like Email channels'.
 */
import { openSmtpMail } from './smtp-transport.js';
import type { Config } from '../lib/config.js';
import { createGuardedResolver } from '../lib/ssrf/guarded-resolver.js';
import { createGuardedHttp } from '../alerting/channels/guarded-http.js';
import { createChannelSender } from '../alerting/channels/index.js';
import type { DeliverEvent } from '../alerting/channels/channel.js';
import type { ChannelLoader } from '../alerting/deliveries/worker.js';
import type { DeliveryTarget } from '../alerting/deliveries/outbox.js';
import { isOperatorChannel, operatorTargets, withOperatorChannels } from '../alerting/operator/operator-channels.js';

export interface OperatorAlerts {
  targets: DeliveryTarget[];
  /** Adds the operator channels to a process's channel loader and sender. */
  wrap(sender: { loadChannel: ChannelLoader; deliverEvent: DeliverEvent }): { loadChannel: ChannelLoader; deliverEvent: DeliverEvent };
  close(): Promise<void>;
}

export function openOperatorAlerts(config: Readonly<Config>): OperatorAlerts {
  const settings = config.operatorAlerts;
  const targets = operatorTargets(settings);
  const http = createGuardedHttp({ resolver: createGuardedResolver({ allowPrivateTargets: true }) });
  const smtp = settings.emails.length > 0 ? openSmtpMail(config.smtp) : null;
  const deliver = createChannelSender({ post: http.post, mail: smtp?.send ?? null });
  return {
    targets,
    wrap: (sender) => ({
      loadChannel: withOperatorChannels(settings, sender.loadChannel),
      deliverEvent: (channel, event, ctx) => (isOperatorChannel(channel) ? deliver(channel, event, ctx) : sender.deliverEvent(channel, event, ctx)),
    }),
    async close() {
      smtp?.close();
      await http.close();
    },
  };
}
