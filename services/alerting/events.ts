/**
 * What alerting tells people about (the Enori document's six webhook events). An event is
 * decided once, in the transaction that changes the status or incident, and written to the
 * deliveries outbox with one row per channel; its id is stable across retries (`webhook-id`).
 */
import type { MonitorTypeName } from '../../contracts/checks/index.js';

export const ALERT_EVENT_TYPES = [
  'monitor.down', 'monitor.up', 'monitor.degraded', 'monitor.ssl_expiring', 'incident.created', 'incident.resolved',
  // Added to the document's six (docs/incidents.md): the incident lifecycle a person drives.
  'incident.acknowledged', 'incident.updated', 'incident.escalated',
  // The Encrata surface's entity monitors (docs/encrata.md, "Change events").
  'entity.changed',
  // The Diligent surface's website risk monitorings (docs/diligent.md, "Verdict events").
  'monitoring.flagged', 'monitoring.verdict_changed',
] as const;
export type AlertEventType = (typeof ALERT_EVENT_TYPES)[number];

/**
 * What the deployment's operator is told (docs/alerting.md, "Operator alerts"): not an
 * organization's event, so no rule selects it and no organization's alert records show it.
 */
export const OPERATOR_EVENT_TYPES = ['region.dark', 'region.recovered'] as const;
export type OperatorEventType = (typeof OPERATOR_EVENT_TYPES)[number];

/**
 * What only a status page's subscribers are told (docs/status-pages.md, "Email subscriptions"):
 * no rule selects it and no channel but a subscriber receives it.
 */
export const SUBSCRIBER_EVENT_TYPES = ['maintenance.scheduled'] as const;
export type SubscriberEventType = (typeof SUBSCRIBER_EVENT_TYPES)[number];

/** The alert record's `type` (the document's "Down, Recovered, P95, etc."). */
export const ALERT_TYPE_OF_EVENT: { readonly [E in AlertEventType | OperatorEventType | SubscriberEventType]: string } = {
  'monitor.down': 'Down',
  'monitor.up': 'Recovered',
  'monitor.degraded': 'P95',
  'monitor.ssl_expiring': 'SslExpiring',
  'incident.created': 'IncidentCreated',
  'incident.resolved': 'IncidentResolved',
  'incident.acknowledged': 'IncidentAcknowledged',
  'incident.updated': 'IncidentUpdated',
  'incident.escalated': 'IncidentEscalated',
  'region.dark': 'RegionDark',
  'region.recovered': 'RegionRecovered',
  'maintenance.scheduled': 'MaintenanceScheduled',
  'entity.changed': 'EntityChanged',
  'monitoring.flagged': 'MonitoringFlagged',
  'monitoring.verdict_changed': 'MonitoringVerdictChanged',
};

/**
 * On entity.changed: what an Encrata monitor's run found for up to 50 targets (one event per
 * enrichment chunk). diff_only lists the changed targets with their changed fields;
 * full_refresh lists every target with its whole record and the diff.
 */
export interface EntityChangePayload {
  monitor: { id: string; name: string; monitor_type: string; change_detection: string };
  run_id: string;
  baseline: boolean;
  targets: Array<{ target: string; changes: Array<{ field: string; kind: string; before?: unknown; after?: unknown }>; record?: Record<string, unknown> }>;
}

/**
 * On monitoring.flagged / monitoring.verdict_changed: a Diligent monitoring's execution and
 * the checks whose conclusive verdict differs from the one last announced (snake_case, like
 * the Diligent surface). `findings` is every check of the execution, briefly.
 */
export interface MonitoringVerdictPayload {
  id: string;
  website: string;
  customer_id: string;
  execution_id: string;
  trigger: string;
  finished_at: string;
  changes: Array<{
    check: string; verdict: string; previous_verdict: string | null; confidence: number; summary: string;
    evidence: Array<Record<string, unknown>>;
    regions?: Record<string, string>; regions_disagree?: boolean;
  }>;
  findings: Array<{ check: string; verdict: string; confidence: number; summary: string; regions_disagree?: boolean }>;
}

export interface AlertEventIncident {
  id: string;
  title: string;
  status: string;
  cause: string;
  startedAt: string;
  resolvedAt: string | null;
  severity: string;
  acknowledgedAt: string | null;
  /** The latest timeline entry, on incident.updated. */
  update?: { status: string; message: string };
}

/**
 * One event. `event`, `monitor` and `alert` are the document's Webhook payload exactly;
 * `id` and `incident` are added (never renamed) where they apply.
 */
export interface AlertEvent {
  /** `evt_…`, the same on every retry and every channel (Standard Webhooks `webhook-id` per delivery adds the channel). */
  id: string;
  event: AlertEventType | OperatorEventType | SubscriberEventType;
  /** Null on an operator event. */
  orgId: string | null;
  /** Null for an incident about no monitor (a manual one), sent to the organization-wide rules. */
  monitor: { id: string; name: string; url: string | null; type: MonitorTypeName } | null;
  alert: { type: string; message: string; timestamp: string; responseTimeMs: number | null };
  incident?: AlertEventIncident;
  /** On incident.escalated: which policy and step (1-based) of which round (1-based). */
  escalation?: { policyId: string; policyName: string; step: number; round: number };
  /** On region.dark / region.recovered: the region, its agents now, and when one was last heard from. */
  region?: { name: string; connectedAgents: number; lastSeenAt: string | null };
  /** On maintenance.scheduled: the window and its next (or current) occurrence. */
  maintenance?: { id: string; name: string; startsAt: string; endsAt: string };
  /** On entity.changed: the Encrata monitor's run and its targets' changes. */
  entityChange?: EntityChangePayload;
  /** On monitoring.flagged / monitoring.verdict_changed: the Diligent monitoring's changed verdicts. */
  monitoring?: MonitoringVerdictPayload;
}

/** The JSON a Webhook channel receives: the document's shape plus the added fields. */
export function webhookPayload(e: AlertEvent) {
  return { id: e.id, event: e.event, monitor: e.monitor, alert: e.alert, ...(e.incident ? { incident: e.incident } : {}), ...(e.escalation ? { escalation: e.escalation } : {}), ...(e.region ? { region: e.region } : {}), ...(e.entityChange ? { entity_change: e.entityChange } : {}), ...(e.monitoring ? { monitoring: e.monitoring } : {}) };
}
