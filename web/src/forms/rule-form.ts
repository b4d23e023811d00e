/**
 * The alert rule form: which monitors (all, chosen ones, by tags, by types), which events, which
 * channels, an escalation policy; checks mirroring the API's (services/api/routes/alert-rules)
 * and the body it sends (a PUT, like a POST, resets what it omits, so the body is whole).
 */
import type { FieldProblem } from './problems.js';
import { commaList, requiredText } from './checks.js';

/** The API's events (services/alerting/events.ts), in its order. */
export const ALERT_EVENTS = [
  'monitor.down', 'monitor.up', 'monitor.degraded', 'monitor.ssl_expiring', 'incident.created', 'incident.resolved',
  'incident.acknowledged', 'incident.updated', 'incident.escalated', 'entity.changed', 'monitoring.flagged', 'monitoring.verdict_changed',
] as const;

/** The API's monitor types (contracts/checks). */
export const RULE_MONITOR_TYPES = ['Website', 'Port', 'Ping', 'Dns', 'Domain', 'Job'] as const;

export interface RuleFormValues {
  name: string;
  enabled: boolean;
  /** all: every monitor (narrowed by tags and types); chosen: the monitors in monitorIds. */
  scope: 'all' | 'chosen';
  monitorIds: string[];
  tags: string;
  monitorTypes: string[];
  events: string[];
  channelIds: string[];
  escalationPolicyId: string;
}

export const emptyRule = (): RuleFormValues => ({
  name: '', enabled: true, scope: 'all', monitorIds: [], tags: '', monitorTypes: [], events: ['monitor.down', 'monitor.up'], channelIds: [], escalationPolicyId: '',
});

/** The form's values for a rule as the API answers it. */
export function ruleForm(r: { name: string; enabled: boolean; monitorIds: string[] | null; tags: string[]; monitorTypes: string[]; events: string[]; channelIds: string[]; escalationPolicyId: string | null }): RuleFormValues {
  return {
    name: r.name, enabled: r.enabled, scope: r.monitorIds === null ? 'all' : 'chosen', monitorIds: [...(r.monitorIds ?? [])], tags: r.tags.join(', '),
    monitorTypes: [...r.monitorTypes], events: [...r.events], channelIds: [...r.channelIds], escalationPolicyId: r.escalationPolicyId ?? '',
  };
}

export function ruleBody(v: RuleFormValues): { body: Record<string, unknown>; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const name = requiredText(problems, '/name', v.name, 100);
  const tags = commaList(v.tags);
  if (tags.length > 50) problems.push({ field: '/tags', message: 'at most 50 tags' });
  if (tags.some((t) => t.length > 64)) problems.push({ field: '/tags', message: 'a tag is at most 64 characters' });
  if (v.scope === 'chosen' && v.monitorIds.length === 0) problems.push({ field: '/monitorIds', message: 'choose at least one monitor' });
  if (v.events.length === 0) problems.push({ field: '/events', message: 'choose at least one event' });
  if (v.channelIds.length === 0) problems.push({ field: '/channelIds', message: 'choose at least one channel' });
  if (v.channelIds.length > 50) problems.push({ field: '/channelIds', message: 'at most 50 channels' });
  const body = {
    name, enabled: v.enabled, monitorIds: v.scope === 'chosen' ? [...new Set(v.monitorIds)] : null, tags, monitorTypes: [...new Set(v.monitorTypes)],
    events: [...new Set(v.events)], channelIds: [...new Set(v.channelIds)], escalationPolicyId: v.escalationPolicyId || null,
  };
  return { body, problems };
}
