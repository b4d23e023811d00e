/**
 * Which events a status or incident change produces (DESIGN.md §7a), as pure functions so
 * each rule is a table test. The status evaluator calls these inside the transaction that
 * stores the change and writes what they return to the outbox, so an event exists exactly
 * when its change does.
 */
import type { Monitor } from '../lib/monitors/model.js';
import { ALERT_TYPE_OF_EVENT, type AlertEvent, type AlertEventIncident, type AlertEventType } from './events.js';
import type { StatusTransition } from './status-machine.js';
import type { Incident } from './incident-store.js';

/** An event before the outbox gives it an id. */
export type DecidedEvent = Omit<AlertEvent, 'id'>;

/** What the result that caused the change measured, for the payload's `alert`. */
export interface TriggeringResult {
  atMs: number;
  /** The check's total time; null when nothing answered. */
  responseTimeMs: number | null;
}

export interface IncidentChange {
  opened: Incident | null;
  resolved: Incident | null;
}

export type MonitorFacts = Pick<Monitor, 'id' | 'orgId' | 'name' | 'type' | 'url' | 'hostname' | 'alertOnDown' | 'alertOnRecovered'>;

export function event(m: MonitorFacts, type: AlertEventType, message: string, r: TriggeringResult, incident?: Incident): DecidedEvent {
  return {
    event: type,
    orgId: m.orgId,
    // The document's `url`: a Website's URL; for host-based types the host, so receivers see a target.
    monitor: { id: m.id, name: m.name, url: m.url ?? m.hostname ?? null, type: m.type },
    alert: { type: ALERT_TYPE_OF_EVENT[type], message, timestamp: new Date(r.atMs).toISOString(), responseTimeMs: r.responseTimeMs },
    ...(incident ? { incident: incidentPayload(incident) } : {}),
  };
}

/** An incident event about no monitor: `monitor` is null, the incident says what it is about. */
export function organizationEvent(orgId: string, type: AlertEventType, message: string, atMs: number, incident: Incident): DecidedEvent {
  return {
    event: type,
    orgId,
    monitor: null,
    alert: { type: ALERT_TYPE_OF_EVENT[type], message, timestamp: new Date(atMs).toISOString(), responseTimeMs: null },
    incident: incidentPayload(incident),
  };
}

export function incidentPayload(i: Incident): AlertEventIncident {
  return {
    id: i.id, title: i.title, status: i.status, cause: i.cause,
    startedAt: i.startedAt.toISOString(), resolvedAt: i.resolvedAt?.toISOString() ?? null,
    severity: i.severity, acknowledgedAt: i.acknowledgedAt?.toISOString() ?? null,
  };
}

/** The error that took the monitor down, as the document's example message ("HTTP 503 …"). */
function downMessage(m: MonitorFacts, t: StatusTransition): string {
  const cause = t.evidence.find((e) => e.verdict === 'down' && e.lastError)?.lastError;
  return cause ? cause : `${m.name} is down`;
}

/**
 * monitor.down / monitor.up for a status change (gated by alertOnDown / alertOnRecovered),
 * then incident.created / incident.resolved for what the incident store actually did (a
 * transition that found an incident already open opens none, so announces none).
 */
export function decideTransitionEvents(m: MonitorFacts, t: StatusTransition, incidents: IncidentChange, r: TriggeringResult): DecidedEvent[] {
  const out: DecidedEvent[] = [];
  if (t.to === 'Down' && t.from !== 'Down' && m.alertOnDown) out.push(event(m, 'monitor.down', downMessage(m, t), r));
  // Only a recovery from an outage: Pending → Up (a new or resumed monitor) tells nobody anything.
  if (t.from === 'Down' && t.to === 'Up' && m.alertOnRecovered) out.push(event(m, 'monitor.up', `${m.name} is up again`, r));
  if (incidents.opened) out.push(event(m, 'incident.created', incidents.opened.title, r, incidents.opened));
  if (incidents.resolved) out.push(event(m, 'incident.resolved', `${incidents.resolved.title}: resolved`, r, incidents.resolved));
  return out;
}

/** incident.resolved for an incident ended by something other than a recovery (a pause). */
export function decideIncidentEnded(m: MonitorFacts, incident: Incident, atMs: number): DecidedEvent {
  return event(m, 'incident.resolved', `${incident.title}: resolved`, { atMs, responseTimeMs: null }, incident);
}

/** The TLS facts of one result (CheckResult.tls), null when the check saw no certificate. */
export interface ObservedCertificate {
  notAfterMs: number;
  subject: string;
  fingerprint: string;
  expiringSoon: boolean;
}

/** Identifies a certificate: a renewed one (new notAfter or fingerprint) is notified afresh. */
export const certificateKey = (c: ObservedCertificate) => `${c.fingerprint || c.subject}@${c.notAfterMs}`;

/**
 * monitor.ssl_expiring, once per certificate: when the result's certificate is within the
 * monitor's warning window and is not the one last notified about. Returns the key to
 * remember with the event.
 */
export function decideSslExpiring(
  m: MonitorFacts & Pick<Monitor, 'sslExpiryWarningDays'>,
  cert: ObservedCertificate | null,
  lastNotifiedKey: string | null,
  r: TriggeringResult,
): { event: DecidedEvent; key: string } | null {
  if (m.type !== 'Website' || !cert || !cert.expiringSoon || m.sslExpiryWarningDays === 0) return null;
  const key = certificateKey(cert);
  if (key === lastNotifiedKey) return null;
  const days = Math.floor((cert.notAfterMs - r.atMs) / 86_400_000);
  const when = new Date(cert.notAfterMs).toISOString();
  const message = days < 0 ? `certificate ${cert.subject} expired on ${when}` : `certificate ${cert.subject} expires on ${when} (in ${days} days)`;
  return { event: event(m, 'monitor.ssl_expiring', message, r), key };
}

/** Below this share of the threshold a degraded monitor counts as recovered (hysteresis). */
export const DEGRADED_CLEAR_RATIO = 0.8;

/**
 * monitor.degraded: fired once when the window's P95 first exceeds the monitor's threshold
 * while it is Up; the monitor stays Degraded until the P95 falls below 80 % of the threshold
 * (so a P95 hovering at the threshold does not flap). Down, Pending or the threshold switched
 * off end it without an event.
 */
export function decideDegradation(
  m: MonitorFacts & Pick<Monitor, 'p95ThresholdMs' | 'p95WindowSeconds'>,
  status: string,
  wasDegraded: boolean,
  p95Ms: number | null,
  r: TriggeringResult,
): { degraded: boolean; event: DecidedEvent | null } {
  const threshold = m.p95ThresholdMs;
  if (threshold === null || status !== 'Up') return { degraded: false, event: null };
  if (p95Ms === null) return { degraded: wasDegraded, event: null };
  if (!wasDegraded && p95Ms > threshold) {
    const message = `P95 response time ${Math.round(p95Ms)} ms over the last ${m.p95WindowSeconds} s exceeds ${threshold} ms`;
    return { degraded: true, event: event(m, 'monitor.degraded', message, { atMs: r.atMs, responseTimeMs: Math.round(p95Ms) }) };
  }
  if (wasDegraded && p95Ms < threshold * DEGRADED_CLEAR_RATIO) return { degraded: false, event: null };
  return { degraded: wasDegraded, event: null };
}
