/**
 * Incidents (scopes incidents:read / incidents:write): the list with the document's filters,
 * the recent and active ones (plain arrays, as the document's Python example iterates
 * them), one by id with its timeline and evidence, statistics, a monitor's incidents, and
 * the changes people make: create a manual one, acknowledge, post an update, resolve.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiDeps } from '../../context.js';
import { principalOf } from '../../plugins/auth.js';
import {
  AddUpdateBody, CreateIncidentBody, IncidentDetail, IncidentIdParams, IncidentList, IncidentResponse, ListIncidentsQuery,
  MonitorIncidentsQuery, ResolveIncidentBody, StatsQuery, StatsResponse, UpdateResponse, errorResponses,
} from './schema.js';
import {
  acknowledgeIncident, activeIncidents, addIncidentUpdate, createIncident, getIncident, incidentStatistics, listIncidents,
  monitorIncidents, recentIncidents, resolveIncident,
} from './verbs.js';

const tags = ['Incidents'];
const read = { scope: 'incidents:read' } as const;
const write = { scope: 'incidents:write' } as const;

export function incidentRoutes(deps: ApiDeps) {
  return async function register(fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const ctx = (req: FastifyRequest) => ({ deps, principal: principalOf(req) });

    app.get('/api/incidents', {
      config: read,
      schema: { tags, summary: 'List incidents', querystring: ListIncidentsQuery, response: { 200: IncidentList, ...errorResponses } },
    }, async (req) => listIncidents({ ctx: ctx(req), input: req.query }));

    app.get('/api/incidents/recent', {
      config: read,
      schema: { tags, summary: 'Open incidents and those resolved in the last 7 days, newest first (an array)', response: { 200: Type.Array(IncidentResponse), ...errorResponses } },
    }, async (req) => recentIncidents({ ctx: ctx(req) }));

    app.get('/api/incidents/active', {
      config: read,
      schema: { tags, summary: 'Incidents not yet resolved, newest first (an array)', response: { 200: Type.Array(IncidentResponse), ...errorResponses } },
    }, async (req) => activeIncidents({ ctx: ctx(req) }));

    app.get('/api/incidents/stats', {
      config: read,
      schema: { tags, summary: 'Incident statistics: counts, mean time to acknowledge and to resolve, per period and per monitor', querystring: StatsQuery, response: { 200: StatsResponse, ...errorResponses } },
    }, async (req) => incidentStatistics({ ctx: ctx(req), input: req.query }));

    app.get('/api/incidents/:id', {
      config: read,
      schema: { tags, summary: 'Get an incident with its timeline and evidence', params: IncidentIdParams, response: { 200: IncidentDetail, ...errorResponses } },
    }, async (req) => getIncident({ ctx: ctx(req), input: req.params }));

    app.get('/api/monitors/:id/incidents', {
      config: read,
      schema: { tags, summary: "A monitor's incidents", params: IncidentIdParams, querystring: MonitorIncidentsQuery, response: { 200: IncidentList, ...errorResponses } },
    }, async (req) => monitorIncidents({ ctx: ctx(req), input: { ...req.query, id: req.params.id } }));

    app.post('/api/incidents', {
      config: write,
      schema: { tags, summary: 'Create a manual incident', body: CreateIncidentBody, response: { 201: IncidentResponse, ...errorResponses } },
    }, async (req, reply) => reply.code(201).send(await createIncident({ ctx: ctx(req), input: req.body })));

    app.post('/api/incidents/:id/acknowledge', {
      config: write,
      schema: { tags, summary: 'Acknowledge: records who and when, and stops escalation timers', params: IncidentIdParams, response: { 200: IncidentResponse, ...errorResponses } },
    }, async (req) => acknowledgeIncident({ ctx: ctx(req), input: req.params }));

    app.post('/api/incidents/:id/resolve', {
      config: write,
      // The body (a closing message) is optional: none reads as {}.
      preValidation: async (req) => { req.body ??= {}; },
      schema: { tags, summary: 'Resolve an incident by hand', params: IncidentIdParams, body: ResolveIncidentBody, response: { 200: IncidentResponse, ...errorResponses } },
    }, async (req) => resolveIncident({ ctx: ctx(req), input: { id: req.params.id, message: req.body?.message } }));

    app.post('/api/incidents/:id/updates', {
      config: write,
      schema: { tags, summary: 'Post a status update to the incident timeline', params: IncidentIdParams, body: AddUpdateBody, response: { 201: UpdateResponse, ...errorResponses } },
    }, async (req, reply) => reply.code(201).send(await addIncidentUpdate({ ctx: ctx(req), input: { ...req.body, id: req.params.id } })));
  };
}
