import { instantParam, notFound } from '../../../lib/errors.js';
import type { Incident } from '../../../alerting/incident-store.js';
import type { VerbContext } from '../../context.js';
import type { ListIncidentsQuery } from './schema.js';

function present(i: Incident) {
  return {
    id: i.id,
    monitorId: i.monitorId,
    title: i.title,
    status: i.status,
    cause: i.cause,
    startedAt: i.startedAt.toISOString(),
    resolvedAt: i.resolvedAt?.toISOString() ?? null,
    durationSeconds: i.resolvedAt ? Math.round((i.resolvedAt.getTime() - i.startedAt.getTime()) / 1000) : null,
    regions: i.evidence,
  };
}

export async function listIncidents({ ctx, input }: { ctx: VerbContext; input: ListIncidentsQuery }) {
  const { items, totalCount } = await ctx.deps.incidents.list(ctx.principal.orgId, {
    monitorId: input.monitorId, status: input.status, limit: input.limit, offset: input.offset,
    fromMs: instantParam(input.from, 'from'), toMs: instantParam(input.to, 'to'),
  });
  return { items: items.map(present), totalCount };
}

/** Open incidents and those resolved lately, as a plain array (the document's Python example iterates it). */
export async function recentIncidents({ ctx }: { ctx: VerbContext }) {
  return (await ctx.deps.incidents.recent(ctx.principal.orgId, (ctx.deps.now ?? Date.now)())).map(present);
}

export async function getIncident({ ctx, input }: { ctx: VerbContext; input: { id: string } }) {
  const incident = await ctx.deps.incidents.get(ctx.principal.orgId, input.id);
  if (!incident) throw notFound(`incident ${input.id}`);
  return present(incident);
}
