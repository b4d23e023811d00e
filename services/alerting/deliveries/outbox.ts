/**
 * Writes decided events to the outbox, on the transaction of the change that decided them:
 * one alert_events row per event and one alert_deliveries row per channel it goes to (the
 * monitor's own alertChannelIds plus every matching enabled rule's, each once). A channel id
 * that names no channel of the organization (deleted meanwhile) is passed over.
 */
import type { SqlClient } from '../../lib/ports/sql-client.js';
import { newId } from '../../lib/store/ids.js';
import { ALERT_EVENT_TYPES, ALERT_TYPE_OF_EVENT, type AlertEvent, type AlertEventType } from '../events.js';
import type { DecidedEvent } from '../alert-decisions.js';
import { channelsFor, organizationChannels, type MonitorFacts, type RuleSelector } from '../rules/match.js';
import { memberTargets } from '../escalation/member-recipients.js';
import { subscribersOfMonitor, subscribersOfMonitors } from '../../status-pages/subscribers.js';

/** The incident events a status page's subscribers are mailed about. */
const SUBSCRIBER_INCIDENT_EVENTS: ReadonlySet<string> = new Set(['incident.created', 'incident.updated', 'incident.resolved']);

interface RuleRow {
  id: string;
  monitor_ids: string[] | null;
  tags: string[];
  monitor_types: string[];
  events: AlertEventType[];
  channel_ids: string[];
}

/** An organization's event, which rules select (an operator event is not one). */
const isRuleEvent = (type: string): type is AlertEventType => (ALERT_EVENT_TYPES as readonly string[]).includes(type);

/** Where one delivery goes: a channel as the alert record keeps it. */
export interface DeliveryTarget { id: string; name: string; type: string }

export class AlertOutbox {
  /**
   * Returns how many deliveries were queued, so the caller can nudge the workers after the
   * transaction commits. An event with no channel is not stored: there is nothing to send
   * and no record to show.
   */
  async enqueue(tx: SqlClient, monitor: MonitorFacts & { orgId: string; alertChannelIds: readonly string[] }, events: DecidedEvent[], atMs: number): Promise<number> {
    if (events.length === 0) return 0;
    const rules = await this.enabledRules(tx, monitor.orgId);
    let queued = 0;
    for (const decided of events) {
      if (!isRuleEvent(decided.event)) continue;
      const wanted = channelsFor(monitor, rules, decided.event);
      if (wanted.length > 0) queued += await this.enqueueTo(tx, monitor, decided, wanted, atMs);
      queued += await this.enqueueToSubscribers(tx, monitor, decided, atMs);
    }
    return queued;
  }

  /**
   * An incident event on a monitor also goes to the confirmed subscribers of the
   * organization's status pages that show it: its own event, one delivery per subscriber
   * (status-pages/subscriber-recipients.ts). Only here, where an incident changes: an
   * escalation's step or a rule's channels never mail subscribers twice.
   */
  private async enqueueToSubscribers(tx: SqlClient, monitor: { id: string; orgId: string }, decided: DecidedEvent, atMs: number): Promise<number> {
    if (!SUBSCRIBER_INCIDENT_EVENTS.has(decided.event) || !decided.incident) return 0;
    const subscribers = await subscribersOfMonitor(tx, monitor.orgId, monitor.id);
    if (subscribers.length === 0) return 0;
    // Subscribers read the words posted with the change; a new incident has its first entry, a resolved one its Resolved entry.
    let told = decided;
    if (!decided.incident.update && decided.event !== 'incident.updated') {
      const { rows } = await tx.query<{ status: string; message: string }>(
        `SELECT status, message FROM incident_updates WHERE incident_id = $1 AND ($2 OR status = 'Resolved') ORDER BY created_at DESC, id DESC LIMIT 1`,
        [decided.incident.id, decided.event === 'incident.created'],
      );
      if (rows[0]) told = { ...decided, incident: { ...decided.incident, update: rows[0] } };
    }
    return this.insert(tx, monitor.orgId, monitor.id, told, subscribers.map((s) => ({ id: s.id, name: 'Status page subscriber', type: 'Email' })), atMs);
  }

  /**
   * Writes an event about no monitor (a manual incident's) for the channels of the
   * organization's rules that select every monitor; returns the deliveries queued.
   */
  async enqueueForOrganization(tx: SqlClient, orgId: string, decided: DecidedEvent, atMs: number): Promise<number> {
    if (!isRuleEvent(decided.event)) return 0;
    const wanted = organizationChannels(await this.enabledRules(tx, orgId), decided.event);
    return wanted.length === 0 ? 0 : this.enqueueTo(tx, { id: null, orgId }, decided, wanted, atMs);
  }

  /**
   * Writes one event for exactly these channels of the monitor's organization (an
   * escalation step names its own) and these team members (emailed, see
   * escalation/member-recipients.ts), passing over ids that name no channel or member.
   * Returns the deliveries queued.
   */
  async enqueueTo(tx: SqlClient, monitor: { id: string | null; orgId: string }, decided: DecidedEvent, channelIds: readonly string[], atMs: number, memberIds: readonly string[] = []): Promise<number> {
    const { rows: channels } = channelIds.length === 0 ? { rows: [] } : await tx.query<{ id: string; name: string; type: string }>(
      `SELECT id, name, type FROM alert_channels WHERE org_id = $1 AND id = ANY($2::text[])`,
      [monitor.orgId, [...channelIds]],
    );
    const members = await memberTargets(tx, monitor.orgId, memberIds);
    const ordered = [
      ...channelIds.map((id) => channels.find((c) => c.id === id)).filter((c) => c !== undefined),
      ...members.map((m) => ({ id: m.id, name: m.name, type: 'Email' })),
    ];
    return this.insert(tx, monitor.orgId, monitor.id, decided, ordered, atMs);
  }

  /**
   * Writes a maintenance window's announcement for the confirmed subscribers of the
   * organization's pages showing a monitor it covers, on the window's transaction; returns
   * the deliveries queued. Only subscribers: rules and channels are not told of maintenance.
   */
  async enqueueMaintenanceForSubscribers(tx: SqlClient, orgId: string, coveredMonitorIds: readonly string[], decided: DecidedEvent, atMs: number): Promise<number> {
    const subscribers = await subscribersOfMonitors(tx, orgId, coveredMonitorIds);
    return this.insert(tx, orgId, null, decided, subscribers.map((s) => ({ id: s.id, name: 'Status page subscriber', type: 'Email' })), atMs);
  }

  /**
   * Writes an operator event (a region that lost its agents) for the deployment's operator
   * channels: no organization, no monitor, so no organization's alert records show it.
   */
  async enqueueOperator(tx: SqlClient, decided: DecidedEvent, targets: readonly DeliveryTarget[], atMs: number): Promise<number> {
    return this.insert(tx, null, null, decided, targets, atMs);
  }

  private async insert(tx: SqlClient, orgId: string | null, monitorId: string | null, decided: DecidedEvent, targets: readonly DeliveryTarget[], atMs: number): Promise<number> {
    if (targets.length === 0) return 0;
    const event: AlertEvent = { id: newId('evt'), ...decided };
    await tx.query(
      `INSERT INTO alert_events (id, org_id, monitor_id, type, payload, created_at) VALUES ($1, $2, $3, $4, $5, to_timestamp($6 / 1000.0))`,
      [event.id, orgId, monitorId, event.event, JSON.stringify(event), atMs],
    );
    for (const c of targets) {
      await tx.query(
        `INSERT INTO alert_deliveries (id, event_id, org_id, monitor_id, channel_id, channel_name, channel_type, alert_type, status, next_attempt_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'Pending', to_timestamp($9 / 1000.0), to_timestamp($9 / 1000.0), to_timestamp($9 / 1000.0))`,
        [newId('alr'), event.id, orgId, monitorId, c.id, c.name, c.type, ALERT_TYPE_OF_EVENT[event.event], atMs],
      );
    }
    return targets.length;
  }

  private async enabledRules(tx: SqlClient, orgId: string): Promise<Array<RuleSelector & { channelIds: string[] }>> {
    const { rows } = await tx.query<RuleRow>(
      `SELECT r.id, r.monitor_ids, r.tags, r.monitor_types, r.events,
              COALESCE((SELECT json_agg(c.channel_id) FROM alert_rule_channels c WHERE c.rule_id = r.id), '[]'::json) AS channel_ids
         FROM alert_rules r WHERE r.org_id = $1 AND r.enabled ORDER BY r.created_at, r.id`,
      [orgId],
    );
    return rows.map((r) => ({ enabled: true, monitorIds: r.monitor_ids, tags: r.tags, monitorTypes: r.monitor_types, events: r.events, channelIds: r.channel_ids }));
  }
}
