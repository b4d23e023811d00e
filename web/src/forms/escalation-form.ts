/**
 * The escalation policy form: its values (text inputs as strings), checks mirroring the API's
 * (services/api/routes/escalation-policies: 1–10 steps, delays 0–10080 minutes, a step
 * notifies a channel or a team member, repeats 0–10) and the body it sends. A step's team
 * members (memberIds) are kept as they are: the form shows their number, the API sets them.
 */
import type { FieldProblem } from './problems.js';
import { requiredText, wholeNumber } from './checks.js';

export const MAX_STEPS = 10;
export const MAX_DELAY_MINUTES = 10_080;
export const MAX_REPEATS = 10;

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
    if (s.channelIds.length + s.memberIds.length === 0) problems.push({ field: `/steps/${i}`, message: 'choose at least one channel to notify' });
    return { delayMinutes: delayMinutes ?? 0, channelIds: [...new Set(s.channelIds)], ...(s.memberIds.length ? { memberIds: [...new Set(s.memberIds)] } : {}) };
  });
  const repeatCount = wholeNumber(problems, '/repeatCount', v.repeatCount, 0, MAX_REPEATS);
  return { body: { name, steps, repeatCount: repeatCount ?? 0 }, problems };
}
