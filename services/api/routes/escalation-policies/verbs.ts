import { DomainError, notFound, validationError } from '../../../lib/errors.js';
import { existingChannelIds } from '../../../alerting/channels/store.js';
import { existingMemberIds } from '../../../alerting/escalation/member-recipients.js';
import type { EscalationPolicy, EscalationPolicyInput, EscalationPolicyStore } from '../../../alerting/escalation/policy-store.js';
import type { VerbContext } from '../../context.js';
import type { EscalationPolicyBody, ListEscalationPoliciesQuery } from './schema.js';

export type PolicyVerbContext = VerbContext & { policies: EscalationPolicyStore };

const present = (p: EscalationPolicy) => ({
  id: p.id, name: p.name, steps: p.steps, repeatCount: p.repeatCount, createdAt: p.createdAt.toISOString(), updatedAt: p.updatedAt.toISOString(),
});

/** The body with its defaults, its channels and team members checked to be the organization's own. */
async function inputOf(ctx: PolicyVerbContext, b: EscalationPolicyBody): Promise<EscalationPolicyInput> {
  const steps = b.steps.map((s) => ({ delayMinutes: s.delayMinutes, channelIds: [...(s.channelIds ?? [])], memberIds: [...(s.memberIds ?? [])] }));
  const channels = await existingChannelIds(ctx.deps.sql, ctx.principal.orgId, steps.flatMap((s) => s.channelIds));
  const members = await existingMemberIds(ctx.deps.sql, ctx.principal.orgId, steps.flatMap((s) => s.memberIds));
  const problems = steps.flatMap((s, i) => [
    ...(s.channelIds.length + s.memberIds.length === 0 ? [{ field: `/steps/${i}`, message: 'a step notifies at least one channel (channelIds) or team member (memberIds)' }] : []),
    ...s.channelIds.flatMap((id, j) => (channels.has(id) ? [] : [{ field: `/steps/${i}/channelIds/${j}`, message: `alert channel ${id} not found` }])),
    ...s.memberIds.flatMap((id, j) => (members.has(id) ? [] : [{ field: `/steps/${i}/memberIds/${j}`, message: `team member ${id} not found` }])),
  ]);
  if (problems.length) throw validationError(`invalid escalation steps: ${problems.map((p) => p.message).join('; ')}`, problems);
  return { name: b.name, steps, repeatCount: b.repeatCount ?? 0 };
}

export async function createEscalationPolicy({ ctx, input }: { ctx: PolicyVerbContext; input: EscalationPolicyBody }) {
  const policy = await inputOf(ctx, input);
  await ctx.deps.quotas.assertCanAddEscalationPolicy(ctx.principal.orgId);
  return present(await ctx.policies.create(ctx.principal.orgId, policy));
}

export async function listEscalationPolicies({ ctx, input }: { ctx: PolicyVerbContext; input: ListEscalationPoliciesQuery }) {
  const { items, totalCount } = await ctx.policies.list(ctx.principal.orgId, input.limit, input.offset);
  return { items: items.map(present), totalCount };
}

export async function getEscalationPolicy({ ctx, input }: { ctx: PolicyVerbContext; input: { id: string } }) {
  const policy = await ctx.policies.get(ctx.principal.orgId, input.id);
  if (!policy) throw notFound(`escalation policy ${input.id}`);
  return present(policy);
}

export async function replaceEscalationPolicy({ ctx, input }: { ctx: PolicyVerbContext; input: { id: string; body: EscalationPolicyBody } }) {
  if (!(await ctx.policies.get(ctx.principal.orgId, input.id))) throw notFound(`escalation policy ${input.id}`);
  const policy = await ctx.policies.replace(ctx.principal.orgId, input.id, await inputOf(ctx, input.body));
  if (!policy) throw notFound(`escalation policy ${input.id}`);
  return present(policy);
}

/** A policy monitors or rules still name is not deleted: their incidents would silently stop escalating. */
export async function deleteEscalationPolicy({ ctx, input }: { ctx: PolicyVerbContext; input: { id: string } }) {
  if (!(await ctx.policies.get(ctx.principal.orgId, input.id))) throw notFound(`escalation policy ${input.id}`);
  const users = await ctx.policies.usedBy(ctx.principal.orgId, input.id);
  if (users.length) throw new DomainError('CONFLICT', 'Conflict', `escalation policy ${input.id} is in use by ${users.join(', ')}`);
  await ctx.policies.delete(ctx.principal.orgId, input.id);
}
