import { DomainError, notFound } from '../../../lib/errors.js';
import { missingScopes } from '../../../lib/tenancy/scopes.js';
import type { ApiKey } from '../../../lib/tenancy/api-keys.js';
import type { VerbContext } from '../../context.js';
import type { CreateKeyBody } from './schema.js';

/** A key as listed: masked, except in the one response that creates it. */
const present = (k: ApiKey, key = k.maskedKey) => ({
  id: k.id, name: k.name, key, scopes: k.scopes, createdAt: k.createdAt.toISOString(), lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
});

/**
 * Least privilege: `keys:write` lets a key manage keys no stronger than itself. Without this
 * a key holding only `keys:write` could revoke the organization's full-access keys (locking
 * the owners out) or mint itself a `*` key.
 */
function assertCovers(ctx: VerbContext, scopes: readonly string[], action: string): void {
  const missing = missingScopes(ctx.principal.scopes, scopes);
  if (missing.length === 0) return;
  throw new DomainError('INSUFFICIENT_SCOPE', 'Forbidden',
    `this API key cannot ${action}: it lacks the scope${missing.length > 1 ? 's' : ''} ${missing.map((s) => `"${s}"`).join(', ')}; a key can only create or revoke keys whose scopes it holds itself`);
}

export async function createKey({ ctx, input }: { ctx: VerbContext; input: CreateKeyBody }) {
  assertCovers(ctx, input.scopes, 'create this key');
  await ctx.deps.quotas.assertCanAddApiKey(ctx.principal.orgId);
  const { key, plaintext } = await ctx.deps.apiKeys.create(ctx.principal.orgId, input.name, input.scopes);
  return present(key, plaintext);
}

export async function listKeys({ ctx }: { ctx: VerbContext }) {
  const keys = await ctx.deps.apiKeys.list(ctx.principal.orgId);
  return { items: keys.map((k) => present(k)), totalCount: keys.length };
}

export async function revokeKey({ ctx, input }: { ctx: VerbContext; input: { id: string } }) {
  const target = await ctx.deps.apiKeys.get(ctx.principal.orgId, input.id);
  if (!target) throw notFound(`API key ${input.id}`);
  assertCovers(ctx, target.scopes, `revoke ${target.id}`);
  if (!(await ctx.deps.apiKeys.revoke(ctx.principal.orgId, input.id))) throw notFound(`API key ${input.id}`);
}
