/**
 * The escalation policy form: its values (text inputs as strings), checks mirroring the API's
 * (services/api/routes/escalation-policies: 1–10 steps, delays 0–10080 minutes, a step
 * notifies a channel or a team member, at most 50 of each, repeats 0–10) and the body it sends.
 * A step's recipients are alert channels (channelIds) and team members (memberIds, `mem_…`,
 * members of the organization's teams, emailed through the operator's SMTP).
 */
import type { FieldProblem } from './problems.js';
import { requiredText, wholeNumber } from './checks.js';

export const MAX_STEPS = 10;
export const MAX_DELAY_MINUTES = 10_080;
export const MAX_REPEATS = 10;
export const MAX_RECIPIENTS = 50;

export interface StepValues {
  delayMinutes: string;
  channelIds: string[];
  memberIds: string[];
}

export interface PolicyFormValues {
  name: string;
  steps: StepValues[];
  repeatCount: string;
}

export const emptyStep = (delayMinutes = '0'): StepValues => ({ delayMinutes, channelIds: [], memberIds: [] });
export const emptyPolicy = (): PolicyFormValues => ({ name: '', steps: [emptyStep()], repeatCount: '0' });

/** The form's values for a policy as the API answers it. */
export function policyForm(p: { name: string; steps: Array<{ delayMinutes: number; channelIds?: string[]; memberIds?: string[] }>; repeatCount: number }): PolicyFormValues {
  return {
    name: p.name,
    steps: p.steps.map((s) => ({ delayMinutes: String(s.delayMinutes), channelIds: [...(s.channelIds ?? [])], memberIds: [...(s.memberIds ?? [])] })),
    repeatCount: String(p.repeatCount),
  };
}

/** The steps with step `i` moved `by` places (up: -1), unchanged at the ends. */
export function moveStep<T>(steps: readonly T[], i: number, by: number): T[] {
  const j = i + by;
  if (i < 0 || i >= steps.length || j < 0 || j >= steps.length) return [...steps];
  const next = [...steps];
  const [item] = next.splice(i, 1);
  next.splice(j, 0, item!);
  return next;
}

export function policyBody(v: PolicyFormValues): { body: Record<string, unknown>; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const name = requiredText(problems, '/name', v.name, 100);
  if (v.steps.length === 0) problems.push({ field: '/steps', message: 'add at least one step' });
  if (v.steps.length > MAX_STEPS) problems.push({ field: '/steps', message: `at most ${MAX_STEPS} steps` });
  const steps = v.steps.map((s, i) => {
    const delayMinutes = wholeNumber(problems, `/steps/${i}/delayMinutes`, s.delayMinutes, 0, MAX_DELAY_MINUTES);
    if (s.channelIds.length + s.memberIds.length === 0) problems.push({ field: `/steps/${i}`, message: 'choose at least one channel or team member to notify' });
    if (new Set(s.channelIds).size > MAX_RECIPIENTS) problems.push({ field: `/steps/${i}/channelIds`, message: `at most ${MAX_RECIPIENTS} channels a step` });
    if (new Set(s.memberIds).size > MAX_RECIPIENTS) problems.push({ field: `/steps/${i}/memberIds`, message: `at most ${MAX_RECIPIENTS} team members a step` });
    return { delayMinutes: delayMinutes ?? 0, channelIds: [...new Set(s.channelIds)], ...(s.memberIds.length ? { memberIds: [...new Set(s.memberIds)] } : {}) };
  });
  const repeatCount = wholeNumber(problems, '/repeatCount', v.repeatCount, 0, MAX_REPEATS);
  return { body: { name, steps, repeatCount: repeatCount ?? 0 }, problems };
}

export interface TeamMembers {
  team: { id: string; name: string };
  members: Array<{ id: string; name: string; email: string }>;
}

export interface MemberOption {
  id: string;
  label: string;
  /** The team it belongs to; null for a member the viewer cannot see (removed since, or teams not readable). */
  team: string | null;
}

/**
 * The team members a step can notify, team by team, each labelled with name, address and team;
 * then the members a step already names that are not among them (removed since, or not
 * readable with the session's scopes), so an edit can keep or drop them.
 */
export function memberOptions(teams: readonly TeamMembers[], named: readonly string[] = []): MemberOption[] {
  const options: MemberOption[] = [];
  const seen = new Set<string>();
  for (const { team, members } of teams) {
    for (const m of members) {
      if (seen.has(m.id)) continue;
      seen.add(m.id);
      options.push({ id: m.id, label: `${m.name} <${m.email}> · ${team.name}`, team: team.name });
    }
  }
  for (const id of named) {
    if (seen.has(id)) continue;
    seen.add(id);
    options.push({ id, label: `${id} (not among the teams' members)`, team: null });
  }
  return options;
}

/** What a step notifies, for the list: channel names, then member names. */
export function stepRecipients(step: { channelIds: readonly string[]; memberIds: readonly string[] }, channelName: (id: string) => string, member: ReadonlyMap<string, { name: string }>): string {
  return [...step.channelIds.map(channelName), ...step.memberIds.map((id) => member.get(id)?.name ?? `team member ${id}`)].join(', ');
}
