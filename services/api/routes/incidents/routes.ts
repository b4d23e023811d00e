/**
 * Incidents, read side (scope incidents:read): the list with the document's filters, the
 * recent and active ones (a plain array, as the document's Python example iterates it), and
 * one by id. Alerting opens and resolves them; manual incidents, acknowledgement and the
 * timeline come with the alerting capability.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { instantParam, notFound } from '../../../lib/errors.js';
import { INCIDENT_STATUSES, type Incident } from '../../../alerting/incident-store.js';
import type { ApiDeps } from '../../context.js';
import { principalOf } from '../../plugins/auth.js';
import { stringEnum } from '../enum-schema.js';
import { ErrorResponse } from '../shared-schemas.js';

const tags = ['Incidents'];
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 429: ErrorResponse };

const IncidentResponse = Type.Object({
  id: Type.String(),
  monitorId: Type.String(),
  title: Type.String(),
  status: Type.String({ description: 'Open or Resolved' }),
  cause: Type.String({ description: 'The error that took the monitor down' }),
  startedAt: Type.String({ format: 'date-time' }),
  resolvedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  durationSeconds: Type.Union([Type.Integer(), Type.Null()], { description: 'Until resolved; null while open' }),
  regions: Type.Array(Type.Object({ region: Type.String(), verdict: Type.String(), consecutiveFailures: Type.Integer(), lastError: Type.String() })),
});

const ListQuery = Type.Object({
  monitorId: Type.Optional(Type.String({ maxLength: 64 })),
  status: Type.Optional(stringEnum(INCIDENT_STATUSES)),
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
}, { additionalProperties: false });

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

export function incidentRoutes(deps: ApiDeps) {
  return async function register(fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const now = deps.now ?? Date.now;

    app.get('/api/incidents', {
      config: { scope: 'incidents:read' },
      schema: { tags, summary: 'List incidents', querystring: ListQuery, response: { 200: Type.Object({ items: Type.Array(IncidentResponse), totalCount: Type.Integer() }), ...errors } },
    }, async (req) => {
      const q = req.query;
      const { items, totalCount } = await deps.incidents.list(principalOf(req).orgId, {
        monitorId: q.monitorId, status: q.status, limit: q.limit, offset: q.offset,
        fromMs: instantParam(q.from, 'from'), toMs: instantParam(q.to, 'to'),
      });
      return { items: items.map(present), totalCount };
    });

    app.get('/api/incidents/recent', {
      config: { scope: 'incidents:read' },
      schema: { tags, summary: 'Open incidents and those resolved in the last 7 days, newest first (an array)', response: { 200: Type.Array(IncidentResponse), ...errors } },
    }, async (req) => (await deps.incidents.recent(principalOf(req).orgId, now())).map(present));

    app.get('/api/incidents/:id', {
      config: { scope: 'incidents:read' },
      schema: { tags, summary: 'Get an incident', params: Type.Object({ id: Type.String({ maxLength: 64 }) }), response: { 200: IncidentResponse, ...errors } },
    }, async (req) => {
      const incident = await deps.incidents.get(principalOf(req).orgId, req.params.id);
      if (!incident) throw notFound(`incident ${req.params.id}`);
      return present(incident);
    });
  };
}
