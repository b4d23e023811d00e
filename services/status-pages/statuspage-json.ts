/**
 * The page in Atlassian Statuspage's public JSON shapes (its "Status API": summary.json,
 * status.json, components.json, incidents.json, incidents/unresolved.json,
 * scheduled-maintenances.json, …/upcoming.json, …/active.json), so aggregators and widgets
 * written for Statuspage read a Pharos page unchanged. Where Statuspage has no equivalent
 * (no "unknown" component status), the nearest documented value is used
 * (docs/status-pages.md).
 */
import { createHash } from 'node:crypto';
import type { MonitorStatus } from '../lib/monitors/model.js';
import type { ComponentView, IncidentView, MaintenanceView, OverallStatus, PageView } from './view.js';

export type ComponentStatus = 'operational' | 'degraded_performance' | 'partial_outage' | 'major_outage' | 'under_maintenance';
export type Indicator = 'none' | 'minor' | 'major' | 'critical';

const COMPONENT_STATUS: Record<MonitorStatus, ComponentStatus> = {
  Up: 'operational', Degraded: 'degraded_performance', Down: 'major_outage', Maintenance: 'under_maintenance',
  // Statuspage has no "not known": no evidence of a problem reads as operational.
  Pending: 'operational', Unknown: 'operational', Paused: 'operational',
};
const SEVERITY_ORDER: ComponentStatus[] = ['operational', 'under_maintenance', 'degraded_performance', 'partial_outage', 'major_outage'];

const STATUS: Record<OverallStatus, { indicator: Indicator; description: string }> = {
  operational: { indicator: 'none', description: 'All Systems Operational' },
  unknown: { indicator: 'none', description: 'All Systems Operational' },
  maintenance: { indicator: 'minor', description: 'Service Under Maintenance' },
  degraded: { indicator: 'minor', description: 'Partially Degraded Service' },
  partial_outage: { indicator: 'major', description: 'Partial System Outage' },
  major_outage: { indicator: 'critical', description: 'Major System Outage' },
};

const iso = (d: Date | number) => new Date(d).toISOString();

export function groupId(pageId: string, name: string): string {
  return `grp_${createHash('sha256').update(`${pageId}\u0000${name}`).digest('hex').slice(0, 24)}`;
}

export class StatuspageDocuments {
  private readonly pageDoc: { id: string; name: string; url: string; time_zone: string; updated_at: string };

  constructor(private readonly view: PageView, pageUrl: string) {
    const { page } = view;
    const latest = Math.max(page.updatedAt.getTime(), ...[...view.activeIncidents, ...view.pastIncidents].map((i) => i.updatedAt.getTime()), ...view.maintenance.map((m) => m.updatedAt.getTime()));
    this.pageDoc = { id: page.id, name: page.title, url: pageUrl, time_zone: 'Etc/UTC', updated_at: iso(latest) };
  }

  private component(c: ComponentView, position: number) {
    const { page } = this.view;
    return {
      id: c.monitorId, name: c.name, status: COMPONENT_STATUS[c.status], created_at: iso(c.createdAt), updated_at: iso(Math.max(c.updatedAt.getTime(), page.updatedAt.getTime())),
      position, description: null, showcase: c.showUptime, start_date: iso(c.createdAt).slice(0, 10),
      group_id: c.group === null ? null : groupId(page.id, c.group), page_id: page.id, group: false, only_show_if_degraded: false,
    };
  }

  components() {
    const { page } = this.view;
    const out: Array<Record<string, unknown>> = [];
    let position = 0;
    for (const g of this.view.groups) {
      const children = g.components.map((c) => this.component(c, ++position));
      if (g.name !== null) {
        const worst = children.reduce<ComponentStatus>((w, c) => (SEVERITY_ORDER.indexOf(c.status) > SEVERITY_ORDER.indexOf(w) ? c.status : w), 'operational');
        out.push({
          id: groupId(page.id, g.name), name: g.name, status: worst, created_at: iso(page.createdAt), updated_at: iso(page.updatedAt),
          position: ++position, description: null, showcase: false, start_date: null, group_id: null, page_id: page.id, group: true,
          only_show_if_degraded: false, components: children.map((c) => c.id),
        });
      }
      out.push(...children);
    }
    return out;
  }

  private affected(ids: readonly string[]) {
    const all = this.components();
    return all.filter((c) => ids.includes(c.id as string));
  }

  private incident(i: IncidentView) {
    const { page } = this.view;
    const monitoring = i.updates.find((u) => u.status === 'Monitoring');
    return {
      id: i.id, name: i.title, status: i.phase.toLowerCase(), created_at: iso(i.startedAt), updated_at: iso(i.updatedAt),
      monitoring_at: monitoring ? iso(monitoring.createdAt) : null, resolved_at: i.resolvedAt ? iso(i.resolvedAt) : null,
      impact: i.severity.toLowerCase(), shortlink: `${this.pageDoc.url}#${i.id}`, started_at: iso(i.startedAt), page_id: page.id,
      incident_updates: [...i.updates].reverse().map((u) => ({
        id: u.id, status: u.status.toLowerCase(), body: u.message, incident_id: i.id, created_at: iso(u.createdAt), updated_at: iso(u.createdAt),
        display_at: iso(u.createdAt), affected_components: null, deliver_notifications: true, custom_tweet: null, tweet_id: null,
      })),
      components: this.affected(i.monitorIds), postmortem_body: null, postmortem_body_last_updated_at: null,
    };
  }

  private maintenance(m: MaintenanceView) {
    const { page } = this.view;
    const status = m.inProgress ? 'in_progress' : 'scheduled';
    return {
      id: m.id, name: m.name, status, created_at: iso(m.updatedAt), updated_at: iso(m.updatedAt), monitoring_at: null, resolved_at: null,
      impact: 'maintenance', shortlink: `${this.pageDoc.url}#maintenance`, started_at: iso(m.startMs), page_id: page.id,
      incident_updates: [{
        id: `${m.id}_${m.startMs}`, status, body: m.inProgress ? `${m.name} is in progress.` : `${m.name} is scheduled.`, incident_id: m.id,
        created_at: iso(m.updatedAt), updated_at: iso(m.updatedAt), display_at: iso(m.updatedAt), affected_components: null, deliver_notifications: true, custom_tweet: null, tweet_id: null,
      }],
      components: this.affected(m.monitorIds), scheduled_for: iso(m.startMs), scheduled_until: iso(m.endMs),
    };
  }

  status() {
    return { page: this.pageDoc, status: STATUS[this.view.overall] };
  }

  componentsDoc() {
    return { page: this.pageDoc, components: this.components() };
  }

  incidents() {
    return { page: this.pageDoc, incidents: [...this.view.activeIncidents, ...this.view.pastIncidents].slice(0, 50).map((i) => this.incident(i)) };
  }

  unresolvedIncidents() {
    return { page: this.pageDoc, incidents: this.view.activeIncidents.map((i) => this.incident(i)) };
  }

  scheduledMaintenances(which: 'all' | 'upcoming' | 'active' = 'all') {
    const list = this.view.maintenance.filter((m) => which === 'all' || (which === 'active') === m.inProgress);
    return { page: this.pageDoc, scheduled_maintenances: list.map((m) => this.maintenance(m)) };
  }

  summary() {
    return {
      page: this.pageDoc, components: this.components(), incidents: this.view.activeIncidents.map((i) => this.incident(i)),
      scheduled_maintenances: this.view.maintenance.map((m) => this.maintenance(m)), status: STATUS[this.view.overall],
    };
  }
}
