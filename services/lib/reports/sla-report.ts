/**
 * Monthly SLA reports (issue 13): per monitor and region, uptime (checks up over checks
 * counted: skipped and missed slots, and whatever else the results store leaves out of
 * uptime, are left out here too), response times, the incidents that touched the month with
 * the downtime they cover, and the mean time to resolve. Figures are read once, when the
 * report is generated, and kept as they were.
 */
import type { SqlClient } from '../ports/sql-client.js';
import type { ResultStore } from '../ports/results-store.js';
import type { StatsFigures } from '../results/types.js';

export interface ReportFigures {
  uptimePercentage: number | null;
  totalChecks: number;
  failedChecks: number;
  avgResponseTimeMs: number | null;
  p95ResponseTimeMs: number | null;
}

export interface ReportIncident {
  id: string;
  monitorId: string | null;
  title: string;
  severity: string;
  kind: string;
  startedAt: string;
  resolvedAt: string | null;
  /** From start to resolution (or to the period's end when still open). */
  durationSeconds: number;
}

export interface ReportMonitor extends ReportFigures {
  monitorId: string;
  name: string;
  type: string;
  regions: Array<ReportFigures & { region: string }>;
  incidentCount: number;
  /** Time inside the period covered by at least one of the monitor's incidents. */
  downtimeSeconds: number;
  meanTimeToResolveSeconds: number | null;
}

export interface SlaReportContent {
  month: string;
  periodStart: string;
  /** The month's end, or the time of generation for the month in progress. */
  periodEnd: string;
  complete: boolean;
  summary: {
    monitorCount: number;
    uptimePercentage: number | null;
    totalChecks: number;
    failedChecks: number;
    incidentCount: number;
    downtimeSeconds: number;
    meanTimeToResolveSeconds: number | null;
  };
  monitors: ReportMonitor[];
  incidents: ReportIncident[];
}

export interface SlaReport extends SlaReportContent {
  id: string;
  createdAt: string;
}

export const MONTH_PATTERN = '^[0-9]{4}-(0[1-9]|1[0-2])$';

/** [start, end) of a 'YYYY-MM' month in UTC. */
export function monthBounds(month: string): { startMs: number; endMs: number } {
  const [y, m] = month.split('-').map(Number);
  return { startMs: Date.UTC(y, m - 1, 1), endMs: Date.UTC(y, m, 1) };
}

/** The last whole month before `nowMs`, 'YYYY-MM' (UTC). */
export function previousMonth(nowMs: number): string {
  const d = new Date(nowMs);
  const prev = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1));
  return `${prev.getUTCFullYear()}-${String(prev.getUTCMonth() + 1).padStart(2, '0')}`;
}

interface IncidentRow {
  id: string; monitor_id: string | null; title: string; severity: string; kind: string;
  started_at: Date | string; resolved_at: Date | string | null;
}

const reportFigures = (f: StatsFigures): ReportFigures => ({
  uptimePercentage: f.uptimePercentage, totalChecks: f.totalChecks, failedChecks: f.failedChecks,
  avgResponseTimeMs: f.avgResponseTimeMs, p95ResponseTimeMs: f.p95ResponseTimeMs,
});
const NO_FIGURES: ReportFigures = { uptimePercentage: null, totalChecks: 0, failedChecks: 0, avgResponseTimeMs: null, p95ResponseTimeMs: null };

/** Seconds covered by the union of [start, end) spans, each clipped to [fromMs, toMs). */
export function coveredSeconds(spans: ReadonlyArray<readonly [number, number]>, fromMs: number, toMs: number): number {
  const clipped = spans.map(([a, b]) => [Math.max(a, fromMs), Math.min(b, toMs)] as const).filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  let total = 0;
  let [curA, curB] = [Number.NaN, Number.NaN];
  for (const [a, b] of clipped) {
    if (!(a <= curB)) {
      if (curB > curA) total += curB - curA;
      [curA, curB] = [a, b];
    } else curB = Math.max(curB, b);
  }
  if (curB > curA) total += curB - curA;
  return Math.round(total / 1000);
}

const mean = (xs: number[]) => (xs.length ? Math.round(xs.reduce((a, b) => a + b, 0) / xs.length) : null);

export interface SlaReportRequest {
  orgId: string;
  month: string;
  /** Default: every monitor of the organization. Ids must be the organization's (checked by the caller). */
  monitorIds?: readonly string[];
  nowMs: number;
}

export async function buildSlaReport(deps: { sql: SqlClient; results: ResultStore }, req: SlaReportRequest): Promise<SlaReportContent> {
  const { startMs, endMs: monthEndMs } = monthBounds(req.month);
  const complete = req.nowMs >= monthEndMs;
  const endMs = complete ? monthEndMs : req.nowMs;
  const monitors = (await deps.sql.query<{ id: string; name: string; type: string }>(
    req.monitorIds
      ? `SELECT id, name, type FROM monitors WHERE org_id = $1 AND id = ANY($2::text[]) ORDER BY name, id`
      : `SELECT id, name, type FROM monitors WHERE org_id = $1 ORDER BY name, id`,
    req.monitorIds ? [req.orgId, [...req.monitorIds]] : [req.orgId],
  )).rows;
  const figures = await deps.results.periodFigures({ orgId: req.orgId, monitorIds: monitors.map((m) => m.id), fromMs: startMs, toMs: endMs });
  // Incidents that touched the period: of these monitors, and those on no monitor (manual ones),
  // unless the report is for chosen monitors.
  const incidentRows = (await deps.sql.query<IncidentRow>(
    `SELECT id, monitor_id, title, severity, kind, started_at, resolved_at FROM incidents
     WHERE org_id = $1 AND started_at < to_timestamp($3 / 1000.0) AND (resolved_at IS NULL OR resolved_at > to_timestamp($2 / 1000.0))
       AND (monitor_id = ANY($4::text[]) OR (monitor_id IS NULL AND $5))
     ORDER BY started_at, id`,
    [req.orgId, startMs, endMs, monitors.map((m) => m.id), !req.monitorIds],
  )).rows;
  const incidents: ReportIncident[] = incidentRows.map((r) => {
    const started = new Date(r.started_at).getTime();
    const resolved = r.resolved_at === null ? null : new Date(r.resolved_at).getTime();
    return {
      id: r.id, monitorId: r.monitor_id, title: r.title, severity: r.severity, kind: r.kind,
      startedAt: new Date(started).toISOString(), resolvedAt: resolved === null ? null : new Date(resolved).toISOString(),
      durationSeconds: Math.max(0, Math.round(((resolved ?? endMs) - started) / 1000)),
    };
  });
  const spanOf = (i: ReportIncident) => [Date.parse(i.startedAt), i.resolvedAt ? Date.parse(i.resolvedAt) : endMs] as const;
  // Mean time to resolve: over the incidents that started in the period and are resolved.
  const resolvedHere = (list: ReportIncident[]) => list.filter((i) => i.resolvedAt !== null && Date.parse(i.startedAt) >= startMs).map((i) => i.durationSeconds);

  const rows: ReportMonitor[] = monitors.map((m) => {
    const stats = figures.get(m.id);
    const own = incidents.filter((i) => i.monitorId === m.id);
    return {
      monitorId: m.id, name: m.name, type: m.type,
      ...(stats ? reportFigures(stats) : NO_FIGURES),
      regions: (stats?.byRegion ?? []).map((r) => ({ region: r.region, ...reportFigures(r) })),
      incidentCount: own.length,
      downtimeSeconds: coveredSeconds(own.map(spanOf), startMs, endMs),
      meanTimeToResolveSeconds: mean(resolvedHere(own)),
    };
  });
  const totalChecks = rows.reduce((n, r) => n + r.totalChecks, 0);
  const failedChecks = rows.reduce((n, r) => n + r.failedChecks, 0);
  return {
    month: req.month, periodStart: new Date(startMs).toISOString(), periodEnd: new Date(endMs).toISOString(), complete,
    summary: {
      monitorCount: rows.length,
      uptimePercentage: totalChecks ? ((totalChecks - failedChecks) / totalChecks) * 100 : null,
      totalChecks, failedChecks,
      incidentCount: incidents.length,
      downtimeSeconds: rows.reduce((n, r) => n + r.downtimeSeconds, 0),
      meanTimeToResolveSeconds: mean(resolvedHere(incidents)),
    },
    monitors: rows,
    incidents,
  };
}
