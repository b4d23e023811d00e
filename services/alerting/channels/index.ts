/**
 * The table of channel types and the one way to deliver an event to a channel. The outbox
 * worker and the api's test endpoint both take a `DeliverEvent` from `createChannelSender`,
 * whose outbound HTTP (SSRF-guarded) and SMTP transport are passed in.
 */
import type { AlertEvent } from '../events.js';
import type { ChannelType, ChannelTypeName, DeliverEvent, DeliveryContext, DeliveryOutcome, StoredChannel } from './channel.js';
import { discord } from './discord.js';
import { email, type MailSender } from './email.js';
import type { GuardedPost } from './guarded-http.js';
import { slack } from './slack.js';
import { teams } from './teams.js';
import { webhook } from './webhook.js';

export const CHANNEL_TYPE_TABLE: { readonly [T in ChannelTypeName]: ChannelType<never> } = {
  Email: email as ChannelType<never>,
  Slack: slack as ChannelType<never>,
  Discord: discord as ChannelType<never>,
  Teams: teams as ChannelType<never>,
  Webhook: webhook as ChannelType<never>,
};

/** A channel type with its settings type erased, for code that handles any type. */
export function channelType(type: ChannelTypeName): ChannelType<Record<string, unknown>> {
  return CHANNEL_TYPE_TABLE[type] as unknown as ChannelType<Record<string, unknown>>;
}

/** The document's policy: a delivery not answered within 10 s is a failure (and retried). */
export const DELIVERY_TIMEOUT_MS = 10_000;

/** Pharos's own product token; the Webhook channel adds the document's `Enori-Webhook/1.0`. */
export const PHAROS_USER_AGENT = 'Pharos-Webhook/1.0 (+https://github.com/pharos)';

export interface ChannelSenderDeps {
  /** Outbound HTTP through the SSRF guard (createGuardedHttp). */
  post: GuardedPost;
  /** The operator's SMTP (createMailSender), or null when none is configured. */
  mail: MailSender | null;
  timeoutMs?: number;
  userAgent?: string;
}

export function createChannelSender(deps: ChannelSenderDeps): DeliverEvent {
  const tools = { post: deps.post, mail: deps.mail, userAgent: deps.userAgent ?? PHAROS_USER_AGENT };
  const timeoutMs = deps.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  return async (channel: StoredChannel, event: AlertEvent, ctx: DeliveryContext): Promise<DeliveryOutcome> => {
    const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutMs)]);
    try {
      return await channelType(channel.type).send(channel, event, { ...ctx, signal }, tools);
    } catch (err) {
      // Senders report failures as data; this is the net under a renderer's bug. The message
      // never includes settings (a URL would leak the channel's token).
      return { ok: false, statusCode: null, error: signal.aborted ? 'timed out' : `internal error (${(err as Error).name})` };
    }
  };
}
