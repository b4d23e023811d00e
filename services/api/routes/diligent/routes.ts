/**
 * The Diligent-compatible surface (../shared/seeds/003, docs/diligent.md): POST /monitorings
 * as documented, plus list, get, update, delete, run now and the execution history, served
 * at the server's root so a Diligent client needs only its base URL changed. Scopes
 * monitorings:read|write; auth by `X-API-KEY` (any case) or a Bearer token, as every route.
 *
 * This plugin is its own Fastify context: its error handler answers in the document's
 * shapes (`{"error": "…"}` or `{"error": [zod issues]}`) and its validator runs only the
 * api's text checks (NUL, lone surrogates, depth), leaving the rules to input.ts (zod).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { ApiDeps } from '../../context.js';
import { principalOf } from '../../plugins/auth.js';
import { findTextProblems, type TextPart } from '../../plugins/text-checks.js';
import { DomainError } from '../../../lib/errors.js';
import { MonitoringStore } from '../../../diligent/store.js';
import { diligentSubjects } from '../../../diligent/subjects.js';
import type { AddressLookup } from '../../../lib/ssrf/guarded-resolver.js';
import { DiligentValidationError, URL_REFUSED, type Issue } from './issues.js';
import { CreateMonitoringBody, ExecutionList, MccOverridesBody, MccSettingsResponse, MonitoringIdParams, MonitoringList, MonitoringResponse, PageQuery, UpdateMonitoringBody, errorResponses } from './schema.js';
import {
  DuplicateMonitoring, createMonitoring, deleteMonitoring, getMccSettings, getMonitoring, replaceMccSettings, listExecutions, listMonitorings, runMonitoringNow, updateMonitoring, type DiligentVerbContext,
} from './verbs.js';

const tags = ['Diligent monitorings'];
const read = { scope: 'monitorings:read' } as const;
const write = { scope: 'monitorings:write' } as const;

const STATUS: Record<string, number> = {
  VALIDATION_ERROR: 400, UNAUTHORIZED: 401, INSUFFICIENT_SCOPE: 403, PLAN_LIMIT_EXCEEDED: 403, NOT_FOUND: 404, CONFLICT: 409, RATE_LIMITED: 429, UNAVAILABLE: 503,
};

export interface DiligentRouteOptions {
  /** DNS for monitored websites (the SSRF guard's lookup); default the system resolver. */
  websiteLookup?: AddressLookup;
}

/** A website with NUL or a lone surrogate in it is a URL that fails validation, in the document's words. */
function textIssues(data: unknown, part: TextPart, schema: Record<string, unknown>): Issue[] {
  const problems = findTextProblems(data, part, schema).problems;
  if (part === 'body' && problems.some((p) => p.field === '/website')) return [URL_REFUSED];
  return problems.slice(0, 20).map((p) => ({
    code: 'custom', message: p.message, path: p.field.split('/').filter(Boolean).map((s) => (/^\d+$/.test(s) ? Number(s) : s)),
  }));
}

function answer(request: FastifyRequest, reply: FastifyReply, status: number, body: { error: string | Issue[] }, code: string, err?: unknown) {
  request.failure = { code, err };
  return reply.status(status).send(body);
}

export function diligentRoutes(deps: ApiDeps, opts: DiligentRouteOptions = {}) {
  return async function register(app: FastifyInstance): Promise<void> {
    const monitorings = new MonitoringStore(deps.sql);
    const subjects = diligentSubjects(deps.subjects.prefix);
    const announceDue = async () => {
      await deps.bus.publish(subjects.due, new Uint8Array()).catch((err) => deps.logger.warn({ err, event: 'diligent.due_notice_failed' }, 'run request notice not sent; the scheduler finds it at its next poll'));
    };
    const ctx = (req: FastifyRequest): DiligentVerbContext => ({
      deps, principal: principalOf(req), monitorings, announceDue,
      websitePolicy: { allowPrivateTargets: deps.config.allowPrivateTargets, lookup: opts.websiteLookup },
    });

    app.setValidatorCompiler(({ schema, httpPart }) => (data: unknown) => {
      const issues = textIssues(data, (httpPart ?? 'body') as TextPart, schema as Record<string, unknown>);
      return issues.length ? { error: new DiligentValidationError(issues) } : { value: data };
    });
    app.setErrorHandler((err: FastifyError, request, reply) => {
      if (err instanceof DiligentValidationError) return answer(request, reply, 400, { error: err.issues }, 'VALIDATION_ERROR');
      if (err instanceof DuplicateMonitoring) return answer(request, reply, 400, { error: err.message }, 'DUPLICATE');
      if (err instanceof DomainError && STATUS[err.code]) return answer(request, reply, STATUS[err.code], { error: err.message || err.title }, err.code);
      const status = err.statusCode ?? 500;
      if (status >= 400 && status < 500) {
        const message = err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'Request body is too large' : err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'Unsupported media type' : 'Invalid JSON body';
        return answer(request, reply, status, { error: message }, 'BAD_REQUEST');
      }
      return answer(request, reply, 500, { error: 'Internal server error' }, 'INTERNAL', err);
    });

    app.post('/monitorings', {
      config: { ...write, rateLimit: 'createMonitor' },
      schema: { tags, summary: 'Create a monitoring (Diligent)', body: CreateMonitoringBody, response: { 201: MonitoringResponse, ...errorResponses } },
    }, async (req, reply) => reply.status(201).send(await createMonitoring({ ctx: ctx(req), input: req.body })));

    // Static paths: registered before /monitorings/:id would not matter to the router, but read first here.
    app.get('/monitorings/settings/high-risk-mccs', {
      config: read,
      schema: { tags, summary: 'The high-risk MCC table in force for this organization (the shipped program table and its overrides)', response: { 200: MccSettingsResponse, ...errorResponses } },
    }, async (req) => getMccSettings({ ctx: ctx(req) }));

    app.put('/monitorings/settings/high-risk-mccs', {
      config: write,
      schema: { tags, summary: 'Replace the organization\'s high-risk MCC overrides', body: MccOverridesBody, response: { 200: MccSettingsResponse, ...errorResponses } },
    }, async (req) => replaceMccSettings({ ctx: ctx(req), input: req.body }));

    app.get('/monitorings', {
      config: read,
      schema: { tags, summary: 'List monitorings', querystring: PageQuery, response: { 200: MonitoringList, ...errorResponses } },
    }, async (req) => listMonitorings({ ctx: ctx(req), input: req.query }));

    app.get('/monitorings/:id', {
      config: read,
      schema: { tags, summary: 'Get a monitoring with its latest findings', params: MonitoringIdParams, response: { 200: MonitoringResponse, ...errorResponses } },
    }, async (req) => getMonitoring({ ctx: ctx(req), input: req.params as { id: string } }));

    app.patch('/monitorings/:id', {
      config: write,
      schema: { tags, summary: 'Update checks, frequency, expiry or is_active', params: MonitoringIdParams, body: UpdateMonitoringBody, response: { 200: MonitoringResponse, ...errorResponses } },
    }, async (req) => updateMonitoring({ ctx: ctx(req), input: { id: (req.params as { id: string }).id, body: req.body } }));

    app.delete('/monitorings/:id', {
      config: write,
      schema: { tags, summary: 'Delete a monitoring and its executions', params: MonitoringIdParams, response: { 204: Type.Null(), ...errorResponses } },
    }, async (req, reply) => {
      await deleteMonitoring({ ctx: ctx(req), input: req.params as { id: string } });
      return reply.status(204).send(null);
    });

    app.post('/monitorings/:id/run', {
      config: { ...write, rateLimit: 'checkNow' },
      schema: { tags, summary: 'Run the checks now (queued for a worker)', params: MonitoringIdParams, response: { 202: MonitoringResponse, ...errorResponses } },
    }, async (req, reply) => reply.status(202).send(await runMonitoringNow({ ctx: ctx(req), input: req.params as { id: string } })));

    app.get('/monitorings/:id/executions', {
      config: read,
      schema: { tags, summary: 'Execution history with each check\'s findings, newest first', params: MonitoringIdParams, querystring: PageQuery, response: { 200: ExecutionList, ...errorResponses } },
    }, async (req) => listExecutions({ ctx: ctx(req), input: { id: (req.params as { id: string }).id, query: req.query } }));
  };
}
