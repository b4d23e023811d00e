/**
 * What a public status page shows, read once per page from the control plane and the
 * results store; the HTML, the Statuspage-compatible JSON and the feed are all made from it.
 * Only the page's own organization's monitors, incidents and windows are read (every query
 * is by the page's org id), so another tenant's data cannot appear on a page.
 */
import type { ApiDeps } from '../api/context.js';
import type { Monitor, MonitorStatus } from '../lib/monitors/model.js';
import { statusOf } from '../api/routes/monitors/presenter.js';
import { MaintenanceWindowStore, covers, type MonitorMaintenance } from '../alerting/maintenance/store.js';
import { activeOccurrence, nextStart } from '../alerting/maintenance/schedule.js';
import { createDarkRegions } from '../alerting/dark-regions.js';
import type { IncidentSeverity, UpdateStatus } from '../alerting/incident-model.js';
import type { StatusPage } from './store.js';
import type { SettledDays } from './settled-days.js';

export const DAYS = 90;
const DAY_MS = 86_400_000;
/** Resolved incidents older than this are left out of the history. */
const HISTORY_DAYS = 90;
const MAX_INCIDENTS = 100;
/** Scheduled maintenance further ahead than this is not announced yet. */
const MAINTENANCE_HORIZON_MS = 30 * DAY_MS;

export interface DayView {
  /** UTC date, YYYY-MM-DD. */
  day: string;
  /** Up checks / (up + down) × 100; null without checks that day. */
  uptime: number | null;
  incidents: Array<{ id: string; title: string }>;
}

export interface ComponentView {
  monitorId: string;
  name: string;
  group: string | null;
  showUptime: boolean;
  status: MonitorStatus;
  /** Over the 90 days; null without checks. */
  uptime: number | null;
  days: DayView[];
  createdAt: Date;
  updatedAt: Date;
}

export interface UpdateView { id: string; status: UpdateStatus; message: string; createdAt: Date }

export interface IncidentView {
  id: string;
  title: string;
  message: string;
  severity: IncidentSeverity;
  resolved: boolean;
  /** The latest timeline status (Investigating when there is none yet); Resolved once resolved. */
  phase: UpdateStatus;
  monitorIds: string[];
  startedAt: Date;
  resolvedAt: Date | null;
  updatedAt: Date;
  updates: UpdateView[];
}

export interface MaintenanceView {
  id: string;
  name: string;
  startMs: number;
  endMs: number;
  inProgress: boolean;
  monitorIds: string[];
  updatedAt: Date;
}

/** The page as a whole, worst first: what the banner says. */
export type OverallStatus = 'major_outage' | 'partial_outage' | 'degraded' | 'maintenance' | 'operational' | 'unknown';

export interface PageView {
  page: StatusPage;
  generatedAtMs: number;
  overall: OverallStatus;
  components: ComponentView[];
  groups: Array<{ name: string | null; components: ComponentView[] }>;
  activeIncidents: IncidentView[];
  pastIncidents: IncidentView[];
  maintenance: MaintenanceView[];
}

type ViewDeps = Pick<ApiDeps, 'sql' | 'monitors' | 'incidents' | 'results' | 'hotState' | 'config' | 'now'>;

const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function overallOf(statuses: readonly MonitorStatus[]): OverallStatus {
  if (statuses.length === 0) return 'unknown';
  const down = statuses.filter((s) => s === 'Down').length;
  if (down > 0) return down === statuses.length ? 'major_outage' : 'partial_outage';
  if (statuses.includes('Degraded')) return 'degraded';
  if (statuses.includes('Maintenance')) return 'maintenance';
  if (statuses.every((s) => s === 'Up' || s === 'Paused')) return 'operational';
  return statuses.some((s) => s === 'Up') ? 'operational' : 'unknown';
}

/** Components in page order, grouped; groups in the order their first component appears. */
export function groupsOf(components: ComponentView[]): PageView['groups'] {
  const groups: PageView['groups'] = [];
  const byName = new Map<string | null, PageView['groups'][number]>();
  for (const c of components) {
    let g = byName.get(c.group);
    if (!g) {
      g = { name: c.group, components: [] };
      byName.set(c.group, g);
      groups.push(g);
    }
    g.components.push(c);
  }
  return groups;
}

/** `days` keeps the figures of days that are over between loads (the public routes pass their cache's). */
export async function loadPageView(deps: ViewDeps, page: StatusPage, days?: SettledDays): Promise<PageView> {
  const now = (deps.now ?? Date.now)();
  const orgId = page.orgId;
  const ids = page.components.map((c) => c.monitorId);
  const todayStart = Math.floor(now / DAY_MS) * DAY_MS;
  const fromMs = todayStart - (DAYS - 1) * DAY_MS;
  const windowsStore = new MaintenanceWindowStore(deps.sql, deps.now);
  const [monitors, daily, incidents, windows, darkRegions] = await Promise.all([
    deps.monitors.getMany(orgId, ids),
    days ? days.dailyChecks(deps.results, orgId, ids, fromMs, now) : deps.results.dailyChecks(orgId, ids, fromMs, now + 1),
    deps.incidents.forMonitors(orgId, ids, now - HISTORY_DAYS * DAY_MS, MAX_INCIDENTS),
    windowsStore.list(orgId),
    createDarkRegions(deps.hotState, deps.config.regions, () => now, 0)(),
  ]);
  const updates = await deps.incidents.updatesOf(orgId, incidents.map((i) => i.id));
  const byMonitor = new Map<string, Monitor>(monitors.map((m) => [m.id, m]));

  // Maintenance of the page's monitors: in progress now, or starting within the horizon.
  const maintenance: MaintenanceView[] = [];
  const heldBy = new Map<string, MonitorMaintenance>();
  for (const w of windows.items) {
    const covered = monitors.filter((m) => covers(w, m)).map((m) => m.id);
    if (covered.length === 0) continue;
    const current = activeOccurrence(w, now);
    if (current) {
      for (const id of covered) if (!heldBy.has(id)) heldBy.set(id, { windowId: w.id, mode: w.mode, occurrence: current });
      maintenance.push({ id: w.id, name: w.name, startMs: current.startMs, endMs: current.endMs, inProgress: true, monitorIds: covered, updatedAt: w.updatedAt });
      continue;
    }
    const start = nextStart(w, now);
    if (start === null || start > now + MAINTENANCE_HORIZON_MS) continue;
    const endMs = w.cronExpression || w.rrule ? start + (w.durationMinutes ?? 60) * 60_000 : (w.endsAtMs ?? start);
    maintenance.push({ id: w.id, name: w.name, startMs: start, endMs, inProgress: false, monitorIds: covered, updatedAt: w.updatedAt });
  }
  maintenance.sort((a, b) => a.startMs - b.startMs);

  const updatesOf = new Map<string, UpdateView[]>();
  for (const u of updates) {
    const list = updatesOf.get(u.incidentId) ?? [];
    list.push({ id: u.id, status: u.status, message: u.message, createdAt: u.createdAt });
    updatesOf.set(u.incidentId, list);
  }
  const displayName = new Map(page.components.map((c) => [c.monitorId, c.displayName]));
  const incidentViews: IncidentView[] = incidents.map((i) => {
    const name = (i.monitorId && displayName.get(i.monitorId)) || 'A service';
    const automatic = i.kind === 'Automatic';
    const posted = updatesOf.get(i.id) ?? [];
    // An automatic incident is told in public words: the component's display name, never the
    // monitor's own name or its error (which can name internal hosts and addresses).
    const timeline: UpdateView[] = automatic
      ? [{ id: `${i.id}_detected`, status: 'Investigating', message: `Our monitoring detected that ${name} is down.`, createdAt: i.startedAt }, ...posted]
      : posted;
    if (i.status === 'Resolved' && i.resolvedAt && !timeline.some((u) => u.status === 'Resolved')) {
      timeline.push({ id: `${i.id}_resolved`, status: 'Resolved', message: automatic ? `${name} is back up.` : 'This incident has been resolved.', createdAt: i.resolvedAt });
    }
    const last = timeline.at(-1);
    const resolved = i.status === 'Resolved';
    const times = [i.startedAt.getTime(), i.resolvedAt?.getTime() ?? 0, last?.createdAt.getTime() ?? 0];
    return {
      id: i.id, title: automatic ? `${name} is down` : i.title, message: automatic ? '' : i.message, severity: i.severity, resolved,
      phase: resolved ? 'Resolved' : (last?.status ?? 'Investigating'),
      monitorIds: i.monitorId ? [i.monitorId] : [], startedAt: i.startedAt, resolvedAt: i.resolvedAt,
      updatedAt: new Date(Math.max(...times)), updates: timeline,
    };
  });

  // Incidents per monitor and day, for the bars' tooltips: every day an incident spans.
  const dayIncidents = new Map<string, Array<{ id: string; title: string }>>();
  for (const i of incidentViews) {
    const endMs = i.resolvedAt?.getTime() ?? now;
    for (let d = Math.max(Math.floor(i.startedAt.getTime() / DAY_MS) * DAY_MS, fromMs); d <= endMs; d += DAY_MS) {
      for (const m of i.monitorIds) {
        const key = `${m} ${utcDay(d)}`;
        const list = dayIncidents.get(key) ?? [];
        list.push({ id: i.id, title: i.title });
        dayIncidents.set(key, list);
      }
    }
  }
  const checks = new Map(daily.map((d) => [`${d.monitorId} ${d.day}`, d]));

  const dark = darkRegions;
  const components: ComponentView[] = [];
  for (const c of page.components) {
    const m = byMonitor.get(c.monitorId);
    if (!m) continue; // deleted since the page was saved
    const unknownRegions = m.type === 'Job' ? [] : m.regions.filter((r) => dark.has(r));
    const status = statusOf(m, heldBy.get(m.id), unknownRegions);
    let total = 0;
    let failed = 0;
    const days: DayView[] = [];
    for (let i = 0; i < DAYS; i++) {
      const day = utcDay(fromMs + i * DAY_MS);
      const d = checks.get(`${m.id} ${day}`);
      total += d?.checks ?? 0;
      failed += d?.failures ?? 0;
      days.push({ day, uptime: d && d.checks > 0 ? ((d.checks - d.failures) / d.checks) * 100 : null, incidents: dayIncidents.get(`${m.id} ${day}`) ?? [] });
    }
    components.push({
      monitorId: m.id, name: c.displayName, group: c.group, showUptime: c.showUptime, status,
      uptime: total > 0 ? ((total - failed) / total) * 100 : null, days, createdAt: m.createdAt, updatedAt: m.updatedAt,
    });
  }

  return {
    page, generatedAtMs: now, overall: overallOf(components.map((c) => c.status)), components, groups: groupsOf(components),
    activeIncidents: incidentViews.filter((i) => !i.resolved),
    pastIncidents: incidentViews.filter((i) => i.resolved),
    maintenance,
  };
}
