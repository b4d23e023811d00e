import { notFound, validationError } from '../../../lib/errors.js';
import { buildSlaReport, monthBounds, previousMonth, type SlaReport } from '../../../lib/reports/sla-report.js';
import type { SlaReportStore } from '../../../lib/reports/report-store.js';
import type { VerbContext } from '../../context.js';
import type { CreateReportBody, ListReportsQuery } from './schema.js';

export type ReportVerbContext = VerbContext & { reports: SlaReportStore };

const now = (ctx: VerbContext) => (ctx.deps.now ?? Date.now)();

/** Generates the month's report from the results and incidents as they are now, and keeps it. */
export async function generateReport({ ctx, input }: { ctx: ReportVerbContext; input: CreateReportBody }): Promise<SlaReport> {
  const t = now(ctx);
  const month = input.month ?? previousMonth(t);
  if (monthBounds(month).startMs > t) throw validationError(`month ${month} has not started`, [{ field: '/month', message: 'must not be in the future' }]);
  if (input.monitorIds) {
    const { rows } = await ctx.deps.sql.query<{ id: string }>(`SELECT id FROM monitors WHERE org_id = $1 AND id = ANY($2::text[])`, [ctx.principal.orgId, input.monitorIds]);
    const found = new Set(rows.map((r) => r.id));
    const missing = input.monitorIds.map((id, i) => ({ id, i })).filter(({ id }) => !found.has(id));
    if (missing.length) throw validationError(`monitors not found: ${missing.map((m) => m.id).join(', ')}`, missing.map(({ id, i }) => ({ field: `/monitorIds/${i}`, message: `monitor ${id} not found` })));
  }
  await ctx.deps.quotas.assertCanGenerateReport(ctx.principal.orgId, t);
  const content = await buildSlaReport({ sql: ctx.deps.sql, results: ctx.deps.results }, { orgId: ctx.principal.orgId, month, monitorIds: input.monitorIds, nowMs: t });
  return ctx.reports.create(ctx.principal.orgId, content, t);
}

export async function listReports({ ctx, input }: { ctx: ReportVerbContext; input: ListReportsQuery }) {
  return ctx.reports.list(ctx.principal.orgId, input.limit, input.offset);
}

export async function getReport({ ctx, input }: { ctx: ReportVerbContext; input: { id: string } }): Promise<SlaReport> {
  const report = await ctx.reports.get(ctx.principal.orgId, input.id);
  if (!report) throw notFound(`report ${input.id}`);
  return report;
}

/** Deleting does not give the month's generation back: the plan counts reports generated. */
export async function deleteReport({ ctx, input }: { ctx: ReportVerbContext; input: { id: string } }): Promise<void> {
  if (!(await ctx.reports.delete(ctx.principal.orgId, input.id, now(ctx)))) throw notFound(`report ${input.id}`);
}
