/**
 * Email over the operator's SMTP server (nodemailer; PHAROS_SMTP_URL, PHAROS_SMTP_FROM).
 * Recipients live on the channel, a bounded list; each message has a plain-text and an HTML
 * part, and every untrusted string in the HTML is escaped.
 */
import { Type } from 'typebox';
import type { FieldProblem } from '../../../contracts/checks/contract.js';
import { raceAbort } from '../../lib/abort.js';
import type { AlertEvent } from '../events.js';
import type { ChannelType, DeliveryOutcome } from './channel.js';
import { escapeHtml, summarize, truncate } from './summary.js';
import { renderSubscriberMail } from '../../status-pages/subscriber-mail.js';

export const MAX_RECIPIENTS = 20;
const MAX_ADDRESS = 254;
/** Deliberately plain: one @, no whitespace, no angle brackets or commas that would add recipients. */
const ADDRESS = /^[^\s@<>,;"()]+@[^\s@<>,;"()]+\.[^\s@<>,;"()]+$/;

export interface EmailSettings {
  recipients: string[];
}

export interface MailMessage {
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** Extra headers (a subscriber's List-Unsubscribe); never built from untrusted text. */
  headers?: Record<string, string>;
}

/** Sends one message through the operator's SMTP; resolves with the outcome, never throws. */
export type MailSender = (message: MailMessage, signal: AbortSignal) => Promise<DeliveryOutcome>;

/** The part of a nodemailer transport this uses. */
export interface SmtpTransport {
  sendMail(message: MailMessage & { from: string }): Promise<unknown>;
}

export function createMailSender(transport: SmtpTransport, from: string): MailSender {
  return async (message, signal) => {
    try {
      // nodemailer takes no signal; the send runs on after a timeout, and its result is dropped.
      await raceAbort(transport.sendMail({ ...message, from }), signal);
      return { ok: true, statusCode: 250, error: null };
    } catch (err) {
      if (signal.aborted) return { ok: false, statusCode: null, error: 'timed out' };
      const e = err as { responseCode?: number; code?: string };
      return { ok: false, statusCode: e.responseCode ?? null, error: `SMTP ${e.responseCode ?? e.code ?? 'error'}` };
    }
  };
}

export function renderEmail(e: AlertEvent): Omit<MailMessage, 'to'> {
  const s = summarize(e);
  // Header injection is nodemailer's to prevent too, but a subject is one line by definition.
  const subject = truncate(`[Pharos] ${s.title}`.replace(/[\r\n]+/g, ' '), 200);
  const text = [s.title, '', s.message, '', ...s.facts.map((f) => `${f.name}: ${f.value}`), '', `Event ${e.id}`].join('\n');
  const color = { bad: '#e01e5a', good: '#2eb67d', warn: '#ecb22e' }[s.tone];
  const rows = s.facts.map((f) => `<tr><th align="left" style="padding:2px 12px 2px 0">${escapeHtml(f.name)}</th><td>${escapeHtml(f.value)}</td></tr>`).join('');
  const html = `<!doctype html><html><body style="font-family:sans-serif">`
    + `<h2 style="color:${color}">${escapeHtml(s.title)}</h2>`
    + `<p>${escapeHtml(s.message)}</p>`
    + `<table>${rows}</table>`
    + `<p style="color:#888">Event ${escapeHtml(e.id)}</p></body></html>`;
  return { subject, text, html };
}

function validate(s: EmailSettings): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!Array.isArray(s.recipients) || s.recipients.length === 0) return [{ field: '/recipients', message: 'must list at least one address' }];
  if (s.recipients.length > MAX_RECIPIENTS) problems.push({ field: '/recipients', message: `must list at most ${MAX_RECIPIENTS} addresses` });
  s.recipients.forEach((r, i) => {
    if (typeof r !== 'string' || r.length > MAX_ADDRESS || !ADDRESS.test(r)) problems.push({ field: `/recipients/${i}`, message: 'must be an email address' });
  });
  if (new Set(s.recipients.map((r) => String(r).toLowerCase())).size !== s.recipients.length) problems.push({ field: '/recipients', message: 'must not repeat an address' });
  return problems;
}

export const email: ChannelType<EmailSettings> = {
  type: 'Email',
  fields: {
    recipients: {
      schema: Type.Array(Type.String({ maxLength: MAX_ADDRESS, format: 'email' }), { minItems: 1, maxItems: MAX_RECIPIENTS, description: `Addresses to email (1 to ${MAX_RECIPIENTS}); sent through the operator's SMTP server` }),
      default: [],
    },
  },
  validate,
  masked: (s) => s,
  targetUrl: () => null,
  send: async (channel, event, ctx, tools) => {
    if (!tools.mail) return { ok: false, statusCode: null, error: 'SMTP is not configured on this network (PHAROS_SMTP_URL)' };
    if (channel.statusPageSubscription) return tools.mail({ to: channel.settings.recipients, ...renderSubscriberMail(event, channel.statusPageSubscription) }, ctx.signal);
    return tools.mail({ to: channel.settings.recipients, ...renderEmail(event) }, ctx.signal);
  },
};
