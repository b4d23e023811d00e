import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiDeps } from '../../context.js';
import { principalOf } from '../../plugins/auth.js';
import {
  MonitorBody, MonitorIdParams, MonitorList, MonitorNameParams, MonitorResponse, ListMonitorsQuery, CheckNowResponse,
  ResultsQuery, ResultList, StatsQuery, StatsResponse, PingsQuery, PingList, errorResponses, ResponseTimesQuery, ResponseTimesResponse, ResponseTrendsQuery, ResponseTrendsResponse,
} from './schema.js';
import {
  checkMonitorNow, createMonitor, deleteMonitor, getMonitor, listMonitors, listPings, listResults, monitorStats,
  pauseMonitor, replaceMonitor, resumeMonitor, upsertMonitorByName, responseTimes, responseTrends,
} from './verbs.js';

const tags = ['Monitors'];

export function monitorRoutes(deps: ApiDeps) {
  return async function register(fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const ctx = (req: FastifyRequest) => ({ deps, principal: principalOf(req), baseUrl: deps.config.publicUrl ?? `${req.protocol}://${req.host}`, countAgainst: req.countAgainst });

    app.get('/api/monitors', {
      config: { scope: 'monitors:read' },
      schema: { tags, summary: 'List monitors', querystring: ListMonitorsQuery, response: { 200: MonitorList, ...errorResponses } },
    }, async (req) => listMonitors({ ctx: ctx(req), input: req.query }));

    app.post('/api/monitors', {
      config: { scope: 'monitors:write', rateLimit: 'createMonitor' },
      schema: { tags, summary: 'Create a monitor', body: MonitorBody, response: { 201: MonitorResponse, ...errorResponses } },
    }, async (req, reply) => reply.status(201).send(await createMonitor({ ctx: ctx(req), input: req.body })));

    app.get('/api/monitors/response-trends', {
      config: { scope: 'monitors:read' },
      schema: { tags, summary: 'Hourly P50 response time over the last 24 hours for many monitors (for list sparklines)', querystring: ResponseTrendsQuery, response: { 200: ResponseTrendsResponse, ...errorResponses } },
    }, async (req) => responseTrends({ ctx: ctx(req), input: req.query }));

    app.get('/api/monitors/:id', {
      config: { scope: 'monitors:read' },
      schema: { tags, summary: 'Get a monitor', params: MonitorIdParams, response: { 200: MonitorResponse, ...errorResponses } },
    }, async (req) => getMonitor({ ctx: ctx(req), input: req.params }));

    app.put('/api/monitors/:id', {
      config: { scope: 'monitors:write' },
      schema: { tags, summary: 'Replace a monitor (omitted fields reset to defaults)', params: MonitorIdParams, body: MonitorBody, response: { 200: MonitorResponse, ...errorResponses } },
    }, async (req) => replaceMonitor({ ctx: ctx(req), input: { id: req.params.id, body: req.body } }));

    app.put('/api/monitors/by-name/:name', {
      config: { scope: 'monitors:write' },
      schema: { tags, summary: 'Create or update a monitor by name (idempotent; the URL name wins; a creation counts against the create-monitor rate limit)', params: MonitorNameParams, body: MonitorBody, response: { 200: MonitorResponse, ...errorResponses } },
    }, async (req) => upsertMonitorByName({ ctx: ctx(req), input: { name: req.params.name, body: req.body } }));

    app.post('/api/monitors/:id/pause', {
      config: { scope: 'monitors:write' },
      schema: { tags, summary: 'Pause checks and alerts', params: MonitorIdParams, response: { 200: MonitorResponse, ...errorResponses } },
    }, async (req) => pauseMonitor({ ctx: ctx(req), input: req.params }));

    app.post('/api/monitors/:id/resume', {
      config: { scope: 'monitors:write' },
      schema: { tags, summary: 'Resume checks; triggers an immediate check', params: MonitorIdParams, response: { 200: MonitorResponse, ...errorResponses } },
    }, async (req) => resumeMonitor({ ctx: ctx(req), input: req.params }));

    app.post('/api/monitors/:id/check', {
      config: { scope: 'monitors:write', rateLimit: 'checkNow' },
      schema: { tags, summary: 'Check now in every region of the monitor', params: MonitorIdParams, response: { 202: CheckNowResponse, ...errorResponses } },
    }, async (req, reply) => reply.status(202).send(await checkMonitorNow({ ctx: ctx(req), input: req.params })));

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

    app.get('/api/monitors/:id/pings', {
      config: { scope: 'monitors:read' },
      schema: { tags, summary: 'Ping history of a Job monitor (newest first)', params: MonitorIdParams, querystring: PingsQuery, response: { 200: PingList, ...errorResponses } },
    }, async (req) => listPings({ ctx: ctx(req), input: { id: req.params.id, ...req.query } }));

    app.get('/api/monitors/:id/stats', {
      config: { scope: 'monitors:read' },
      schema: { tags, summary: 'Uptime and response-time statistics', params: MonitorIdParams, querystring: StatsQuery, response: { 200: StatsResponse, ...errorResponses } },
    }, async (req) => monitorStats({ ctx: ctx(req), input: { id: req.params.id, period: req.query.period } }));

    app.get('/api/monitors/:id/response-times', {
      config: { scope: 'monitors:read' },
      schema: { tags, summary: 'P50/P95 response time per region over time (hourly rollup; for charts)', params: MonitorIdParams, querystring: ResponseTimesQuery, response: { 200: ResponseTimesResponse, ...errorResponses } },
    }, async (req) => responseTimes({ ctx: ctx(req), input: { id: req.params.id, period: req.query.period } }));
  };
}
