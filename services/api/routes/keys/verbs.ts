import { DomainError, notFound } from '../../../lib/errors.js';
import { canGrant } from '../../../lib/tenancy/scopes.js';
import type { ApiKey } from '../../../lib/tenancy/api-keys.js';
import type { VerbContext } from '../../context.js';
import type { CreateKeyBody } from './schema.js';

/** A key as listed: masked, except in the one response that creates it. */
const present = (k: ApiKey, key = k.maskedKey) => ({
  id: k.id, name: k.name, key, scopes: k.scopes, createdAt: k.createdAt.toISOString(), lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
});

export async function createKey({ ctx, input }: { ctx: VerbContext; input: CreateKeyBody }) {
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
