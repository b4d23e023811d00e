/**
 * The Encrata document's monitors under the `/encrata` base path (so its `/api/monitors` is
 * `{pharos}/encrata/api/monitors`; Enori's `/api/monitors` is untouched). Bearer or X-API-Key
 * auth, scopes monitors:read|write.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiDeps } from '../../../api/context.js';
import { principalOf } from '../../../api/plugins/auth.js';
import { EntityMonitorStore } from '../../store.js';
import {
  ChangeList, CreateMonitorBody, CsvBody, CsvQuery, ListMonitorsQuery, MonitorIdParams, MonitorList, MonitorResponse, Page, PinBody, RunList,
  TargetList, TargetParams, TargetRecord, UpdateMonitorBody, errorResponses,
} from './schema.js';
import {
  createMonitor, deleteMonitor, getMonitor, getTargetRecord, listMonitorChanges, listMonitors, listRuns, listTargetChanges, listTargets,
  pauseMonitor, pinTarget, resumeMonitor, runMonitorNow, updateMonitor, uploadTargetsCsv,
} from './verbs.js';

export const ENCRATA_BASE = '/encrata';
export const ENCRATA_TAG = 'Encrata entity monitors';
const tags = [ENCRATA_TAG];
const read = { scope: 'monitors:read' } as const;
const write = { scope: 'monitors:write' } as const;
const security: Array<Record<string, string[]>> = [{ bearer: [] }, { apiKey: [] }];

export function encrataMonitorRoutes(deps: ApiDeps) {
  return async function register(fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const store = new EntityMonitorStore(deps.sql);
    const ctx = (req: FastifyRequest) => ({ deps, principal: principalOf(req), store });
    const base = `${ENCRATA_BASE}/api/monitors`;

    app.post(base, {
      // The create-monitor limit of the Enori surface applies to entity monitors too.
      config: { ...write, rateLimit: 'createMonitor' },
      schema: { tags, security, summary: 'Create Monitor (the Encrata document\'s POST /api/monitors)', body: CreateMonitorBody, response: { 201: MonitorResponse, ...errorResponses } },
    }, async (req, reply) => reply.status(201).send(await createMonitor({ ctx: ctx(req), input: req.body })));

    app.get(base, {
      config: read,
      schema: { tags, security, summary: 'List entity monitors', querystring: ListMonitorsQuery, response: { 200: MonitorList, ...errorResponses } },
    }, async (req) => listMonitors({ ctx: ctx(req), input: req.query }));

    app.get(`${base}/:id`, {
      config: read,
      schema: { tags, security, summary: 'Get an entity monitor', params: MonitorIdParams, response: { 200: MonitorResponse, ...errorResponses } },
    }, async (req) => getMonitor({ ctx: ctx(req), input: req.params }));

    app.patch(`${base}/:id`, {
      config: write,
      schema: { tags, security, summary: 'Update an entity monitor (fields given are replaced; emails/targets replace the target list)', params: MonitorIdParams, body: UpdateMonitorBody, response: { 200: MonitorResponse, ...errorResponses } },
    }, async (req) => updateMonitor({ ctx: ctx(req), input: { id: req.params.id, ...req.body } }));

    app.delete(`${base}/:id`, {
      config: write,
      schema: { tags, security, summary: 'Delete an entity monitor, its records and change history', params: MonitorIdParams, response: { 204: Type.Null(), ...errorResponses } },
    }, async (req, reply) => {
      await deleteMonitor({ ctx: ctx(req), input: req.params });
      return reply.status(204).send(null);
    });

    app.post(`${base}/:id/pause`, {
      config: write,
      schema: { tags, security, summary: 'Pause an entity monitor (no runs until resumed)', params: MonitorIdParams, response: { 200: MonitorResponse, ...errorResponses } },
    }, async (req) => pauseMonitor({ ctx: ctx(req), input: req.params }));

    app.post(`${base}/:id/resume`, {
      config: write,
      schema: { tags, security, summary: 'Resume a paused entity monitor', params: MonitorIdParams, response: { 200: MonitorResponse, ...errorResponses } },
    }, async (req) => resumeMonitor({ ctx: ctx(req), input: req.params }));

    app.post(`${base}/:id/run`, {
      config: { ...write, rateLimit: 'checkNow' },
      schema: { tags, security, summary: 'Run now: the workers enrich every target at the next scan (202; the schedule is unchanged)', params: MonitorIdParams, response: { 202: MonitorResponse, ...errorResponses } },
    }, async (req, reply) => reply.status(202).send(await runMonitorNow({ ctx: ctx(req), input: req.params })));

    app.get(`${base}/:id/runs`, {
      config: read,
      schema: { tags, security, summary: 'A monitor\'s runs, newest first', params: MonitorIdParams, querystring: Page, response: { 200: RunList, ...errorResponses } },
    }, async (req) => listRuns({ ctx: ctx(req), input: { ...req.params, ...req.query } }));

    app.get(`${base}/:id/targets`, {
      config: read,
      schema: { tags, security, summary: 'A monitor\'s targets with when each was last enriched and changed', params: MonitorIdParams, querystring: Page, response: { 200: TargetList, ...errorResponses } },
    }, async (req) => listTargets({ ctx: ctx(req), input: { ...req.params, ...req.query } }));

    app.put(`${base}/:id/targets`, {
      config: write,
      schema: {
        tags, security, summary: 'Upload targets as CSV (text/csv): every row is checked, bad rows are reported by line and nothing is stored unless all are good',
        params: MonitorIdParams, querystring: CsvQuery, body: CsvBody, response: { 200: MonitorResponse, ...errorResponses },
      },
    }, async (req) => uploadTargetsCsv({ ctx: ctx(req), input: { id: req.params.id, csv: req.body, mode: req.query.mode ?? 'replace' } }));

    app.get(`${base}/:id/targets/:target`, {
      config: read,
      schema: { tags, security, summary: 'A target\'s current record (the canonical snapshot of its last run)', params: TargetParams, response: { 200: TargetRecord, ...errorResponses } },
    }, async (req) => getTargetRecord({ ctx: ctx(req), input: req.params }));

    app.get(`${base}/:id/targets/:target/changes`, {
      config: read,
      schema: { tags, security, summary: 'A target\'s change history, newest first', params: TargetParams, querystring: Page, response: { 200: ChangeList, ...errorResponses } },
    }, async (req) => listTargetChanges({ ctx: ctx(req), input: { ...req.params, ...req.query } }));

    app.put(`${base}/:id/targets/:target/pin`, {
      config: write,
      schema: { tags, security, summary: 'Company monitors: pin the legal entity (LEI or CIK) a name means, or unpin with null', params: TargetParams, body: PinBody, response: { 200: TargetRecord, ...errorResponses } },
    }, async (req) => pinTarget({ ctx: ctx(req), input: { ...req.params, entity_id: req.body.entity_id } }));

    app.get(`${base}/:id/changes`, {
      config: read,
      schema: { tags, security, summary: 'Every change a monitor reported, newest first', params: MonitorIdParams, querystring: Page, response: { 200: ChangeList, ...errorResponses } },
    }, async (req) => listMonitorChanges({ ctx: ctx(req), input: { ...req.params, ...req.query } }));
  };
}
