import { DomainError, instantParam, notFound, validationError } from '../../../lib/errors.js';
import type { Incident, IncidentUpdate } from '../../../alerting/incident-model.js';
import type { IncidentLifecycle, MonitorLookup } from '../../../alerting/incident-lifecycle.js';
import { incidentStats } from '../../../alerting/incident-stats.js';
import type { VerbContext } from '../../context.js';
import { MonitorStore } from '../../../lib/monitors/store.js';
import { presentResult } from '../monitors/result-presenter.js';
import type { AddUpdateBody, CreateIncidentBody, ListIncidentsQuery, MonitorIncidentsQuery, StatsQuery } from './schema.js';

/** Results shown beside an incident: the last ones up to its opening. */
const RESULTS_AROUND = 10;
const DEFAULT_STATS_RANGE_MS = 30 * 86_400_000;
const MAX_STATS_RANGE_MS = 366 * 86_400_000;

const iso = (d: Date | null) => d?.toISOString() ?? null;

function present(i: Incident) {
  return {
    id: i.id,
    monitorId: i.monitorId,
    kind: i.kind,
    severity: i.severity,
    title: i.title,
    message: i.message,
    status: i.status,
    cause: i.cause,
    startedAt: i.startedAt.toISOString(),
    resolvedAt: iso(i.resolvedAt),
    durationSeconds: i.resolvedAt ? Math.round((i.resolvedAt.getTime() - i.startedAt.getTime()) / 1000) : null,
    acknowledgedAt: iso(i.acknowledgedAt),
    acknowledgedBy: i.acknowledgedBy,
    resolvedBy: i.resolvedBy,
    firstFailingResultId: i.firstFailingResultId,
    regions: i.evidence.map((e) => ({
      region: e.region, verdict: e.verdict, consecutiveFailures: e.consecutiveFailures, lastError: e.lastError,
      errorKind: e.errorKind ?? '', errorPhase: e.errorPhase ?? '', firstFailingResultId: e.firstFailingResultId ?? null,
      firstFailureAt: e.firstFailureAtMs ? new Date(e.firstFailureAtMs).toISOString() : null,
    })),
  };
}

const presentUpdate = (u: IncidentUpdate) => ({ id: u.id, status: u.status, message: u.message, createdBy: u.createdBy, createdAt: u.createdAt.toISOString() });

const now = (ctx: VerbContext) => (ctx.deps.now ?? Date.now)();

function lifecycle(ctx: VerbContext): IncidentLifecycle {
  const l = ctx.deps.incidentLifecycle;
  if (!l) throw new DomainError('UNAVAILABLE', 'Unavailable', 'incident changes are not configured');
  return l;
}

/** The organization's monitor an incident concerns, on the lifecycle's transaction; a deleted one is no one's to notify. */
const monitorLookup = (ctx: VerbContext): MonitorLookup => async (id, tx) => (id ? new MonitorStore(tx).get(ctx.principal.orgId, id) : null);

export async function listIncidents({ ctx, input }: { ctx: VerbContext; input: ListIncidentsQuery }) {
  const { items, totalCount } = await ctx.deps.incidents.list(ctx.principal.orgId, {
    monitorId: input.monitorId, status: input.status, limit: input.limit, offset: input.offset,
    fromMs: instantParam(input.from, 'from'), toMs: instantParam(input.to, 'to'),
  });
  return { items: items.map(present), totalCount };
}

export async function monitorIncidents({ ctx, input }: { ctx: VerbContext; input: MonitorIncidentsQuery & { id: string } }) {
  if (!(await ctx.deps.monitors.get(ctx.principal.orgId, input.id))) throw notFound(`monitor ${input.id}`);
  return listIncidents({ ctx, input: { ...input, monitorId: input.id } });
}

/** Open incidents and those resolved lately, as a plain array (the document's Python example iterates it). */
export async function recentIncidents({ ctx }: { ctx: VerbContext }) {
  return (await ctx.deps.incidents.recent(ctx.principal.orgId, now(ctx))).map(present);
}

/** Unresolved incidents, a plain array like its sibling "recent" (one heading in the document). */
export async function activeIncidents({ ctx }: { ctx: VerbContext }) {
  return (await ctx.deps.incidents.active(ctx.principal.orgId)).map(present);
}

export async function getIncident({ ctx, input }: { ctx: VerbContext; input: { id: string } }) {
  const incident = await ctx.deps.incidents.get(ctx.principal.orgId, input.id);
  if (!incident) throw notFound(`incident ${input.id}`);
  const updates = ctx.deps.incidentLifecycle ? await ctx.deps.incidentLifecycle.timeline(ctx.principal.orgId, incident.id) : [];
  const results = incident.kind === 'Automatic' && incident.monitorId
    ? await ctx.deps.results.recentResults({ orgId: ctx.principal.orgId, monitorId: incident.monitorId, limit: RESULTS_AROUND, beforeMs: incident.startedAt.getTime() + 1 })
    : [];
  return { ...present(incident), updates: updates.map(presentUpdate), results: results.map(presentResult) };
}

export async function createIncident({ ctx, input }: { ctx: VerbContext; input: CreateIncidentBody }) {
  const monitorId = input.monitorId ?? null;
  const monitor = monitorId ? await ctx.deps.monitors.get(ctx.principal.orgId, monitorId) : null;
  if (monitorId && !monitor) throw validationError('monitorId names no monitor of this organization', [{ field: '/monitorId', message: 'no such monitor' }]);
  const incident = await lifecycle(ctx).create(ctx.principal.orgId, { title: input.title, message: input.message ?? '', severity: input.severity ?? 'Major', monitor }, ctx.principal.keyId, now(ctx));
  return present(incident);
}

export async function acknowledgeIncident({ ctx, input }: { ctx: VerbContext; input: { id: string } }) {
  return present(await lifecycle(ctx).acknowledge(ctx.principal.orgId, input.id, ctx.principal.keyId, now(ctx), monitorLookup(ctx)));
}

export async function resolveIncident({ ctx, input }: { ctx: VerbContext; input: { id: string; message?: string } }) {
  return present(await lifecycle(ctx).resolve(ctx.principal.orgId, input.id, { message: input.message }, ctx.principal.keyId, now(ctx), monitorLookup(ctx)));
}

export async function addIncidentUpdate({ ctx, input }: { ctx: VerbContext; input: AddUpdateBody & { id: string } }) {
  return presentUpdate(await lifecycle(ctx).addUpdate(ctx.principal.orgId, input.id, { status: input.status, message: input.message }, ctx.principal.keyId, now(ctx), monitorLookup(ctx)));
}

export async function incidentStatistics({ ctx, input }: { ctx: VerbContext; input: StatsQuery }) {
  const toMs = instantParam(input.to, 'to') ?? now(ctx);
  const fromMs = instantParam(input.from, 'from') ?? toMs - DEFAULT_STATS_RANGE_MS;
  if (fromMs >= toMs) throw validationError('from must be before to', [{ field: '/from', message: 'must be before to' }]);
  if (toMs - fromMs > MAX_STATS_RANGE_MS) throw validationError('the range is at most 366 days', [{ field: '/from', message: 'must be at most 366 days before to' }]);
  const stats = await incidentStats(ctx.deps.sql, ctx.principal.orgId, { fromMs, toMs, period: input.period, monitorId: input.monitorId });
  return { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), period: input.period, ...stats };
}
