/**
 * What every channel says about an event, before the platform's format: a title, the
 * message, a tone and the facts. Text here is untrusted (monitor names, URLs and error
 * messages come from tenants and targets); each renderer escapes it for its own format.
 */
import type { AlertEvent } from '../events.js';

export type Tone = 'bad' | 'good' | 'warn';

export interface EventSummary {
  title: string;
  message: string;
  tone: Tone;
  facts: Array<{ name: string; value: string }>;
  /** The monitor's URL when it is a web address, for a link button. */
  link: string | null;
  timestamp: string;
}

const HEADLINE: Record<AlertEvent['event'], [string, Tone]> = {
  'monitor.down': ['is down', 'bad'],
  'monitor.up': ['recovered', 'good'],
  'monitor.degraded': ['is degraded (P95 over threshold)', 'warn'],
  'monitor.ssl_expiring': ['has a certificate expiring soon', 'warn'],
  'incident.created': ['has a new incident', 'bad'],
  'incident.resolved': ['incident resolved', 'good'],
  'incident.acknowledged': ['incident acknowledged', 'warn'],
  'incident.updated': ['incident updated', 'warn'],
  'incident.escalated': ['incident escalated: still unacknowledged', 'bad'],
  'region.dark': ['lost all its agents', 'bad'],
  'region.recovered': ['has agents again', 'good'],
  'maintenance.scheduled': ['maintenance scheduled', 'warn'],
  'entity.changed': ['found changes', 'warn'],
  'monitoring.flagged': ['flagged by a risk check', 'bad'],
  'monitoring.verdict_changed': ['risk verdicts changed', 'warn'],
};

/** An incident about no monitor: what happened to it, after its title. */
const ORGANIZATION_HEADLINE: Partial<Record<AlertEvent['event'], string>> = {
  'incident.created': 'opened', 'incident.resolved': 'resolved', 'incident.acknowledged': 'acknowledged', 'incident.updated': 'updated',
};

export function summarize(e: AlertEvent): EventSummary {
  const [headline, tone] = HEADLINE[e.event];
  const m = e.monitor;
  const facts = [
    ...(m ? [{ name: 'Monitor', value: m.name }, { name: 'Type', value: m.type }] : []),
    ...(e.entityChange ? [{ name: 'Entity monitor', value: e.entityChange.monitor.name }, { name: 'Targets', value: String(e.entityChange.targets.length) }] : []),
    ...(e.monitoring ? [{ name: 'Website', value: e.monitoring.website }, ...e.monitoring.changes.map((c) => ({ name: c.check, value: `${c.previous_verdict ?? 'none'} → ${c.verdict}` }))] : []),
    ...(e.region ? [{ name: 'Region', value: e.region.name }, { name: 'Agents', value: String(e.region.connectedAgents) }, { name: 'Last agent seen', value: e.region.lastSeenAt ?? 'never' }] : []),
    { name: 'Event', value: e.event },
    { name: 'Alert', value: e.alert.type },
    ...(m?.url ? [{ name: 'Target', value: m.url }] : []),
    ...(e.alert.responseTimeMs !== null ? [{ name: 'Response time', value: `${e.alert.responseTimeMs} ms` }] : []),
    ...(e.incident ? [{ name: 'Incident', value: `${e.incident.title} (${e.incident.status})` }] : []),
    { name: 'Time', value: e.alert.timestamp },
  ];
  const link = m?.url && /^https?:\/\//i.test(m.url) ? m.url : null;
  const title = m ? `${m.name} ${headline}`
    : e.region ? `Region ${e.region.name} ${headline}`
      : e.entityChange ? `${e.entityChange.monitor.name} ${headline}`
      : e.monitoring ? `${e.monitoring.website} ${headline}`
      : `Incident ${e.incident?.title ?? ''} ${ORGANIZATION_HEADLINE[e.event] ?? headline}`;
  return { title, message: e.alert.message, tone, facts, link, timestamp: e.alert.timestamp };
}

/** Cuts text to `max` characters (code points), marking the cut. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** A JSON POST with the process's product token. */
export function jsonHeaders(userAgent: string): Record<string, string> {
  return { 'content-type': 'application/json', 'user-agent': userAgent };
}
