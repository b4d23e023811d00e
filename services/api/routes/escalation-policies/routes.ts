/**
 * Escalation policies (scopes escalation-policies:read|write): ordered steps of channels to
 * notify while an incident stays unacknowledged, attached to monitors (escalationPolicyId).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiDeps } from '../../context.js';
import { principalOf } from '../../plugins/auth.js';
import { EscalationPolicyStore } from '../../../alerting/escalation/policy-store.js';
import { EscalationPolicyBody, EscalationPolicyIdParams, EscalationPolicyList, EscalationPolicyResponse, ListEscalationPoliciesQuery, errorResponses } from './schema.js';
import { createEscalationPolicy, deleteEscalationPolicy, getEscalationPolicy, listEscalationPolicies, replaceEscalationPolicy } from './verbs.js';

const tags = ['Escalation policies'];
const read = { scope: 'escalation-policies:read' } as const;
const write = { scope: 'escalation-policies:write' } as const;

export function escalationPolicyRoutes(deps: ApiDeps) {
  return async function register(fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    // A stateless store over the api's connection (built here so ApiDeps stays as it is).
    const policies = new EscalationPolicyStore(deps.sql, deps.now);
    const ctx = (req: FastifyRequest) => ({ deps, principal: principalOf(req), policies });

    app.get('/api/escalation-policies', {
      config: read,
      schema: { tags, summary: 'List escalation policies', querystring: ListEscalationPoliciesQuery, response: { 200: EscalationPolicyList, ...errorResponses } },
    }, async (req) => listEscalationPolicies({ ctx: ctx(req), input: req.query }));

    app.post('/api/escalation-policies', {
      config: write,
      schema: { tags, summary: 'Create an escalation policy', body: EscalationPolicyBody, response: { 201: EscalationPolicyResponse, ...errorResponses } },
    }, async (req, reply) => reply.status(201).send(await createEscalationPolicy({ ctx: ctx(req), input: req.body })));

    app.get('/api/escalation-policies/:id', {
      config: read,
      schema: { tags, summary: 'Get an escalation policy', params: EscalationPolicyIdParams, response: { 200: EscalationPolicyResponse, ...errorResponses } },
    }, async (req) => getEscalationPolicy({ ctx: ctx(req), input: req.params }));

    app.put('/api/escalation-policies/:id', {
      config: write,
      schema: { tags, summary: 'Replace an escalation policy (running escalations follow the new steps)', params: EscalationPolicyIdParams, body: EscalationPolicyBody, response: { 200: EscalationPolicyResponse, ...errorResponses } },
    }, async (req) => replaceEscalationPolicy({ ctx: ctx(req), input: { id: req.params.id, body: req.body } }));

    app.delete('/api/escalation-policies/:id', {
      config: write,
      schema: { tags, summary: 'Delete an escalation policy no monitor uses', params: EscalationPolicyIdParams, response: { 204: Type.Null(), ...errorResponses } },
    }, async (req, reply) => {
      await deleteEscalationPolicy({ ctx: ctx(req), input: req.params });
      return reply.status(204).send(null);
    });
  };
}
