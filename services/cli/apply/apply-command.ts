import { ApiError, type PharosApi } from './api-client.js';
import { DocumentError, parseDocument } from './document.js';
import { countSteps, formatStep, planChanges, type PlanStep } from './plan.js';
import { reportFailure, type Output } from './output.js';

export interface ApplyOptions {
  file: string;
  prune: boolean;
  dryRun: boolean;
}

export interface ApplyDeps extends Output {
  api: PharosApi;
  readFile: (path: string) => Promise<string>;
}

async function execute(steps: PlanStep[], deps: ApplyDeps): Promise<{ done: Record<'create' | 'update' | 'delete', number>; failed: number }> {
  const done = { create: 0, update: 0, delete: 0 };
  let failed = 0;
  for (const step of steps) {
    if (step.action !== 'create' && step.action !== 'update') continue;
    try {
      // Upsert by name for both: idempotent, and a monitor created meanwhile by someone else is updated, not duplicated.
      await deps.api.upsertMonitorByName(step.name, step.body);
      done[step.action] += 1;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      failed += 1;
      reportFailure(err, deps);
    }
  }
  const deletions = steps.filter((s) => s.action === 'delete');
  if (failed && deletions.length) {
    // A file the API partly refused may be wrong elsewhere too; deleting on its word is not safe.
    deps.err(`skipping ${deletions.length} deletion(s) because ${failed} monitor(s) failed`);
    return { done, failed };
  }
  for (const step of deletions) {
    try {
      await deps.api.deleteMonitor(step.id);
      done.delete += 1;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      failed += 1;
      reportFailure(err, deps);
    }
  }
  return { done, failed };
}

/** `pharos apply`: plan, print, then (unless --dry-run) make the organization match the file. Returns the exit code. */
export async function runApply(opts: ApplyOptions, deps: ApplyDeps): Promise<number> {
  try {
    const text = await deps.readFile(opts.file).catch((err: NodeJS.ErrnoException) => {
      throw new DocumentError(opts.file, [`cannot read: ${err.code ?? err.message}`]);
    });
    const doc = parseDocument(text, opts.file);
    const [actual, declaredRegions] = await Promise.all([deps.api.listMonitors(), deps.api.listRegions()]);
    const steps = planChanges({ desired: doc.monitors, actual, declaredRegions, prune: opts.prune });
    for (const step of steps) deps.out(formatStep(step));
    const plan = countSteps(steps);
    if (opts.dryRun) {
      deps.out(`dry run: ${plan.create} to create, ${plan.update} to update, ${plan.delete} to delete, ${plan.unchanged} unchanged; nothing was changed`);
      return 0;
    }
    const { done, failed } = await execute(steps, deps);
    deps.out(`${done.create} created, ${done.update} updated, ${done.delete} deleted, ${plan.unchanged} unchanged${failed ? `, ${failed} failed` : ''}`);
    return failed ? 1 : 0;
  } catch (err) {
    reportFailure(err, deps);
    return 1;
  }
}
