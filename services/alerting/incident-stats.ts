/**
 * Incident statistics: counts, mean time to acknowledge and mean time to resolve over a
 * range, per period (UTC day, week or month) and per monitor. An incident counts where it
 * started; the means are over the incidents that were acknowledged / resolved.
 */
import type { SqlClient } from '../lib/ports/sql-client.js';

export const STATS_PERIODS = ['day', 'week', 'month'] as const;
export type StatsPeriod = (typeof STATS_PERIODS)[number];

export interface IncidentFigures {
  totalCount: number;
  openCount: number;
  resolvedCount: number;
  acknowledgedCount: number;
  /** Seconds, rounded; null when none was acknowledged / resolved. */
  meanTimeToAcknowledgeSeconds: number | null;
  meanTimeToResolveSeconds: number | null;
}

export interface IncidentStats extends IncidentFigures {
  periods: Array<IncidentFigures & { start: string }>;
  monitors: Array<IncidentFigures & { monitorId: string | null }>;
}

interface FiguresRow {
  total: string | number;
  open: string | number;
  resolved: string | number;
  acknowledged: string | number;
  mtta: string | number | null;
  mttr: string | number | null;
}

const FIGURES = `count(*) AS total, count(*) FILTER (WHERE status = 'Open') AS open, count(*) FILTER (WHERE status = 'Resolved') AS resolved,
  count(acknowledged_at) AS acknowledged,
  avg(extract(epoch FROM acknowledged_at - started_at)) AS mtta,
  avg(extract(epoch FROM resolved_at - started_at)) AS mttr`;

const seconds = (v: string | number | null) => (v === null ? null : Math.round(Number(v)));
function figures(r: FiguresRow | undefined): IncidentFigures {
  return {
    totalCount: Number(r?.total ?? 0), openCount: Number(r?.open ?? 0), resolvedCount: Number(r?.resolved ?? 0),
    acknowledgedCount: Number(r?.acknowledged ?? 0), meanTimeToAcknowledgeSeconds: seconds(r?.mtta ?? null), meanTimeToResolveSeconds: seconds(r?.mttr ?? null),
  };
}

export async function incidentStats(sql: SqlClient, orgId: string, q: { fromMs: number; toMs: number; period: StatsPeriod; monitorId?: string }): Promise<IncidentStats> {
  const params: unknown[] = [orgId, q.fromMs, q.toMs];
  let filter = `org_id = $1 AND started_at >= to_timestamp($2 / 1000.0) AND started_at < to_timestamp($3 / 1000.0)`;
  if (q.monitorId) {
    params.push(q.monitorId);
    filter += ` AND monitor_id = $4`;
  }
  // The period is one of three literals (validated), never the client's text.
  const bucket = `date_trunc('${q.period}', started_at AT TIME ZONE 'UTC')`;
  const all = await sql.query<FiguresRow>(`SELECT ${FIGURES} FROM incidents WHERE ${filter}`, params);
  const periods = await sql.query<FiguresRow & { start_ms: string | number }>(
    `SELECT extract(epoch FROM ${bucket}) * 1000 AS start_ms, ${FIGURES} FROM incidents WHERE ${filter} GROUP BY ${bucket} ORDER BY ${bucket}`,
    params,
  );
  const monitors = await sql.query<FiguresRow & { monitor_id: string | null }>(
    `SELECT monitor_id, ${FIGURES} FROM incidents WHERE ${filter} GROUP BY monitor_id ORDER BY count(*) DESC, monitor_id NULLS LAST`,
    params,
  );
  return {
    ...figures(all.rows[0]),
    periods: periods.rows.map((r) => ({ start: new Date(Number(r.start_ms)).toISOString(), ...figures(r) })),
    monitors: monitors.rows.map((r) => ({ monitorId: r.monitor_id, ...figures(r) })),
  };
}
