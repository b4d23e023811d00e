/**
 * What people do to incidents: create one by hand, acknowledge, post timeline updates and
 * resolve. Each change, its timeline entry, its event in the outbox and the end of the
 * incident's escalation happen in one transaction, on the incident's row lock, so two
 * people acknowledging at once give one acknowledgement and one event, and a refused change
 * stores nothing.
 */
import type { SqlClient } from '../lib/ports/sql-client.js';
import type { Monitor } from '../lib/monitors/model.js';
import { DomainError } from '../lib/errors.js';
import { newId } from '../lib/store/ids.js';
import type { AlertOutbox } from './deliveries/outbox.js';
import { event, organizationEvent, type DecidedEvent } from './alert-decisions.js';
import type { AlertEventType } from './events.js';
import { IncidentStore } from './incident-store.js';
import { incidentFromRow, INCIDENT_COLUMNS, type Incident, type IncidentRow, type IncidentSeverity, type IncidentUpdate, type UpdateStatus } from './incident-model.js';

/** Starts an incident's escalation and ends it (acknowledged or resolved), on the change's transaction. */
export interface EscalationStopper {
  start(tx: SqlClient, incident: Incident, monitor: Monitor, atMs: number): Promise<void>;
  stop(tx: SqlClient, incidentId: string, atMs: number, reason?: 'Acknowledged' | 'Resolved'): Promise<void>;
}

export interface IncidentLifecycleDeps {
  sql: SqlClient;
  outbox: AlertOutbox;
  escalations?: EscalationStopper;
}

export interface ManualIncident {
  title: string;
  message: string;
  severity: IncidentSeverity;
  /** The organization's monitor it concerns (checked by the caller), if any. */
  monitor: Monitor | null;
}

const conflict = (message: string) => new DomainError('CONFLICT', 'Conflict', message);

interface UpdateRow { id: string; incident_id: string; status: UpdateStatus; message: string; created_by: string | null; created_at: Date | string }
const updateFromRow = (r: UpdateRow): IncidentUpdate => ({
  id: r.id, incidentId: r.incident_id, status: r.status, message: r.message, createdBy: r.created_by, createdAt: new Date(r.created_at),
});

export class IncidentLifecycle {
  private readonly incidents: IncidentStore;

  constructor(private readonly deps: IncidentLifecycleDeps) {
    this.incidents = new IncidentStore(deps.sql);
  }

  async create(orgId: string, input: ManualIncident, by: string, atMs: number): Promise<Incident> {
    return this.deps.sql.transaction(async (tx) => {
      const { rows } = await tx.query<IncidentRow>(
        `INSERT INTO incidents (id, org_id, monitor_id, kind, severity, title, message, status, started_at, created_by)
         VALUES ($1, $2, $3, 'Manual', $4, $5, $6, 'Open', to_timestamp($7 / 1000.0), $8) RETURNING ${INCIDENT_COLUMNS}`,
        [newId('inc'), orgId, input.monitor?.id ?? null, input.severity, input.title, input.message, atMs, by],
      );
      const incident = incidentFromRow(rows[0]!);
      await this.insertUpdate(tx, incident, 'Investigating', input.message, by, atMs);
      if (input.monitor) await this.deps.escalations?.start(tx, incident, input.monitor, atMs);
      await this.announce(tx, incident, input.monitor, 'incident.created', incident.title, atMs);
      return incident;
    });
  }

  async acknowledge(orgId: string, id: string, by: string, atMs: number, monitorOf: MonitorLookup): Promise<Incident> {
    return this.deps.sql.transaction(async (tx) => {
      const current = await this.locked(tx, orgId, id);
      if (current.status === 'Resolved') throw conflict(`incident ${id} is resolved; there is nothing to acknowledge`);
      if (current.acknowledgedAt) throw conflict(`incident ${id} was acknowledged at ${current.acknowledgedAt.toISOString()} by ${current.acknowledgedBy ?? 'someone'}`);
      const incident = await this.set(tx, id, 'acknowledged_at = to_timestamp($2 / 1000.0), acknowledged_by = $3', [atMs, by]);
      await this.deps.escalations?.stop(tx, id, atMs, 'Acknowledged');
      await this.announce(tx, incident, await monitorOf(incident.monitorId, tx), 'incident.acknowledged', `${incident.title}: acknowledged`, atMs);
      return incident;
    });
  }

  async resolve(orgId: string, id: string, input: { message?: string }, by: string, atMs: number, monitorOf: MonitorLookup): Promise<Incident> {
    return this.deps.sql.transaction(async (tx) => {
      const current = await this.locked(tx, orgId, id);
      if (current.status === 'Resolved') throw conflict(`incident ${id} was resolved at ${current.resolvedAt?.toISOString() ?? 'an earlier time'}`);
      return this.resolveLocked(tx, current, input.message ?? 'Resolved', by, atMs, monitorOf);
    });
  }

  /** Posts a timeline entry; an entry with status Resolved resolves the incident. */
  async addUpdate(orgId: string, id: string, input: { status: UpdateStatus; message: string }, by: string, atMs: number, monitorOf: MonitorLookup): Promise<IncidentUpdate> {
    return this.deps.sql.transaction(async (tx) => {
      const current = await this.locked(tx, orgId, id);
      if (current.status === 'Resolved') throw conflict(`incident ${id} is resolved; it takes no more updates`);
      if (input.status === 'Resolved') {
        await this.resolveLocked(tx, current, input.message, by, atMs, monitorOf);
        return (await this.timelineOn(tx, id)).at(-1)!;
      }
      const update = await this.insertUpdate(tx, current, input.status, input.message, by, atMs);
      await this.announce(tx, current, await monitorOf(current.monitorId, tx), 'incident.updated', `${input.status}: ${input.message}`, atMs, update);
      return update;
    });
  }

  async timeline(orgId: string, id: string): Promise<IncidentUpdate[]> {
    const { rows } = await this.deps.sql.query<UpdateRow>(
      `SELECT id, incident_id, status, message, created_by, created_at FROM incident_updates WHERE org_id = $1 AND incident_id = $2 ORDER BY created_at, id`,
      [orgId, id],
    );
    return rows.map(updateFromRow);
  }

  private async resolveLocked(tx: SqlClient, current: Incident, message: string, by: string, atMs: number, monitorOf: MonitorLookup): Promise<Incident> {
    const incident = await this.set(tx, current.id, `status = 'Resolved', resolved_at = to_timestamp($2 / 1000.0), resolved_by = $3`, [atMs, by]);
    await this.insertUpdate(tx, incident, 'Resolved', message, by, atMs);
    await this.deps.escalations?.stop(tx, incident.id, atMs, 'Resolved');
    await this.announce(tx, incident, await monitorOf(incident.monitorId, tx), 'incident.resolved', `${incident.title}: resolved`, atMs);
    return incident;
  }

  private async timelineOn(tx: SqlClient, id: string): Promise<IncidentUpdate[]> {
    const { rows } = await tx.query<UpdateRow>(`SELECT id, incident_id, status, message, created_by, created_at FROM incident_updates WHERE incident_id = $1 ORDER BY created_at, id`, [id]);
    return rows.map(updateFromRow);
  }

  private async locked(tx: SqlClient, orgId: string, id: string): Promise<Incident> {
    const incident = await this.incidents.get(orgId, id, tx, true);
    if (!incident) throw new DomainError('NOT_FOUND', 'Not found', `incident ${id} not found`);
    return incident;
  }

  private async set(tx: SqlClient, id: string, assignments: string, params: unknown[]): Promise<Incident> {
    const { rows } = await tx.query<IncidentRow>(`UPDATE incidents SET ${assignments} WHERE id = $1 RETURNING ${INCIDENT_COLUMNS}`, [id, ...params]);
    return incidentFromRow(rows[0]!);
  }

  private async insertUpdate(tx: SqlClient, incident: Incident, status: UpdateStatus, message: string, by: string | null, atMs: number): Promise<IncidentUpdate> {
    const { rows } = await tx.query<UpdateRow>(
      `INSERT INTO incident_updates (id, incident_id, org_id, status, message, created_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, to_timestamp($7 / 1000.0)) RETURNING id, incident_id, status, message, created_by, created_at`,
      [newId('upd'), incident.id, incident.orgId, status, message, by, atMs],
    );
    return updateFromRow(rows[0]!);
  }

  /**
   * The event goes to the incident's monitor's channels and matching rules. An incident about
   * no monitor (or one deleted since) goes to the rules that select every monitor
   * (docs/incidents.md), with `monitor: null` in its payload.
   */
  private async announce(tx: SqlClient, incident: Incident, monitor: Monitor | null, type: AlertEventType, message: string, atMs: number, update?: IncidentUpdate): Promise<void> {
    const decided: DecidedEvent = monitor
      ? event(monitor, type, message, { atMs, responseTimeMs: null }, incident)
      : organizationEvent(incident.orgId, type, message, atMs, incident);
    if (update && decided.incident) decided.incident.update = { status: update.status, message: update.message };
    if (monitor) await this.deps.outbox.enqueue(tx, monitor, [decided], atMs);
    else await this.deps.outbox.enqueueForOrganization(tx, incident.orgId, decided, atMs);
  }
}

/**
 * The organization's monitor an incident concerns (null for none, or one deleted meanwhile),
 * read on the caller's transaction: PGlite has one connection, so a read outside the open
 * transaction would wait for it forever.
 */
export type MonitorLookup = (monitorId: string | null, tx: SqlClient) => Promise<Monitor | null>;
