/**
 * Escalation timers: one row per (incident, policy) with the next step and its due time.
 * An incident with a policy starts its timer in the transaction that opens it; acknowledge
 * and resolve stop it in theirs. `fireDue` leases due timers (FOR UPDATE SKIP LOCKED), and in
 * the same transaction writes the step's event to the outbox and moves the timer on, so a
 * step fires once however many processes run and whenever one restarts.
 */
import type { SqlClient } from '../../lib/ports/sql-client.js';
import type { Monitor } from '../../lib/monitors/model.js';
import { MonitorStore } from '../../lib/monitors/store.js';
import type { AlertOutbox } from '../deliveries/outbox.js';
import { event } from '../alert-decisions.js';
import { incidentFromRow, INCIDENT_COLUMNS, type Incident, type IncidentRow } from '../incident-model.js';
import type { EscalationStopper } from '../incident-lifecycle.js';
import { policyFromRow, type EscalationPolicy, type PolicyRow } from './policy-store.js';
import { ruleMatches } from '../rules/match.js';
import type { AlertEventType } from '../events.js';

const MINUTE_MS = 60_000;

export interface EscalationTimersDeps {
  sql: SqlClient;
  outbox: AlertOutbox;
}

interface TimerRow {
  incident_id: string;
  policy_id: string;
  org_id: string;
  monitor_id: string;
  next_index: number;
  due_at: Date | string;
}

export type StopReason = 'Acknowledged' | 'Resolved' | 'Exhausted' | 'PolicyGone' | 'MonitorGone';

/** Where step `index` (over every round) of a policy is, and whether it exists. */
export function stepAt(policy: Pick<EscalationPolicy, 'steps' | 'repeatCount'>, index: number) {
  const n = policy.steps.length;
  if (n === 0 || index >= n * (policy.repeatCount + 1)) return null;
  return { step: policy.steps[index % n]!, stepNumber: (index % n) + 1, round: Math.floor(index / n) + 1 };
}

export class EscalationTimers implements EscalationStopper {
  constructor(private readonly deps: EscalationTimersDeps) {}

  /**
   * Starts, for a new incident, the monitor's policy and those of the enabled alert rules
   * that match the monitor for incident.created (each policy once), on the incident's transaction.
   */
  async start(tx: SqlClient, incident: Incident, monitor: Monitor, atMs: number): Promise<void> {
    const { rows: rules } = await tx.query<{ escalation_policy_id: string; monitor_ids: string[] | null; tags: string[]; monitor_types: string[]; events: AlertEventType[] }>(
      `SELECT escalation_policy_id, monitor_ids, tags, monitor_types, events FROM alert_rules WHERE org_id = $1 AND enabled AND escalation_policy_id IS NOT NULL`,
      [monitor.orgId],
    );
    const ids = new Set<string>(monitor.escalationPolicyId ? [monitor.escalationPolicyId] : []);
    for (const r of rules) {
      const rule = { enabled: true, monitorIds: r.monitor_ids, tags: r.tags, monitorTypes: r.monitor_types, events: r.events };
      if (ruleMatches(rule, monitor, 'incident.created')) ids.add(r.escalation_policy_id);
    }
    if (ids.size === 0) return;
    const { rows } = await tx.query<PolicyRow>(`SELECT * FROM escalation_policies WHERE org_id = $1 AND id = ANY($2::text[])`, [monitor.orgId, [...ids]]);
    for (const row of rows) {
      const first = stepAt(policyFromRow(row), 0);
      if (!first) continue;
      await tx.query(
        `INSERT INTO escalation_timers (incident_id, policy_id, org_id, monitor_id, next_index, due_at)
         VALUES ($1, $2, $3, $4, 0, to_timestamp($5 / 1000.0)) ON CONFLICT DO NOTHING`,
        [incident.id, row.id, monitor.orgId, monitor.id, atMs + first.step.delayMinutes * MINUTE_MS],
      );
    }
  }

  /** Acknowledge and resolve stop every timer of the incident. */
  async stop(tx: SqlClient, incidentId: string, atMs: number, reason: StopReason = 'Acknowledged'): Promise<void> {
    await tx.query(
      `UPDATE escalation_timers SET stopped_at = to_timestamp($2 / 1000.0), stop_reason = $3 WHERE incident_id = $1 AND stopped_at IS NULL`,
      [incidentId, atMs, reason],
    );
  }

  /**
   * Fires the steps due at `nowMs` (at most `limit` timers, one step each) and returns how
   * many fired. Timers another process holds are skipped, not waited for.
   */
  async fireDue(nowMs: number, limit = 100): Promise<number> {
    return this.deps.sql.transaction(async (tx) => {
      const { rows } = await tx.query<TimerRow>(
        `SELECT incident_id, policy_id, org_id, monitor_id, next_index, due_at FROM escalation_timers
          WHERE stopped_at IS NULL AND due_at <= to_timestamp($1 / 1000.0)
          ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [nowMs, limit],
      );
      let fired = 0;
      for (const timer of rows) if (await this.fire(tx, timer, nowMs)) fired++;
      return fired;
    });
  }

  private async fire(tx: SqlClient, timer: TimerRow, nowMs: number): Promise<boolean> {
    const stop = async (reason: StopReason) => {
      await tx.query(
        `UPDATE escalation_timers SET stopped_at = to_timestamp($3 / 1000.0), stop_reason = $4 WHERE incident_id = $1 AND policy_id = $2`,
        [timer.incident_id, timer.policy_id, nowMs, reason],
      );
      return false;
    };
    const { rows: incidents } = await tx.query<IncidentRow>(`SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE id = $1`, [timer.incident_id]);
    const incident = incidentFromRow(incidents[0]!);
    if (incident.status === 'Resolved') return stop('Resolved');
    if (incident.acknowledgedAt) return stop('Acknowledged');
    const { rows: policies } = await tx.query<PolicyRow>(`SELECT * FROM escalation_policies WHERE id = $1`, [timer.policy_id]);
    const policy = policyFromRow(policies[0]!);
    const at = stepAt(policy, timer.next_index);
    if (!at) return stop('Exhausted');
    // Read on the timer's transaction: an embedded store has one connection, and a read beside
    // the transaction would wait for it to end, which it never would.
    const monitor = await new MonitorStore(tx).getById(timer.monitor_id);
    if (!monitor || monitor.orgId !== timer.org_id) return stop('MonitorGone');

    const minutes = Math.round((nowMs - incident.startedAt.getTime()) / MINUTE_MS);
    const decided = event(monitor, 'incident.escalated', `${incident.title}: unacknowledged after ${minutes} min (step ${at.stepNumber} of ${policy.steps.length}, round ${at.round})`,
      { atMs: nowMs, responseTimeMs: null }, incident);
    decided.escalation = { policyId: policy.id, policyName: policy.name, step: at.stepNumber, round: at.round };
    await this.deps.outbox.enqueueTo(tx, monitor, decided, at.step.channelIds, nowMs, at.step.memberIds);

    const next = stepAt(policy, timer.next_index + 1);
    // The next step counts from this one's due time, so a late tick does not stretch the schedule.
    const dueMs = new Date(timer.due_at).getTime() + (next?.step.delayMinutes ?? 0) * MINUTE_MS;
    await tx.query(
      `UPDATE escalation_timers SET next_index = next_index + 1, fired_count = fired_count + 1, due_at = to_timestamp($3 / 1000.0),
         stopped_at = CASE WHEN $4::boolean THEN to_timestamp($5 / 1000.0) END, stop_reason = CASE WHEN $4::boolean THEN 'Exhausted' END
        WHERE incident_id = $1 AND policy_id = $2`,
      [timer.incident_id, timer.policy_id, dueMs, next === null, nowMs],
    );
    return true;
  }
}
