/**
 * A report as CSV for spreadsheets: one row per monitor (region "all") and one per monitor
 * and region, with the monitor's incident figures on its "all" row. RFC 4180 quoting by
 * csv-stringify; a cell that a spreadsheet would run as a formula (=, +, -, @ first) is
 * prefixed with a quote (OWASP "CSV injection"), since monitor names are the tenant's text.
 */
import { stringify } from 'csv-stringify/sync';
import type { ReportFigures, SlaReport } from './sla-report.js';

const COLUMNS = [
  'month', 'monitor_id', 'monitor_name', 'type', 'region', 'uptime_percentage', 'total_checks', 'failed_checks',
  'avg_response_time_ms', 'p95_response_time_ms', 'incident_count', 'downtime_seconds', 'mean_time_to_resolve_seconds',
] as const;

const FORMULA_START = /^[=+\-@\t\r]/;
const cell = (v: string | number | null): string | number => {
  if (v === null) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? v : Number(v.toFixed(4));
  return FORMULA_START.test(v) ? `'${v}` : v;
};

const figureCells = (f: ReportFigures) => [f.uptimePercentage, f.totalChecks, f.failedChecks, f.avgResponseTimeMs, f.p95ResponseTimeMs];

export function reportCsv(report: SlaReport): string {
  const records: Array<Array<string | number>> = [];
  for (const m of report.monitors) {
    const head = [report.month, m.monitorId, m.name, m.type];
    records.push([...head, 'all', ...figureCells(m), m.incidentCount, m.downtimeSeconds, m.meanTimeToResolveSeconds].map(cell));
    for (const r of m.regions) records.push([...head, r.region, ...figureCells(r), null, null, null].map(cell));
  }
  return stringify(records, { header: true, columns: [...COLUMNS], record_delimiter: '\r\n' });
}
