/**
 * Contact lists: the targets of monitors whose data_source_type is `list`. Entries are checked
 * like a monitor's targets (by the list's entry_type); monitors read the list at each run.
 */
import { DomainError, notFound, validationError } from '../../../lib/errors.js';
import { MAX_TARGETS, type EntityType } from '../../model.js';
import type { ContactList } from '../../store.js';
import { normaliseTargets } from '../../targets.js';
import { targetsFromCsv } from '../../csv-targets.js';
import type { EncrataContext } from '../monitors/verbs.js';
import type { CreateListBody } from './schema.js';

const iso = (ms: number) => new Date(ms).toISOString();
const nowOf = (ctx: EncrataContext) => ctx.deps.now?.() ?? Date.now();
const presentList = (l: ContactList) => ({ id: l.id, name: l.name, entry_type: l.entryType, entry_count: l.entryCount, created_at: iso(l.createdAtMs), updated_at: iso(l.updatedAtMs) });

/** Most contact lists per organization. */
export const MAX_CONTACT_LISTS = 100;

async function mustGetList(ctx: EncrataContext, id: string): Promise<ContactList> {
  const list = await ctx.store.getList(ctx.principal.orgId, id);
  if (!list) throw notFound(`contact list ${id}`);
  return list;
}

function assertRoom(list: ContactList, adding: number): void {
  if (list.entryCount + adding > MAX_TARGETS) throw validationError('too many entries', [{ field: '/entries', message: `the list would hold more than ${MAX_TARGETS} entries` }]);
}

export async function createList({ ctx, input }: { ctx: EncrataContext; input: CreateListBody }) {
  const type: EntityType = input.entry_type ?? 'email';
  const entries = input.entries ? normaliseTargets(type, input.entries, (i) => (i < 0 ? '/entries' : `/entries/${i}`)) : [];
  const { totalCount } = await ctx.store.lists(ctx.principal.orgId, 1, 0);
  if (totalCount >= MAX_CONTACT_LISTS) throw new DomainError('PLAN_LIMIT_EXCEEDED', 'Contact list limit exceeded', `an organization may hold at most ${MAX_CONTACT_LISTS} contact lists`);
  return presentList(await ctx.store.createList(ctx.principal.orgId, input.name.trim(), type, entries, nowOf(ctx)));
}

export async function listLists({ ctx, input }: { ctx: EncrataContext; input: { limit: number; offset: number } }) {
  const { items, totalCount } = await ctx.store.lists(ctx.principal.orgId, input.limit, input.offset);
  return { items: items.map(presentList), total_count: totalCount };
}

export async function getList({ ctx, input }: { ctx: EncrataContext; input: { id: string } }) {
  return presentList(await mustGetList(ctx, input.id));
}

export async function renameList({ ctx, input }: { ctx: EncrataContext; input: { id: string; name: string } }) {
  const list = await ctx.store.renameList(ctx.principal.orgId, input.id, input.name.trim(), nowOf(ctx));
  if (!list) throw notFound(`contact list ${input.id}`);
  return presentList(list);
}

export async function deleteList({ ctx, input }: { ctx: EncrataContext; input: { id: string } }) {
  const outcome = await ctx.store.deleteList(ctx.principal.orgId, input.id);
  if (outcome === 'missing') throw notFound(`contact list ${input.id}`);
  if (outcome === 'in_use') throw new DomainError('CONFLICT', 'Conflict', 'a monitor reads this contact list; delete the monitor or switch its data source first');
}

export async function listEntries({ ctx, input }: { ctx: EncrataContext; input: { id: string; limit: number; offset: number } }) {
  const list = await mustGetList(ctx, input.id);
  const { items, totalCount } = await ctx.store.entries(list.id, input.limit, input.offset);
  return { items: items.map((e) => ({ value: e.value, created_at: iso(e.createdAtMs) })), total_count: totalCount };
}

export async function addEntries({ ctx, input }: { ctx: EncrataContext; input: { id: string; entries: string[] } }) {
  const list = await mustGetList(ctx, input.id);
  const entries = normaliseTargets(list.entryType, input.entries, (i) => (i < 0 ? '/entries' : `/entries/${i}`));
  assertRoom(list, entries.length);
  await ctx.store.addEntries(ctx.principal.orgId, list.id, entries, nowOf(ctx));
  return presentList((await ctx.store.getList(ctx.principal.orgId, list.id))!);
}

export async function replaceEntriesCsv({ ctx, input }: { ctx: EncrataContext; input: { id: string; csv: string; mode: 'replace' | 'append' } }) {
  const list = await mustGetList(ctx, input.id);
  const entries = targetsFromCsv(list.entryType, input.csv);
  if (input.mode === 'append') {
    assertRoom(list, entries.length);
    await ctx.store.addEntries(ctx.principal.orgId, list.id, entries, nowOf(ctx));
  } else {
    await ctx.store.replaceEntries(ctx.principal.orgId, list.id, entries, nowOf(ctx));
  }
  return presentList((await ctx.store.getList(ctx.principal.orgId, list.id))!);
}

export async function removeEntry({ ctx, input }: { ctx: EncrataContext; input: { id: string; value: string } }) {
  const list = await mustGetList(ctx, input.id);
  if (await ctx.store.removeEntry(list.id, input.value)) return;
  let normal: string | undefined;
  try { [normal] = normaliseTargets(list.entryType, [input.value], () => 'value'); } catch { /* not found below */ }
  if (!normal || !(await ctx.store.removeEntry(list.id, normal))) throw notFound(`entry ${input.value}`);
}
