/**
 * The mails a status page subscriber gets: the confirmation of a subscription, and one per
 * incident event on the page. Each has a plain-text and an HTML part (every untrusted text
 * escaped by the html tag), a link to the page, and RFC 8058 one-click unsubscribe headers.
 */
import type { AlertEvent } from '../alerting/events.js';
import { html } from './html.js';

export interface SubscriberMailContext {
  pageTitle: string;
  /** The page's public address (no trailing slash). */
  pageUrl: string;
  unsubscribeUrl: string;
}

export interface SubscriberMail {
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

const oneLine = (s: string, max = 200) => {
  const t = s.replace(/[\r\n]+/g, ' ');
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};

const unsubscribeHeaders = (url: string) => ({ 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' });

function page(title: string, body: ReturnType<typeof html>): string {
  return html`<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body style="font-family:sans-serif">${body}</body></html>`.value;
}

export function renderConfirmation(ctx: SubscriberMailContext, confirmUrl: string): SubscriberMail {
  const subject = oneLine(`Confirm your subscription to ${ctx.pageTitle} status`);
  const text = [
    `Someone (hopefully you) asked to be emailed about incidents on the ${ctx.pageTitle} status page (${ctx.pageUrl}).`,
    '', `Confirm the subscription: ${confirmUrl}`, '', 'If it was not you, ignore this mail: nothing will be sent unless the link is opened.',
    '', `Unsubscribe: ${ctx.unsubscribeUrl}`,
  ].join('\n');
  const body = page(subject, html`<p>Someone (hopefully you) asked to be emailed about incidents on the <a href="${ctx.pageUrl}">${ctx.pageTitle}</a> status page.</p>
<p><a href="${confirmUrl}">Confirm the subscription</a></p>
<p style="color:#888">If it was not you, ignore this mail: nothing will be sent unless the link is opened. <a href="${ctx.unsubscribeUrl}">Unsubscribe</a></p>`);
  return { subject, text, html: body, headers: unsubscribeHeaders(ctx.unsubscribeUrl) };
}

/** What an incident event says to a subscriber: its status and the words posted with it (the outbox adds them). */
function incidentNews(e: AlertEvent): { status: string; message: string } {
  const fallback = e.event === 'incident.resolved' ? 'Resolved' : 'Investigating';
  const update = e.incident?.update;
  return { status: update?.status ?? fallback, message: update?.message || e.alert.message };
}

export function renderIncidentNotification(e: AlertEvent, ctx: SubscriberMailContext): SubscriberMail {
  const title = e.incident?.title ?? e.alert.message;
  const { status, message } = incidentNews(e);
  const subject = oneLine(`[${ctx.pageTitle}] ${status}: ${title}`);
  const text = [
    `${ctx.pageTitle}: ${title}`, '', `Status: ${status}`, message, '', `Status page: ${ctx.pageUrl}`, '', `Unsubscribe: ${ctx.unsubscribeUrl}`,
  ].join('\n');
  const body = page(subject, html`<p style="color:#666">${ctx.pageTitle}</p><h2>${title}</h2>
<p><strong>${status}</strong>: ${message}</p>
<p><a href="${ctx.pageUrl}">View the status page</a></p>
<p style="color:#888"><a href="${ctx.unsubscribeUrl}">Unsubscribe</a> from ${ctx.pageTitle} status updates.</p>`);
  return { subject, text, html: body, headers: unsubscribeHeaders(ctx.unsubscribeUrl) };
}

export function renderMaintenanceNotification(e: AlertEvent, ctx: SubscriberMailContext): SubscriberMail {
  const m = e.maintenance;
  const name = m?.name ?? e.alert.message;
  const when = m ? `${m.startsAt.replace('T', ' ').slice(0, 16)} to ${m.endsAt.replace('T', ' ').slice(0, 16)} UTC` : '';
  const subject = oneLine(`[${ctx.pageTitle}] Scheduled maintenance: ${name}`);
  const text = [`${ctx.pageTitle}: scheduled maintenance`, '', name, when, '', `Status page: ${ctx.pageUrl}`, '', `Unsubscribe: ${ctx.unsubscribeUrl}`].join('\n');
  const body = page(subject, html`<p style="color:#666">${ctx.pageTitle}</p><h2>Scheduled maintenance: ${name}</h2>
<p>${when}</p>
<p><a href="${ctx.pageUrl}">View the status page</a></p>
<p style="color:#888"><a href="${ctx.unsubscribeUrl}">Unsubscribe</a> from ${ctx.pageTitle} status updates.</p>`);
  return { subject, text, html: body, headers: unsubscribeHeaders(ctx.unsubscribeUrl) };
}

/** The subscriber's mail for an event: maintenance or an incident. */
export const renderSubscriberMail = (e: AlertEvent, ctx: SubscriberMailContext): SubscriberMail =>
  (e.event === 'maintenance.scheduled' ? renderMaintenanceNotification(e, ctx) : renderIncidentNotification(e, ctx));
