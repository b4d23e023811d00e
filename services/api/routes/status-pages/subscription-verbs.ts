/**
 * Email subscriptions to a public status page (issue 13): subscribe (double opt-in), confirm,
 * unsubscribe. The answer to a subscription request is the same whether the address is new,
 * pending or confirmed, so the endpoint tells nobody who subscribed; the confirmation mail is
 * sent after the answer, so its timing tells nothing either.
 */
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../../../lib/errors.js';
import type { StatusPage } from '../../../status-pages/store.js';
import { SubscriberStore } from '../../../status-pages/subscribers.js';
import { signSubscriberToken, verifySubscriberToken, type TokenPurpose } from '../../../status-pages/subscription-tokens.js';
import { confirmUrl, unsubscribeUrl } from '../../../status-pages/subscriber-recipients.js';
import { renderConfirmation } from '../../../status-pages/subscriber-mail.js';
import { pageUrl, type PublicContext } from './public-verbs.js';

/** Requests per address per page, and per client address across pages, per hour (a brake on mail bombing). */
export const SUBSCRIBE_LIMITS = { perAddress: 3, perClient: 20, periodMs: 3_600_000 };

const MAX_ADDRESS = 254;
/** As the Email channel's: one @, no whitespace, nothing that would add a recipient or header. */
const ADDRESS = /^[^\s@<>,;"()\\]+@[^\s@<>,;"()\\]+\.[^\s@<>,;"()\\]+$/;

const now = (ctx: PublicContext) => (ctx.deps.now ?? Date.now)();
const store = (ctx: PublicContext) => new SubscriberStore(ctx.deps.sql);

/**
 * Where mailed links point: PHAROS_PUBLIC_URL; else the page's own custom domain when the
 * request came to it; else, in `pharos dev` only (on loopback by default), the request's
 * origin. A server without PHAROS_PUBLIC_URL refuses subscriptions rather than mail links
 * built from a Host header anyone can set (a confirmation mail pointing at their host).
 */
export function mailLinkBase(ctx: PublicContext, req: FastifyRequest, page: StatusPage): string {
  const { config } = ctx.deps;
  if (config.publicUrl || config.role === 'dev') return pageUrl(ctx, req, page, false);
  if (page.customDomain && req.host.toLowerCase() === page.customDomain.toLowerCase()) return `${req.protocol}://${page.customDomain}/status/${page.slug}`;
  throw new DomainError('UNAVAILABLE', 'Unavailable', 'email subscriptions need PHAROS_PUBLIC_URL: links in mails are never built from a request\'s Host header');
}

export type SubscribeOutcome = { ok: true } | { ok: false; retryAfterSeconds: number };

export async function subscribe(ctx: PublicContext, req: FastifyRequest, page: StatusPage, input: { email: string }): Promise<SubscribeOutcome> {
  const email = input.email.trim().toLowerCase();
  if (email.length > MAX_ADDRESS || !ADDRESS.test(email)) {
    throw new DomainError('VALIDATION_ERROR', 'Validation failed', '/email must be an email address', [{ field: '/email', message: 'must be an email address' }]);
  }
  if (!ctx.deps.mail) throw new DomainError('UNAVAILABLE', 'Unavailable', 'email subscriptions need the operator\'s SMTP server (PHAROS_SMTP_URL), which is not configured');
  const t = now(ctx);
  for (const [key, limit] of [[`status-page-subscribe:ip:${req.ip}`, SUBSCRIBE_LIMITS.perClient], [`status-page-subscribe:addr:${page.id}:${email}`, SUBSCRIBE_LIMITS.perAddress]] as const) {
    const d = await ctx.deps.hotState.consumeRateLimit(key, limit, SUBSCRIBE_LIMITS.periodMs, t);
    if (!d.allowed) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(d.retryAfterMs / 1000)) };
  }
  const url = mailLinkBase(ctx, req, page);
  const { subscriber, confirmationWanted } = await store(ctx).request(page.id, email, url, t);
  if (confirmationWanted) {
    const mail = renderConfirmation(
      { pageTitle: page.title, pageUrl: subscriber.pageUrl, unsubscribeUrl: unsubscribeUrl(subscriber.pageUrl, signSubscriberToken(ctx.accessKey, 'unsubscribe', subscriber.id, t)) },
      confirmUrl(subscriber.pageUrl, signSubscriberToken(ctx.accessKey, 'confirm', subscriber.id, t)),
    );
    const send = ctx.deps.mail;
    // After the answer: a slow SMTP server neither holds the request nor tells new from known addresses.
    setImmediate(() => {
      void send({ to: [subscriber.email], ...mail }, AbortSignal.timeout(10_000)).then((outcome) => {
        ctx.deps.logger.info({ event: 'status_page.confirmation_mail', pageId: page.id, subscriberId: subscriber.id, ok: outcome.ok, statusCode: outcome.statusCode, error: outcome.error }, 'subscription confirmation mailed');
      });
    });
  }
  return { ok: true };
}

/** Confirms or unsubscribes by a mailed link; false when the link is not (or no longer) good for this page. */
export async function followLink(ctx: PublicContext, page: StatusPage, purpose: TokenPurpose, token: string | undefined): Promise<boolean> {
  const t = now(ctx);
  const id = verifySubscriberToken(ctx.accessKey, purpose, token, t);
  if (!id) return false;
  return purpose === 'confirm' ? store(ctx).confirm(page.id, id, t) : store(ctx).unsubscribe(page.id, id, t);
}

/** Whether a mailed link is good (for the unsubscribe page, which changes nothing itself). */
export const linkIsGood = (ctx: PublicContext, purpose: TokenPurpose, token: string | undefined) => verifySubscriberToken(ctx.accessKey, purpose, token, now(ctx)) !== null;
