import { notFound } from '../../../lib/errors.js';
import { ALERT_EVENT_TYPES } from '../../../alerting/events.js';
import type { AlertRule, AlertRuleInput, AlertRuleStore } from '../../../alerting/rules/rule-store.js';
import type { VerbContext } from '../../context.js';
import type { AlertRuleBody, ListAlertRulesQuery } from './schema.js';

export type RuleVerbContext = VerbContext & { rules: AlertRuleStore };

const present = (r: AlertRule) => ({
  id: r.id, name: r.name, enabled: r.enabled, monitorIds: r.monitorIds, tags: r.tags, monitorTypes: r.monitorTypes,
  events: r.events, channelIds: r.channelIds, escalationPolicyId: r.escalationPolicyId ?? null, createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString(),
});

/** The body with its defaults: PUT, like POST, resets what it omits. */
const inputOf = (b: AlertRuleBody): AlertRuleInput => ({
  name: b.name,
  enabled: b.enabled ?? true,
  monitorIds: b.monitorIds ?? null,
  tags: b.tags ?? [],
  monitorTypes: b.monitorTypes ?? [],
  events: b.events ?? [...ALERT_EVENT_TYPES],
  channelIds: b.channelIds,
  escalationPolicyId: b.escalationPolicyId ?? null,
});

export async function createAlertRule({ ctx, input }: { ctx: RuleVerbContext; input: AlertRuleBody }) {
  return present(await ctx.rules.create(ctx.principal.orgId, inputOf(input)));
}

export async function listAlertRules({ ctx, input }: { ctx: RuleVerbContext; input: ListAlertRulesQuery }) {
  const { items, totalCount } = await ctx.rules.list(ctx.principal.orgId, input.limit, input.offset);
  return { items: items.map(present), totalCount };
}

export async function getAlertRule({ ctx, input }: { ctx: RuleVerbContext; input: { id: string } }) {
  const rule = await ctx.rules.get(ctx.principal.orgId, input.id);
  if (!rule) throw notFound(`alert rule ${input.id}`);
  return present(rule);
}

export async function replaceAlertRule({ ctx, input }: { ctx: RuleVerbContext; input: { id: string; body: AlertRuleBody } }) {
  const rule = await ctx.rules.replace(ctx.principal.orgId, input.id, inputOf(input.body));
  if (!rule) throw notFound(`alert rule ${input.id}`);
  return present(rule);
}

export async function deleteAlertRule({ ctx, input }: { ctx: RuleVerbContext; input: { id: string } }) {
  if (!(await ctx.rules.delete(ctx.principal.orgId, input.id))) throw notFound(`alert rule ${input.id}`);
}
