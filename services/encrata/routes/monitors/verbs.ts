/**
 * The Encrata monitor verbs. The api only stores what was asked for and, for "run now",
 * flags the monitor; enrichment runs on the encrata workers (services/encrata/worker.ts),
 * never inside a request.
 */
import { DomainError, notFound, validationError, type FieldError } from '../../../lib/errors.js';
import { OrganizationStore } from '../../../lib/tenancy/organizations.js';
import { effectiveLimits, planLimitExceeded } from '../../../lib/tenancy/plans.js';
import type { VerbContext } from '../../../api/context.js';
import { DEFAULT_TRACKED_FIELDS, MAX_TARGETS, nextRunAfter, type DataSourceType, type EntityType } from '../../model.js';
import type { EntityMonitor, EntityMonitorStore, TargetChange } from '../../store.js';
import { normaliseTargets } from '../../targets.js';
import { targetsFromCsv } from '../../csv-targets.js';
import { RunStore } from '../../runs.js';
import type { CreateMonitorBody, ListMonitorsQuery, UpdateMonitorBody } from './schema.js';

export interface EncrataContext extends VerbContext { store: EntityMonitorStore }

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const nowOf = (ctx: VerbContext) => ctx.deps.now?.() ?? Date.now();

export const presentMonitor = (m: EntityMonitor) => ({
  id: m.id,
  name: m.name,
  monitor_type: m.monitorType,
  frequency: m.frequency,
  change_detection: m.changeDetection,
  status: m.status,
  tracked_fields: m.trackedFields,
  target_count: m.targetCount,
  next_run_at: iso(m.nextRunAtMs)!,
  created_at: iso(m.createdAtMs)!,
  data_source_type: m.dataSourceType,
  data_source_ref: m.dataSourceRef,
  last_run_at: iso(m.lastRunAtMs),
  updated_at: iso(m.updatedAtMs)!,
});

export const presentChange = (c: TargetChange) => ({ id: c.id, run_id: c.runId, target: c.target, changes: c.changes, created_at: iso(c.createdAtMs)! });

async function mustGet(ctx: EncrataContext, id: string): Promise<EntityMonitor> {
  const m = await ctx.store.get(ctx.principal.orgId, id);
  if (!m) throw notFound(`monitor ${id}`);
  return m;
}

/**
 * Entity monitors count against the plan's monitor limit together with the organization's
 * uptime monitors (docs/decisions.md "Encrata monitors and plan limits").
 */
async function assertCanAddEntityMonitor(ctx: EncrataContext): Promise<void> {
  const org = await new OrganizationStore(ctx.deps.sql).get(ctx.principal.orgId);
  if (!org) throw notFound('organization');
  const { monitors } = effectiveLimits(org.plan, org.addons);
  if (monitors === null) return;
  const { rows } = await ctx.deps.sql.query<{ n: string }>(
    `SELECT (SELECT count(*) FROM monitors WHERE org_id = $1) + (SELECT count(*) FROM encrata_monitors WHERE org_id = $1) AS n`, [ctx.principal.orgId]);
  if (Number(rows[0].n) >= monitors) throw planLimitExceeded(org.plan, 'monitors', monitors);
}

/** The sections (first pointer segments) a type's record has. */
const sectionsOf = (type: EntityType) => new Set(DEFAULT_TRACKED_FIELDS[type].map((p) => p.split('/')[1]));

function checkTrackedFields(type: EntityType, fields: readonly string[] | undefined, details: FieldError[]): void {
  const sections = sectionsOf(type);
  fields?.forEach((f, i) => {
    if (!sections.has(f.split('/')[1])) details.push({ field: `/tracked_fields/${i}`, message: `is not a field of a ${type} record (top-level fields: ${[...sections].join(', ')})` });
  });
}

interface SourceInput { emails?: string[]; targets?: string[]; data_source_type?: DataSourceType; data_source_ref?: string }

/**
 * Where a monitor's targets come from, checked: inline targets for csv (emails for an email
 * monitor, targets otherwise), a contact list of the same organization and entry type for
 * list. Throws one 400 with every problem.
 */
async function resolveSource(ctx: EncrataContext, type: EntityType, source: DataSourceType, input: SourceInput, creating: boolean): Promise<{ targets?: string[]; listId: string | null }> {
  const details: FieldError[] = [];
  const field = type === 'email' ? 'emails' : 'targets';
  const other = type === 'email' ? 'targets' : 'emails';
  if (input[other] !== undefined) details.push({ field: `/${other}`, message: type === 'email' ? 'is for other monitor types; an email monitor takes emails' : `is only for email monitors; a ${type} monitor takes targets` });
  if (source === 'list') {
    if (input[field] !== undefined) details.push({ field: `/${field}`, message: 'must be absent when data_source_type is list (the targets are the contact list\'s entries)' });
    if (input.data_source_ref === undefined) {
      details.push({ field: '/data_source_ref', message: 'is required when data_source_type is list' });
    } else {
      const list = await ctx.store.getList(ctx.principal.orgId, input.data_source_ref);
      if (!list) details.push({ field: '/data_source_ref', message: 'names no contact list of this organization' });
      else if (list.entryType !== type) details.push({ field: '/data_source_ref', message: `is a list of ${list.entryType} entries; this monitor's type is ${type}` });
    }
    if (details.length) throw validationError(details.map((d) => `${d.field} ${d.message}`).join('; '), details);
    return { listId: input.data_source_ref!, targets: [] };
  }
  if (input.data_source_ref !== undefined) details.push({ field: '/data_source_ref', message: 'is only for data_source_type list' });
  const given = input[field];
  if (given === undefined && creating) details.push({ field: `/${field}`, message: `is required when monitor_type is ${type}` });
  else if (given !== undefined && given.length === 0) details.push({ field: `/${field}`, message: 'must list at least one target' });
  if (details.length) throw validationError(details.map((d) => `${d.field} ${d.message}`).join('; '), details);
  return { listId: null, targets: given === undefined ? undefined : normaliseTargets(type, given, (i) => (i < 0 ? `/${field}` : `/${field}/${i}`)) };
}

export async function createMonitor({ ctx, input }: { ctx: EncrataContext; input: CreateMonitorBody }) {
  const type = input.monitor_type ?? 'email';
  const source = input.data_source_type ?? 'csv';
  const details: FieldError[] = [];
  checkTrackedFields(type, input.tracked_fields, details);
  if (details.length) throw validationError(details.map((d) => `${d.field} ${d.message}`).join('; '), details);
  const { targets, listId } = await resolveSource(ctx, type, source, input, true);
  await assertCanAddEntityMonitor(ctx);
  const now = nowOf(ctx);
  const frequency = input.frequency ?? 'monthly';
  // The baseline run is requested at creation; next_run_at is the first scheduled run after it.
  const m = await ctx.store.create(ctx.principal.orgId, {
    name: input.name.trim(), monitorType: type, frequency, changeDetection: input.change_detection ?? 'diff_only',
    trackedFields: input.tracked_fields ?? [], dataSourceType: source, dataSourceRef: listId, targets: targets ?? [],
  }, now, nextRunAfter(frequency, now));
  return presentMonitor(m);
}

export async function listMonitors({ ctx, input }: { ctx: EncrataContext; input: ListMonitorsQuery }) {
  const { items, totalCount } = await ctx.store.list(ctx.principal.orgId, { monitorType: input.monitor_type, status: input.status }, input.limit, input.offset);
  return { items: items.map(presentMonitor), total_count: totalCount };
}

export async function getMonitor({ ctx, input }: { ctx: EncrataContext; input: { id: string } }) {
  return presentMonitor(await mustGet(ctx, input.id));
}

export async function updateMonitor({ ctx, input }: { ctx: EncrataContext; input: UpdateMonitorBody & { id: string } }) {
  const m = await mustGet(ctx, input.id);
  const details: FieldError[] = [];
  checkTrackedFields(m.monitorType, input.tracked_fields, details);
  if (details.length) throw validationError(details.map((d) => `${d.field} ${d.message}`).join('; '), details);
  const source = input.data_source_type ?? m.dataSourceType;
  const sourceChanged = input.data_source_type !== undefined || input.data_source_ref !== undefined || input.emails !== undefined || input.targets !== undefined;
  let patchSource: { dataSourceType?: DataSourceType; dataSourceRef?: string | null; targets?: string[] } = {};
  if (sourceChanged) {
    const switching = source !== m.dataSourceType;
    const { targets, listId } = await resolveSource(ctx, m.monitorType, source, {
      emails: input.emails, targets: input.targets, data_source_type: source,
      data_source_ref: input.data_source_ref ?? (source === 'list' && !switching ? m.dataSourceRef ?? undefined : undefined),
    }, switching);
    patchSource = { dataSourceType: source, dataSourceRef: listId, ...(targets ? { targets } : {}) };
  }
  const now = nowOf(ctx);
  const frequency = input.frequency;
  const nextRunAtMs = frequency && frequency !== m.frequency ? Math.max(now, nextRunAfter(frequency, m.lastRunAtMs ?? m.createdAtMs)) : undefined;
  const updated = await ctx.store.update(ctx.principal.orgId, m.id, {
    name: input.name?.trim(), frequency, changeDetection: input.change_detection, trackedFields: input.tracked_fields, nextRunAtMs, ...patchSource,
  }, now);
  if (!updated) throw notFound(`monitor ${input.id}`);
  return presentMonitor(updated);
}

export async function deleteMonitor({ ctx, input }: { ctx: EncrataContext; input: { id: string } }) {
  if (!(await ctx.store.delete(ctx.principal.orgId, input.id))) throw notFound(`monitor ${input.id}`);
}

export async function pauseMonitor({ ctx, input }: { ctx: EncrataContext; input: { id: string } }) {
  const m = await ctx.store.setStatus(ctx.principal.orgId, input.id, 'paused', nowOf(ctx));
  if (!m) throw notFound(`monitor ${input.id}`);
  return presentMonitor(m);
}

/** A resumed monitor whose run fell due while paused runs at the next scan, not a whole period late. */
export async function resumeMonitor({ ctx, input }: { ctx: EncrataContext; input: { id: string } }) {
  const m = await ctx.store.setStatus(ctx.principal.orgId, input.id, 'active', nowOf(ctx));
  if (!m) throw notFound(`monitor ${input.id}`);
  return presentMonitor(m);
}

export async function runMonitorNow({ ctx, input }: { ctx: EncrataContext; input: { id: string } }) {
  const m = await mustGet(ctx, input.id);
  if (m.status === 'paused') throw new DomainError('CONFLICT', 'Conflict', 'the monitor is paused; resume it first');
  return presentMonitor((await ctx.store.requestRun(ctx.principal.orgId, m.id, nowOf(ctx)))!);
}

export async function uploadTargetsCsv({ ctx, input }: { ctx: EncrataContext; input: { id: string; csv: string; mode: 'replace' | 'append' } }) {
  const m = await mustGet(ctx, input.id);
  if (m.dataSourceType !== 'csv') throw validationError('this monitor reads a contact list', [{ field: 'data_source_type', message: 'is list: upload the CSV to its contact list instead' }]);
  const parsed = targetsFromCsv(m.monitorType, input.csv);
  let targets = parsed;
  if (input.mode === 'append') {
    const existing = await ctx.store.targetsOf(m);
    const have = new Set(existing);
    targets = [...existing, ...parsed.filter((t) => !have.has(t))];
    if (targets.length > MAX_TARGETS) throw validationError('too many targets', [{ field: 'body', message: `the monitor would hold ${targets.length} targets; at most ${MAX_TARGETS}` }]);
  }
  return presentMonitor((await ctx.store.update(ctx.principal.orgId, m.id, { targets }, nowOf(ctx)))!);
}

export async function listTargets({ ctx, input }: { ctx: EncrataContext; input: { id: string; limit: number; offset: number } }) {
  const m = await mustGet(ctx, input.id);
  const all = await ctx.store.targetsOf(m);
  const page = all.slice(input.offset, input.offset + input.limit);
  const snapshots = await ctx.store.snapshots(m.id, page);
  const pins = m.monitorType === 'company' ? await ctx.store.pins(m.id) : new Map<string, string>();
  return {
    items: page.map((t) => {
      const s = snapshots.get(t);
      return { target: t, pinned_id: pins.get(t) ?? null, enriched_at: iso(s?.enrichedAtMs ?? null), changed_at: iso(s?.changedAtMs ?? null), inconclusive: s?.inconclusive ?? [] };
    }),
    total_count: all.length,
  };
}

async function mustGetTarget(ctx: EncrataContext, m: EntityMonitor, target: string): Promise<string> {
  const all = await ctx.store.targetsOf(m);
  if (all.includes(target)) return target;
  // A target may be named as typed (e.g. a mixed-case email): match its normal form too.
  try {
    const [normal] = normaliseTargets(m.monitorType, [target], () => 'target');
    if (all.includes(normal)) return normal;
  } catch { /* not a valid target: not found */ }
  throw notFound(`target ${target}`);
}

export async function getTargetRecord({ ctx, input }: { ctx: EncrataContext; input: { id: string; target: string } }) {
  const m = await mustGet(ctx, input.id);
  const target = await mustGetTarget(ctx, m, input.target);
  const s = (await ctx.store.snapshots(m.id, [target])).get(target);
  const pins = m.monitorType === 'company' ? await ctx.store.pins(m.id) : new Map<string, string>();
  return {
    target, pinned_id: pins.get(target) ?? null, enriched_at: iso(s?.enrichedAtMs ?? null), changed_at: iso(s?.changedAtMs ?? null),
    inconclusive: s?.inconclusive ?? [], record: s?.record ?? null, hash: s?.hash ?? null,
  };
}

export async function listTargetChanges({ ctx, input }: { ctx: EncrataContext; input: { id: string; target: string; limit: number; offset: number } }) {
  const m = await mustGet(ctx, input.id);
  const target = await mustGetTarget(ctx, m, input.target);
  const { items, totalCount } = await ctx.store.changes(m.id, target, input.limit, input.offset);
  return { items: items.map(presentChange), total_count: totalCount };
}

export async function listMonitorChanges({ ctx, input }: { ctx: EncrataContext; input: { id: string; limit: number; offset: number } }) {
  const m = await mustGet(ctx, input.id);
  const { items, totalCount } = await ctx.store.changes(m.id, null, input.limit, input.offset);
  return { items: items.map(presentChange), total_count: totalCount };
}

export async function listRuns({ ctx, input }: { ctx: EncrataContext; input: { id: string; limit: number; offset: number } }) {
  const m = await mustGet(ctx, input.id);
  return new RunStore(ctx.deps.sql).list(m.id, input.limit, input.offset);
}

export async function pinTarget({ ctx, input }: { ctx: EncrataContext; input: { id: string; target: string; entity_id: string | null } }) {
  const m = await mustGet(ctx, input.id);
  if (m.monitorType !== 'company') throw validationError('only company monitors pin an entity', [{ field: 'monitor_type', message: `is ${m.monitorType}; pinning is for company monitors` }]);
  if (m.dataSourceType !== 'csv') throw validationError('pins are kept with a monitor\'s own targets', [{ field: 'data_source_type', message: 'is list; pinning needs the monitor\'s own targets' }]);
  const target = await mustGetTarget(ctx, m, input.target);
  await ctx.store.pin(m.id, target, input.entity_id);
  return getTargetRecord({ ctx, input: { id: m.id, target } });
}
