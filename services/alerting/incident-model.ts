/** An incident as alerting and the api see it, and its row in the control-plane store. */
import type { RegionEvidence } from './status-machine.js';

export const INCIDENT_STATUSES = ['Open', 'Resolved'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export const INCIDENT_KINDS = ['Automatic', 'Manual'] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

export const INCIDENT_SEVERITIES = ['Critical', 'Major', 'Minor'] as const;
export type IncidentSeverity = (typeof INCIDENT_SEVERITIES)[number];

/** The statuses a timeline update may carry (the Enori document's examples). */
export const UPDATE_STATUSES = ['Investigating', 'Identified', 'Monitoring', 'Resolved'] as const;
export type UpdateStatus = (typeof UPDATE_STATUSES)[number];

export interface Incident {
  id: string;
  orgId: string;
  /** Null for a manual incident about no monitor. */
  monitorId: string | null;
  kind: IncidentKind;
  severity: IncidentSeverity;
  title: string;
  message: string;
  status: IncidentStatus;
  cause: string;
  startedAt: Date;
  resolvedAt: Date | null;
  acknowledgedAt: Date | null;
  /** The api key that acknowledged it. */
  acknowledgedBy: string | null;
  /** The api key that resolved it by hand; null when a recovery did. */
  resolvedBy: string | null;
  createdBy: string | null;
  firstFailingResultId: string | null;
  /** Per region at the opening transition (older incidents lack the error kind, phase and first failure). */
  evidence: Array<Partial<RegionEvidence> & Pick<RegionEvidence, 'region' | 'verdict' | 'consecutiveFailures' | 'lastError'>>;
}

export interface IncidentUpdate {
  id: string;
  incidentId: string;
  status: UpdateStatus;
  message: string;
  createdBy: string | null;
  createdAt: Date;
}

export interface IncidentRow {
  id: string;
  org_id: string;
  monitor_id: string | null;
  kind: IncidentKind;
  severity: IncidentSeverity;
  title: string;
  message: string;
  status: IncidentStatus;
  cause: string;
  started_at: Date | string;
  resolved_at: Date | string | null;
  acknowledged_at: Date | string | null;
  acknowledged_by: string | null;
  resolved_by: string | null;
  created_by: string | null;
  first_failing_result_id: string | null;
  evidence: Incident['evidence'];
}

const date = (v: Date | string | null) => (v === null ? null : new Date(v));

export function incidentFromRow(r: IncidentRow): Incident {
  return {
    id: r.id, orgId: r.org_id, monitorId: r.monitor_id, kind: r.kind, severity: r.severity, title: r.title, message: r.message,
    status: r.status, cause: r.cause, startedAt: new Date(r.started_at), resolvedAt: date(r.resolved_at),
    acknowledgedAt: date(r.acknowledged_at), acknowledgedBy: r.acknowledged_by, resolvedBy: r.resolved_by, createdBy: r.created_by,
    firstFailingResultId: r.first_failing_result_id, evidence: r.evidence,
  };
}

export const INCIDENT_COLUMNS = 'id, org_id, monitor_id, kind, severity, title, message, status, cause, started_at, resolved_at, acknowledged_at, acknowledged_by, resolved_by, created_by, first_failing_result_id, evidence';
