import type { MonitorConfig } from '../../lib/monitors/model.js';
import { changedFields, desiredConfig, remoteConfig, type MonitorSpec, type RemoteMonitor } from './monitor-config.js';

export type PlanStep =
  | { action: 'create'; name: string; body: MonitorSpec }
  | { action: 'update'; name: string; id: string; body: MonitorSpec; fields: (keyof MonitorConfig)[] }
  | { action: 'unchanged'; name: string; id: string }
  | { action: 'delete'; name: string; id: string };

export interface PlanInput {
  desired: MonitorSpec[];
  actual: RemoteMonitor[];
  /** The server's declared regions: the default of `regions`, so omitted regions compare honestly. */
  declaredRegions: readonly string[];
  prune: boolean;
}

/**
 * The steps that make the organization match the file, in file order, then deletions by
 * name. Pure: the same input gives the same plan, which is what makes --dry-run truthful.
 */
export function planChanges({ desired, actual, declaredRegions, prune }: PlanInput): PlanStep[] {
  const byName = new Map(actual.map((m) => [m.name, m]));
  const steps: PlanStep[] = [];
  const wanted = new Set<string>();
  for (const spec of desired) {
    const name = spec.name.trim();
    wanted.add(name);
    // The body carries the trimmed name, as the API (URL name wins) will store it.
    const body = { ...spec, name };
    const existing = byName.get(name);
    if (!existing) {
      steps.push({ action: 'create', name, body });
      continue;
    }
    const fields = changedFields(desiredConfig(spec, declaredRegions), remoteConfig(existing));
    steps.push(fields.length ? { action: 'update', name, id: existing.id, body, fields } : { action: 'unchanged', name, id: existing.id });
  }
  if (prune) {
    const extra = actual.filter((m) => !wanted.has(m.name)).sort((a, b) => a.name.localeCompare(b.name));
    for (const m of extra) steps.push({ action: 'delete', name: m.name, id: m.id });
  }
  return steps;
}

const SYMBOL = { create: '+', update: '~', unchanged: '=', delete: '-' } as const;

export function formatStep(step: PlanStep): string {
  const detail = step.action === 'update' ? ` (${step.fields.join(', ')})` : '';
  return `${SYMBOL[step.action]} ${step.action} ${JSON.stringify(step.name)}${detail}`;
}

export interface PlanCounts { create: number; update: number; delete: number; unchanged: number }

export function countSteps(steps: PlanStep[]): PlanCounts {
  const counts: PlanCounts = { create: 0, update: 0, delete: 0, unchanged: 0 };
  for (const s of steps) counts[s.action] += 1;
  return counts;
}
