import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiDeps } from '../../context.js';
import { principalOf } from '../../plugins/auth.js';
import { CreateKeyBody, KeyIdParams, KeyList, KeyResponse, errorResponses } from './schema.js';
import { createKey, listKeys, revokeKey } from './verbs.js';

const tags = ['API keys'];

export function keyRoutes(deps: ApiDeps) {
  return async function register(fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const ctx = (req: FastifyRequest) => ({ deps, principal: principalOf(req) });

    app.post('/api/keys', {
      config: { scope: 'keys:write' },
      schema: { tags, summary: 'Create an API key (the full key is returned only once)', body: CreateKeyBody, response: { 201: KeyResponse, ...errorResponses } },
    }, async (req, reply) => reply.status(201).send(await createKey({ ctx: ctx(req), input: req.body })));

    app.get('/api/keys', {
      config: { scope: 'keys:read' },
      schema: { tags, summary: 'List API keys (masked)', response: { 200: KeyList, ...errorResponses } },
    }, async (req) => listKeys({ ctx: ctx(req) }));

    app.delete('/api/keys/:id', {
      config: { scope: 'keys:write' },
      schema: { tags, summary: 'Revoke and delete an API key', params: KeyIdParams, response: { 204: Type.Null(), ...errorResponses } },
    }, async (req, reply) => {
      await revokeKey({ ctx: ctx(req), input: req.params });
      return reply.status(204).send(null);
    });
  };
}
