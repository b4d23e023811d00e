/**
 * The one shape every alert channel type has (DESIGN.md §7a, in the style of gatus's
 * alerting/provider/<name>): its REST settings with validation, how it renders an event, and
 * how it sends. One module per type in this folder, registered in `index.ts`.
 */
import type { FieldProblem, FieldSpecs } from '../../../contracts/checks/contract.js';
import type { AlertEvent } from '../events.js';

export const CHANNEL_TYPES = ['Email', 'Slack', 'Discord', 'Teams', 'Webhook'] as const;
export type ChannelTypeName = (typeof CHANNEL_TYPES)[number];

/** A channel as the outbox worker and the test endpoint hold it: settings decrypted, never logged. */
export interface StoredChannel<S = Record<string, unknown>> {
  id: string;
  /** Null for the deployment's operator channels (alerting/operator/operator-channels.ts). */
  orgId: string | null;
  name: string;
  type: ChannelTypeName;
  settings: S;
  /** Standard Webhooks signing secrets (`whsec_…`), newest first; more than one during a rotation's overlap. */
  signingSecrets: string[];
  /** Set on a status page subscriber (status-pages/subscriber-recipients.ts): the Email type then sends the subscriber's mail. */
  statusPageSubscription?: import('../../status-pages/subscriber-mail.js').SubscriberMailContext;
}

/** The result of one attempt, as data: an alert record shows every attempt. */
export interface DeliveryOutcome {
  ok: boolean;
  /** The receiver's HTTP status, or the SMTP reply code; null when nothing answered. */
  statusCode: number | null;
  /** Why it failed, short and free of secrets; null on success. */
  error: string | null;
}

/** What sending needs from the process: outbound HTTP through the SSRF guard, SMTP, a clock. */
export interface DeliveryContext {
  signal: AbortSignal;
  now(): number;
}

/** What one send may use: outbound HTTP (SSRF-guarded), SMTP, and the process's product token. */
export interface SendTools {
  post: import('./guarded-http.js').GuardedPost;
  /** Null when the operator configured no SMTP. */
  mail: import('./email.js').MailSender | null;
  userAgent: string;
}

export interface ChannelType<S> {
  readonly type: ChannelTypeName;
  /** REST settings of this type, with schemas (OpenAPI) and defaults. */
  readonly fields: FieldSpecs<S>;
  validate(settings: S): FieldProblem[];
  /** Settings as a GET shows them: secrets in URLs masked. */
  masked(settings: S): S;
  /** The tenant URL this channel posts to, for the SSRF check at creation; null for Email. */
  targetUrl(settings: S): string | null;
  /** Renders the event in the platform's format and sends it; failures come back as data. */
  send(channel: StoredChannel<S>, event: AlertEvent, ctx: DeliveryContext, tools: SendTools): Promise<DeliveryOutcome>;
}

/**
 * Delivers one event to one channel: render, send, and report the outcome. Resolves with an
 * outcome whatever happens (a receiver's failure is data, not an exception). The outbox
 * worker passes it in, so the worker is tested without a network.
 */
export type DeliverEvent = (channel: StoredChannel, event: AlertEvent, ctx: DeliveryContext) => Promise<DeliveryOutcome>;
