/**
 * What a finished Diligent execution announces (docs/diligent.md, "Verdict events"; the
 * choice in docs/decisions.md). A monitoring keeps the last conclusive verdict of each check
 * (`announced_verdicts`); an execution announces the checks whose conclusive verdict differs
 * from it — a first verdict of `flagged` included, a first `clear` not (a baseline), and
 * `inconclusive` never (a bot wall or timeout says nothing new). One event per execution:
 * `monitoring.flagged` when a check became flagged, else `monitoring.verdict_changed`
 * (flagged checks came clear). Decided and written on the execution's own transaction, so an
 * execution stored once is announced once.
 */
import type { DecidedEvent } from '../alerting/alert-decisions.js';
import { ALERT_TYPE_OF_EVENT, type MonitoringVerdictPayload } from '../alerting/events.js';
import type { AlertOutbox } from '../alerting/deliveries/outbox.js';
import type { Finding } from './checks/finding.js';
import type { Announce } from './store.js';

/** The last conclusive verdict per check name. */
export type VerdictState = Record<string, 'flagged' | 'clear'>;

export interface VerdictChange {
  finding: Finding;
  previous: 'flagged' | 'clear' | null;
}

/** Evidence signals carried in an event per changed check (the execution holds them all). */
export const EVENT_EVIDENCE_LIMIT = 5;

/** The checks whose conclusive verdict differs from the state, and the state after this execution. */
export function verdictChanges(previous: Readonly<VerdictState>, findings: readonly Finding[]): { changes: VerdictChange[]; next: VerdictState } {
  const next: VerdictState = { ...previous };
  const changes: VerdictChange[] = [];
  for (const f of findings) {
    if (f.verdict === 'inconclusive') continue;
    const before = previous[f.check] ?? null;
    next[f.check] = f.verdict;
    if (before === f.verdict) continue;
    if (before === null && f.verdict === 'clear') continue; // a first clear verdict is the baseline
    changes.push({ finding: f, previous: before });
  }
  return { changes, next };
}

export interface AnnouncedExecution {
  monitoring: { id: string; orgId: string; website: string };
  execution: { id: string; trigger: string };
  findings: readonly Finding[];
  atMs: number;
}

/** The event for these changes; undefined when nothing changed. */
export function verdictEvent(x: AnnouncedExecution, changes: readonly VerdictChange[]): DecidedEvent | undefined {
  if (changes.length === 0) return undefined;
  const flagged = changes.filter((c) => c.finding.verdict === 'flagged').map((c) => c.finding.check);
  const type = flagged.length > 0 ? 'monitoring.flagged' : 'monitoring.verdict_changed';
  const cleared = changes.filter((c) => c.finding.verdict === 'clear').map((c) => c.finding.check);
  const message = [
    flagged.length > 0 ? `flagged by ${flagged.join(', ')}` : '',
    cleared.length > 0 ? `no longer flagged by ${cleared.join(', ')}` : '',
  ].filter(Boolean).join('; ');
  const monitoring: MonitoringVerdictPayload = {
    id: x.monitoring.id, website: x.monitoring.website, customer_id: x.monitoring.orgId,
    execution_id: x.execution.id, trigger: x.execution.trigger, finished_at: new Date(x.atMs).toISOString(),
    changes: changes.map(({ finding: f, previous }) => ({
      check: f.check, verdict: f.verdict, previous_verdict: previous, confidence: f.confidence, summary: f.summary,
      evidence: f.evidence.slice(0, EVENT_EVIDENCE_LIMIT) as unknown as Array<Record<string, unknown>>,
      ...regionFields(f),
    })),
    findings: x.findings.map((f) => ({ check: f.check, verdict: f.verdict, confidence: f.confidence, summary: f.summary, ...(f.regions_disagree ? { regions_disagree: true } : {}) })),
  };
  return {
    event: type, orgId: x.monitoring.orgId, monitor: null, monitoring,
    alert: { type: ALERT_TYPE_OF_EVENT[type], message: `${x.monitoring.website}: ${message}`, timestamp: new Date(x.atMs).toISOString(), responseTimeMs: null },
  };
}


/** With several regions: each region's verdict, and whether they disagree. */
function regionFields(f: Finding): { regions?: Record<string, string>; regions_disagree?: boolean } {
  if (!f.regions) return {};
  return { regions: Object.fromEntries(Object.entries(f.regions).map(([r, v]) => [r, v.verdict])), regions_disagree: f.regions_disagree === true };
}

/** The store's Announce through the notifications outbox: organization-wide rules, like entity.changed. */
export function announceThrough(outbox: AlertOutbox): Announce {
  return async (tx, x) => {
    const { changes, next } = verdictChanges(x.previous, x.findings);
    const decided = verdictEvent({ monitoring: x.monitoring, execution: x.execution, findings: x.findings, atMs: x.atMs }, changes);
    return { verdicts: next, deliveriesQueued: decided ? await outbox.enqueueForOrganization(tx, x.monitoring.orgId, decided, x.atMs) : 0 };
  };
}
