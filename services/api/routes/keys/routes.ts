import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { DomainError, notFound } from '../../../lib/errors.js';
import { SCOPES, canGrant } from '../../../lib/tenancy/scopes.js';
import type { ApiKey } from '../../../lib/tenancy/api-keys.js';
import type { ApiDeps, VerbContext } from '../../context.js';
import { principalOf } from '../../plugins/auth.js';
import { ErrorResponse } from '../shared-schemas.js';
import { stringEnum } from '../enum-schema.js';

const CreateKeyBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  scopes: Type.Array(stringEnum(SCOPES), { minItems: 1, uniqueItems: true }),
}, { additionalProperties: false });

const KeyResponse = Type.Object({
  id: Type.String(),
  name: Type.String(),
  key: Type.String({ description: 'Masked in listings; the full key only in the creation response' }),
  scopes: Type.Array(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 429: ErrorResponse };
const tags = ['API keys'];

const present = (k: ApiKey, key = k.maskedKey) => ({
  id: k.id, name: k.name, key, scopes: k.scopes, createdAt: k.createdAt.toISOString(), lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
});

export async function createKey({ ctx, input }: { ctx: VerbContext; input: { name: string; scopes: string[] } }) {
  if (!canGrant(ctx.principal.scopes, input.scopes)) {
    throw new DomainError('INSUFFICIENT_SCOPE', 'Forbidden', 'a key can only grant scopes it has itself');
  }
  await ctx.deps.quotas.assertCanAddApiKey(ctx.principal.orgId);
  const { key, plaintext } = await ctx.deps.apiKeys.create(ctx.principal.orgId, input.name, input.scopes);
  return present(key, plaintext);
}

export async function listKeys({ ctx }: { ctx: VerbContext }) {
  const keys = await ctx.deps.apiKeys.list(ctx.principal.orgId);
  return { items: keys.map((k) => present(k)), totalCount: keys.length };
}

export async function revokeKey({ ctx, input }: { ctx: VerbContext; input: { id: string } }) {
  if (!(await ctx.deps.apiKeys.revoke(ctx.principal.orgId, input.id))) throw notFound(`API key ${input.id}`);
}

export function keyRoutes(deps: ApiDeps) {
  return async function register(fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const ctx = (req: Parameters<typeof principalOf>[0]) => ({ deps, principal: principalOf(req) });

    app.post('/api/keys', {
      config: { scope: 'keys:write' },
      schema: { tags, summary: 'Create an API key (the full key is returned only once)', body: CreateKeyBody, response: { 201: KeyResponse, ...errors } },
    }, async (req, reply) => reply.status(201).send(await createKey({ ctx: ctx(req), input: req.body })));

    app.get('/api/keys', {
      config: { scope: 'keys:read' },
      schema: { tags, summary: 'List API keys (masked)', response: { 200: Type.Object({ items: Type.Array(KeyResponse), totalCount: Type.Integer() }), ...errors } },
    }, async (req) => listKeys({ ctx: ctx(req) }));

    app.delete('/api/keys/:id', {
      config: { scope: 'keys:write' },
      schema: { tags, summary: 'Revoke and delete an API key', params: Type.Object({ id: Type.String({ maxLength: 64 }) }), response: { 204: Type.Null(), ...errors } },
    }, async (req, reply) => {
      await revokeKey({ ctx: ctx(req), input: req.params });
      return reply.status(204).send(null);
    });
  };
}
