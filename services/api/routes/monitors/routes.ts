import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiDeps } from '../../context.js';
import { principalOf } from '../../plugins/auth.js';
import {
  MonitorBody, MonitorIdParams, MonitorList, MonitorResponse, ListMonitorsQuery,
  ResultsQuery, ResultList, StatsQuery, StatsResponse, errorResponses,
} from './schema.js';
import { createMonitor, deleteMonitor, getMonitor, listMonitors, listResults, monitorStats, replaceMonitor } from './verbs.js';

const tags = ['Monitors'];

export function monitorRoutes(deps: ApiDeps) {
  return async function register(fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const ctx = (req: Parameters<typeof principalOf>[0]) => ({ deps, principal: principalOf(req) });

    app.get('/api/monitors', {
      config: { scope: 'monitors:read' },
      schema: { tags, summary: 'List monitors', querystring: ListMonitorsQuery, response: { 200: MonitorList, ...errorResponses } },
    }, async (req) => listMonitors({ ctx: ctx(req), input: req.query }));

    app.post('/api/monitors', {
      config: { scope: 'monitors:write' },
      schema: { tags, summary: 'Create a monitor', body: MonitorBody, response: { 201: MonitorResponse, ...errorResponses } },
    }, async (req, reply) => reply.status(201).send(await createMonitor({ ctx: ctx(req), input: req.body })));

    app.get('/api/monitors/:id', {
      config: { scope: 'monitors:read' },
      schema: { tags, summary: 'Get a monitor', params: MonitorIdParams, response: { 200: MonitorResponse, ...errorResponses } },
    }, async (req) => getMonitor({ ctx: ctx(req), input: req.params }));

    app.put('/api/monitors/:id', {
      config: { scope: 'monitors:write' },
      schema: { tags, summary: 'Replace a monitor (omitted fields reset to defaults)', params: MonitorIdParams, body: MonitorBody, response: { 200: MonitorResponse, ...errorResponses } },
    }, async (req) => replaceMonitor({ ctx: ctx(req), input: { id: req.params.id, body: req.body } }));

    app.delete('/api/monitors/:id', {
      config: { scope: 'monitors:write' },
      schema: { tags, summary: 'Delete a monitor and its data', params: MonitorIdParams, response: { 204: Type.Null(), ...errorResponses } },
    }, async (req, reply) => {
      await deleteMonitor({ ctx: ctx(req), input: req.params });
      return reply.status(204).send(null);
    });

    app.get('/api/monitors/:id/results', {
      config: { scope: 'monitors:read' },
      schema: { tags, summary: 'Recent check results', params: MonitorIdParams, querystring: ResultsQuery, response: { 200: ResultList, ...errorResponses } },
    }, async (req) => listResults({ ctx: ctx(req), input: { id: req.params.id, ...req.query } }));

    app.get('/api/monitors/:id/stats', {
      config: { scope: 'monitors:read' },
      schema: { tags, summary: 'Uptime and response-time statistics', params: MonitorIdParams, querystring: StatsQuery, response: { 200: StatsResponse, ...errorResponses } },
    }, async (req) => monitorStats({ ctx: ctx(req), input: { id: req.params.id, period: req.query.period } }));
  };
}
