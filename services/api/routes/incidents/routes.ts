/**
 * Incidents, read side (scope incidents:read): the list with the document's filters, the
 * recent and active ones (a plain array, as the document's Python example iterates it), and
 * one by id. Alerting opens and resolves them; manual incidents, acknowledgement and the
 * timeline come with the alerting capability.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiDeps } from '../../context.js';
import { principalOf } from '../../plugins/auth.js';
import { IncidentIdParams, IncidentList, IncidentResponse, ListIncidentsQuery, errorResponses } from './schema.js';
import { getIncident, listIncidents, recentIncidents } from './verbs.js';

const tags = ['Incidents'];

export function incidentRoutes(deps: ApiDeps) {
  return async function register(fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const ctx = (req: FastifyRequest) => ({ deps, principal: principalOf(req) });

    app.get('/api/incidents', {
      config: { scope: 'incidents:read' },
      schema: { tags, summary: 'List incidents', querystring: ListIncidentsQuery, response: { 200: IncidentList, ...errorResponses } },
    }, async (req) => listIncidents({ ctx: ctx(req), input: req.query }));

    app.get('/api/incidents/recent', {
      config: { scope: 'incidents:read' },
      schema: { tags, summary: 'Open incidents and those resolved in the last 7 days, newest first (an array)', response: { 200: Type.Array(IncidentResponse), ...errorResponses } },
    }, async (req) => recentIncidents({ ctx: ctx(req) }));

    app.get('/api/incidents/:id', {
      config: { scope: 'incidents:read' },
      schema: { tags, summary: 'Get an incident', params: IncidentIdParams, response: { 200: IncidentResponse, ...errorResponses } },
    }, async (req) => getIncident({ ctx: ctx(req), input: req.params }));
  };
}
