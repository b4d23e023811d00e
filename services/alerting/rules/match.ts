/**
 * Which enabled rules an event matches. Selectors narrow together (monitor ids AND tags AND
 * types); an empty selector matches everything. Tags are AND — the monitor must carry every
 * tag the rule names — like the monitor list's repeated `tag` filter; "any of these tags" is
 * several rules, and a channel named by several matching rules still gets the event once.
 */
import type { AlertEventType } from '../events.js';

export interface RuleSelector {
  enabled: boolean;
  /** null = every monitor. */
  monitorIds: string[] | null;
  tags: string[];
  monitorTypes: string[];
  events: AlertEventType[];
}

export interface MonitorFacts {
  id: string;
  type: string;
  tags: readonly string[];
}

export function ruleMatches(rule: RuleSelector, monitor: MonitorFacts, event: AlertEventType): boolean {
  if (!rule.enabled || !rule.events.includes(event)) return false;
  if (rule.monitorIds !== null && !rule.monitorIds.includes(monitor.id)) return false;
  if (rule.monitorTypes.length > 0 && !rule.monitorTypes.includes(monitor.type)) return false;
  return rule.tags.every((t) => monitor.tags.includes(t));
}

/**
 * The channels an event about no monitor (an incident of the organization's own) goes to:
 * those of the rules that select every monitor (no ids, tags or types) and list the event.
 * A rule narrowed to some monitors says nothing about an incident that concerns none.
 */
export function organizationChannels(rules: ReadonlyArray<RuleSelector & { channelIds: readonly string[] }>, event: AlertEventType): string[] {
  const out = new Set<string>();
  for (const rule of rules) {
    if (!rule.enabled || !rule.events.includes(event)) continue;
    if (rule.monitorIds !== null || rule.tags.length > 0 || rule.monitorTypes.length > 0) continue;
    for (const c of rule.channelIds) out.add(c);
  }
  return [...out];
}

/**
 * The channels an event goes to: the monitor's own, then every matching rule's, each once
 * (in that order, so a delivery's record is stable).
 */
export function channelsFor(
  monitor: MonitorFacts & { alertChannelIds: readonly string[] },
  rules: ReadonlyArray<RuleSelector & { channelIds: readonly string[] }>,
  event: AlertEventType,
): string[] {
  const out = new Set<string>(monitor.alertChannelIds);
  for (const rule of rules) if (ruleMatches(rule, monitor, event)) for (const c of rule.channelIds) out.add(c);
  return [...out];
}
