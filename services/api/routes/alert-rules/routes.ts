/**
 * Alert rules (scopes alert-rules:read|write): which monitors send which events to which
 * channels, besides each monitor's own alertChannelIds.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiDeps } from '../../context.js';
import { principalOf } from '../../plugins/auth.js';
import { AlertRuleStore } from '../../../alerting/rules/rule-store.js';
import { AlertRuleBody, AlertRuleIdParams, AlertRuleList, AlertRuleResponse, ListAlertRulesQuery, errorResponses } from './schema.js';
import { createAlertRule, deleteAlertRule, getAlertRule, listAlertRules, replaceAlertRule } from './verbs.js';

const tags = ['Alert rules'];

export function alertRuleRoutes(deps: ApiDeps) {
  return async function register(fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    // A stateless store over the api's connection (built here so ApiDeps stays as it is).
    const rules = new AlertRuleStore(deps.sql);
    const ctx = (req: FastifyRequest) => ({ deps, principal: principalOf(req), rules });

    app.get('/api/alert-rules', {
      config: { scope: 'alert-rules:read' },
      schema: { tags, summary: 'List alert rules', querystring: ListAlertRulesQuery, response: { 200: AlertRuleList, ...errorResponses } },
    }, async (req) => listAlertRules({ ctx: ctx(req), input: req.query }));

    app.post('/api/alert-rules', {
      config: { scope: 'alert-rules:write' },
      schema: { tags, summary: 'Create an alert rule', body: AlertRuleBody, response: { 201: AlertRuleResponse, ...errorResponses } },
    }, async (req, reply) => reply.status(201).send(await createAlertRule({ ctx: ctx(req), input: req.body })));

    app.get('/api/alert-rules/:id', {
      config: { scope: 'alert-rules:read' },
      schema: { tags, summary: 'Get an alert rule', params: AlertRuleIdParams, response: { 200: AlertRuleResponse, ...errorResponses } },
    }, async (req) => getAlertRule({ ctx: ctx(req), input: req.params }));

    app.put('/api/alert-rules/:id', {
      config: { scope: 'alert-rules:write' },
      schema: { tags, summary: 'Replace an alert rule (omitted fields take their defaults)', params: AlertRuleIdParams, body: AlertRuleBody, response: { 200: AlertRuleResponse, ...errorResponses } },
    }, async (req) => replaceAlertRule({ ctx: ctx(req), input: { id: req.params.id, body: req.body } }));

    app.delete('/api/alert-rules/:id', {
      config: { scope: 'alert-rules:write' },
      schema: { tags, summary: 'Delete an alert rule', params: AlertRuleIdParams, response: { 204: Type.Null(), ...errorResponses } },
    }, async (req, reply) => {
      await deleteAlertRule({ ctx: ctx(req), input: req.params });
      return reply.status(204).send(null);
    });
  };
}
