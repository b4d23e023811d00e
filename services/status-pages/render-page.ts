/**
 * The public status page as server-rendered HTML: readable without JavaScript (there is
 * none), one inline stylesheet, every untrusted text escaped by the html tag.
 */
import { Html, html } from './html.js';
import { STYLE } from './style.css.js';
import type { ComponentView, DayView, IncidentView, MaintenanceView, OverallStatus, PageView } from './view.js';
import type { MonitorStatus } from '../lib/monitors/model.js';

export const OVERALL_TEXT: Record<OverallStatus, string> = {
  operational: 'All systems operational',
  degraded: 'Degraded performance',
  maintenance: 'Maintenance in progress',
  partial_outage: 'Partial outage',
  major_outage: 'Major outage',
  unknown: 'Status not known yet',
};

const STATUS_TEXT: Record<MonitorStatus, string> = {
  Up: 'Operational', Down: 'Outage', Degraded: 'Degraded performance', Maintenance: 'Under maintenance',
  Pending: 'No data yet', Unknown: 'Status unknown', Paused: 'Not monitored',
};

/** A day's colour class by its uptime (u0 = no data); the same thresholds as the badges' colours. */
export function dayClass(uptime: number | null): string {
  if (uptime === null) return 'u0';
  if (uptime >= 99.9) return 'u1';
  if (uptime >= 99) return 'u2';
  if (uptime >= 95) return 'u3';
  if (uptime >= 90) return 'u4';
  return 'u5';
}

/** Two decimals, cut rather than rounded (as the badges): only a flawless day shows 100%. */
export function percent(p: number): string {
  return p >= 100 ? '100%' : `${(Math.floor(p * 100) / 100).toFixed(2)}%`;
}

const when = (d: Date | number) => {
  const iso = new Date(d).toISOString();
  return html`<time datetime="${iso}">${iso.slice(0, 16).replace('T', ' ')} UTC</time>`;
};

function dayTitle(d: DayView): string {
  const figure = d.uptime === null ? 'no data' : `${percent(d.uptime)} uptime`;
  const incidents = d.incidents.length ? `; incidents: ${d.incidents.map((i) => i.title).join(', ')}` : '';
  return `${d.day}: ${figure}${incidents}`;
}

function bar(c: ComponentView): Html {
  const summary = c.uptime === null ? 'no data in the last 90 days' : `${percent(c.uptime)} uptime over the last 90 days`;
  return html`<div class="bar" role="img" aria-label="${c.name}: ${summary}">${c.days.map((d) => html`<i class=${dayClass(d.uptime)} title="${dayTitle(d)}"></i>`)}</div>
<div class="legend" aria-hidden="true"><span>90 days ago</span><span>${c.uptime === null ? 'no data' : `${percent(c.uptime)} uptime`}</span><span>Today</span></div>`;
}

function component(c: ComponentView): Html {
  return html`<li class="component"><div class="row"><span class="name">${c.name}</span><span class="st ${c.status}">${STATUS_TEXT[c.status]}</span></div>${c.showUptime ? bar(c) : ''}</li>`;
}

function incident(i: IncidentView): Html {
  const updates = [...i.updates].reverse();
  return html`<article class="card incident" id="${i.id}"><h3>${i.title}</h3>
<p class="muted"><span class="tag">${i.resolved ? 'Resolved' : i.phase}</span> · ${i.severity} · started ${when(i.startedAt)}${i.resolvedAt ? html` · resolved ${when(i.resolvedAt)}` : ''}</p>
${i.message ? html`<p>${i.message}</p>` : ''}
${updates.length ? html`<ol class="timeline">${updates.map((u) => html`<li><span class="tag">${u.status}</span> · ${when(u.createdAt)}<p>${u.message}</p></li>`)}</ol>` : ''}</article>`;
}

function maintenance(m: MaintenanceView, names: Map<string, string>): Html {
  const affected = m.monitorIds.map((id) => names.get(id)).filter(Boolean).join(', ');
  return html`<article class="card"><h3>${m.name}</h3><p class="muted"><span class="tag">${m.inProgress ? 'In progress' : 'Scheduled'}</span> · ${when(m.startMs)} to ${when(m.endMs)}</p>${affected ? html`<p>Affects: ${affected}</p>` : ''}</article>`;
}

export function shell(title: string, body: Html, head: Html | string = ''): string {
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="color-scheme" content="light dark"><title>${title}</title>${head}<style>${new Html(STYLE)}</style></head><body><div class="wrap">${body}</div></body></html>`.value;
}

/** `base` is the page's path (`/status/{slug}`) for links to its feeds. */
export function renderPage(view: PageView, base: string): string {
  const { page } = view;
  const names = new Map(view.components.map((c) => [c.monitorId, c.name]));
  const groups = view.groups.map((g) => html`${g.name === null ? '' : html`<h3 class="group">${g.name}</h3>`}<ul class="components">${g.components.map(component)}</ul>`);
  const body = html`<header><h1>${page.title}</h1>${page.description ? html`<p class="muted">${page.description}</p>` : ''}</header>
<main>
<section class="banner ${view.overall}" aria-label="Overall status"><h2>${OVERALL_TEXT[view.overall]}</h2><p>Updated ${when(view.generatedAtMs)}</p></section>
${view.activeIncidents.length ? html`<section aria-labelledby="active"><h2 id="active">Active incidents</h2>${view.activeIncidents.map(incident)}</section>` : ''}
${view.maintenance.length ? html`<section aria-labelledby="maintenance"><h2 id="maintenance">Scheduled maintenance</h2>${view.maintenance.map((m) => maintenance(m, names))}</section>` : ''}
<section aria-labelledby="components"><h2 id="components">Components</h2><div class="card">${view.components.length ? groups : html`<p class="muted">No components yet.</p>`}</div></section>
<section aria-labelledby="history"><h2 id="history">Past incidents</h2>${view.pastIncidents.length ? view.pastIncidents.map(incident) : html`<p class="muted">No incidents in the last 90 days.</p>`}</section>
</main>
<footer><p>Subscribe: <a href="${base}/feed.atom">Atom feed</a> · <a href="${base}/api/v2/summary.json">JSON</a> · Times in UTC</p></footer>`;
  const head = html`<link rel="alternate" type="application/atom+xml" title="${page.title} incidents" href="${base}/feed.atom">`;
  return shell(`${page.title} status`, body, head);
}

export function renderPasswordForm(page: { title: string }, action: string, error?: string): string {
  const body = html`<main><h1>${page.title}</h1><p class="muted">This status page is protected by a password.</p>
<form class="login" method="post" action="${action}">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
${error ? html`<p class="error" role="alert">${error}</p>` : ''}<button type="submit">View status</button></form></main>`;
  return shell(`${page.title} status`, body);
}

export function renderNotFound(): string {
  return shell('Status page not found', html`<main><h1>Status page not found</h1><p class="muted">There is no status page at this address.</p></main>`);
}

/** A small page answering a subscription link (confirm, unsubscribe), optionally with a form that posts back. */
export function renderSubscriptionPage(page: { title: string }, heading: string, message: string, form?: { action: string; button: string }): string {
  const body = html`<main><h1>${page.title}</h1><h2>${heading}</h2><p>${message}</p>
${form ? html`<form class="login" method="post" action="${form.action}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">${form.button}</button></form>` : ''}</main>`;
  return shell(`${page.title} status`, body);
}
