import { DomainError, instantParam, notFound, validationError, type FieldError } from '../../../lib/errors.js';
import { activeOccurrence, nextStart, scheduleProblems } from '../../../alerting/maintenance/schedule.js';
import type { MaintenanceWindow, MaintenanceWindowInput, MaintenanceWindowStore } from '../../../alerting/maintenance/store.js';
import type { VerbContext } from '../../context.js';
import { AlertOutbox } from '../../../alerting/deliveries/outbox.js';
import { announceMaintenance } from '../../../alerting/maintenance/announce.js';
import type { ListMaintenanceWindowsQuery, MaintenanceWindowBody } from './schema.js';

export type WindowVerbContext = VerbContext & { windows: MaintenanceWindowStore };

const MINUTE_MS = 60_000;
const DEFAULT_START_NOW_MINUTES = 60;
const iso = (v: number | null) => (v === null ? null : new Date(v).toISOString());
const now = (ctx: VerbContext) => (ctx.deps.now ?? Date.now)();

function present(w: MaintenanceWindow, atMs: number) {
  const current = activeOccurrence(w, atMs);
  return {
    id: w.id, name: w.name, mode: w.mode, startsAt: iso(w.startsAtMs), endsAt: iso(w.endsAtMs), cronExpression: w.cronExpression, rrule: w.rrule,
    durationMinutes: w.durationMinutes, timezone: w.timezone, monitorIds: w.monitorIds, tags: w.tags, allMonitors: w.allMonitors,
    active: current !== null, currentStart: iso(current?.startMs ?? null), currentEnd: iso(current?.endMs ?? null),
    nextStart: iso(nextStart(w, atMs)), createdAt: w.createdAt.toISOString(), updatedAt: w.updatedAt.toISOString(),
  };
}

/** The body with its defaults, checked: the schedule, the targets (exactly one kind), the monitors the organization's own. */
async function inputOf(ctx: WindowVerbContext, b: MaintenanceWindowBody, anchorFallbackMs: number): Promise<MaintenanceWindowInput> {
  const startsAtMs = instantParam(b.startsAt ?? undefined, 'startsAt') ?? null;
  const input: MaintenanceWindowInput = {
    name: b.name, mode: b.mode, startsAtMs, endsAtMs: instantParam(b.endsAt ?? undefined, 'endsAt') ?? null,
    cronExpression: b.cronExpression ?? null, rrule: b.rrule ?? null, durationMinutes: b.durationMinutes ?? null, timezone: b.timezone ?? 'UTC',
    anchorMs: startsAtMs ?? anchorFallbackMs, monitorIds: b.monitorIds ?? null, tags: b.tags ?? [], allMonitors: b.allMonitors ?? false,
  };
  const problems: FieldError[] = scheduleProblems(input, now(ctx));
  const kinds = [input.monitorIds !== null, input.tags.length > 0, input.allMonitors].filter(Boolean).length;
  if (kinds !== 1) problems.push({ field: '/monitorIds', message: 'give exactly one of monitorIds, tags or allMonitors: true' });
  if (input.monitorIds?.length) {
    const { rows } = await ctx.deps.sql.query<{ id: string }>(`SELECT id FROM monitors WHERE org_id = $1 AND id = ANY($2::text[])`, [ctx.principal.orgId, input.monitorIds]);
    const found = new Set(rows.map((r) => r.id));
    input.monitorIds.forEach((id, i) => { if (!found.has(id)) problems.push({ field: `/monitorIds/${i}`, message: `monitor ${id} not found` }); });
  }
  if (problems.length) throw validationError(problems.map((p) => `${p.field.slice(1)} ${p.message}`).join('; '), problems);
  return input;
}

async function mustGet(ctx: WindowVerbContext, id: string): Promise<MaintenanceWindow> {
  const w = await ctx.windows.get(ctx.principal.orgId, id);
  if (!w) throw notFound(`maintenance window ${id}`);
  return w;
}

export async function createMaintenanceWindow({ ctx, input }: { ctx: WindowVerbContext; input: MaintenanceWindowBody }) {
  const window = await inputOf(ctx, input, now(ctx));
  await ctx.deps.quotas.assertCanAddMaintenanceWindow(ctx.principal.orgId);
  const t = now(ctx);
  // The window and its announcement to status page subscribers commit together.
  const created = await ctx.deps.sql.transaction(async (tx) => {
    const w = await ctx.windows.create(ctx.principal.orgId, window, tx);
    await announceMaintenance(tx, new AlertOutbox(), w, ctx.principal.orgId, t);
    return w;
  });
  return present(created, t);
}

export async function listMaintenanceWindows({ ctx, input }: { ctx: WindowVerbContext; input: ListMaintenanceWindowsQuery }) {
  const { items, totalCount } = await ctx.windows.list(ctx.principal.orgId, input.limit, input.offset);
  return { items: items.map((w) => present(w, now(ctx))), totalCount };
}

export async function getMaintenanceWindow({ ctx, input }: { ctx: WindowVerbContext; input: { id: string } }) {
  return present(await mustGet(ctx, input.id), now(ctx));
}

export async function replaceMaintenanceWindow({ ctx, input }: { ctx: WindowVerbContext; input: { id: string; body: MaintenanceWindowBody } }) {
  const existing = await mustGet(ctx, input.id);
  const w = await ctx.windows.replace(ctx.principal.orgId, input.id, await inputOf(ctx, input.body, existing.createdAt.getTime()));
  if (!w) throw notFound(`maintenance window ${input.id}`);
  return present(w, now(ctx));
}

export async function deleteMaintenanceWindow({ ctx, input }: { ctx: WindowVerbContext; input: { id: string } }) {
  if (!(await ctx.windows.delete(ctx.principal.orgId, input.id))) throw notFound(`maintenance window ${input.id}`);
}

/** Deploy scripts: maintenance from now, for the given minutes (default the window's own length). */
export async function startMaintenanceNow({ ctx, input }: { ctx: WindowVerbContext; input: { id: string; durationMinutes?: number } }) {
  const w = await mustGet(ctx, input.id);
  const t = now(ctx);
  const minutes = input.durationMinutes ?? w.durationMinutes ?? DEFAULT_START_NOW_MINUTES;
  return present((await ctx.windows.startNow(ctx.principal.orgId, w.id, t, t + minutes * MINUTE_MS))!, t);
}

/** Ends the occurrence in force now; a window that is not on is a 409. */
export async function endMaintenanceNow({ ctx, input }: { ctx: WindowVerbContext; input: { id: string } }) {
  const w = await mustGet(ctx, input.id);
  const t = now(ctx);
  if (!activeOccurrence(w, t)) throw new DomainError('CONFLICT', 'Conflict', `maintenance window ${w.id} is not in force`);
  return present((await ctx.windows.endNow(ctx.principal.orgId, w.id, t))!, t);
}
