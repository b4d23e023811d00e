/**
 * Change detection (docs/encrata.md): a target's record in canonical form (object keys
 * sorted, every array sorted as a set, volatile fields dropped), hashed, so an unchanged
 * target is one hash comparison and no write; then the tracked fields (JSON Pointers)
 * compared with microdiff.
 */
import { createHash } from 'node:crypto';
import diff from 'microdiff';
import type { EntityType } from './model.js';
import { DEFAULT_TRACKED_FIELDS } from './model.js';
import type { FieldChange } from './store.js';

/** Fields that move by themselves and say nothing about the entity; dropped before hashing. */
export const VOLATILE_FIELDS: { readonly [T in EntityType]: readonly string[] } = {
  email: [], phone: [], domain: ['/dns/soa/serial', '/http/elapsed_ms'], ip: [], company: [], darkweb: [],
};

const stable = (v: unknown) => JSON.stringify(v);

export function canonicalise(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(canonicalise).map((v) => [stable(v), v] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = canonicalise(v);
    }
    return out;
  }
  return value;
}

const unescape = (token: string) => token.replace(/~1/g, '/').replace(/~0/g, '~');

/** The value at a JSON Pointer (RFC 6901), undefined when the path does not exist. */
export function valueAt(record: unknown, pointer: string): unknown {
  let node = record;
  for (const token of pointer.split('/').slice(1).map(unescape)) {
    if (node === null || typeof node !== 'object' || !(token in (node as object))) return undefined;
    node = (node as Record<string, unknown>)[token];
  }
  return node;
}

function removeAt(record: Record<string, unknown>, pointer: string): void {
  const tokens = pointer.split('/').slice(1).map(unescape);
  let node: unknown = record;
  for (const token of tokens.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return;
    node = (node as Record<string, unknown>)[token];
  }
  if (node && typeof node === 'object') delete (node as Record<string, unknown>)[tokens.at(-1)!];
}

export function canonicalRecord(type: EntityType, record: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(record);
  for (const p of VOLATILE_FIELDS[type]) removeAt(copy, p);
  return canonicalise(copy) as Record<string, unknown>;
}

export const hashRecord = (canonical: Record<string, unknown>) => createHash('sha256').update(stable(canonical)).digest('hex');

export const trackedFieldsOf = (type: EntityType, configured: readonly string[]) => (configured.length > 0 ? configured : DEFAULT_TRACKED_FIELDS[type]);

/**
 * The tracked fields whose value differs between two records, each reported once at its
 * pointer with the whole before and after values. Fields under a section the previous run
 * could not answer are skipped (their first answer is a baseline, not a change).
 */
export function changedFields(before: Record<string, unknown>, after: Record<string, unknown>, tracked: readonly string[], unansweredBefore: readonly string[] = []): FieldChange[] {
  const project = (record: Record<string, unknown>) => Object.fromEntries(tracked.map((p) => [p, valueAt(record, p)]).filter(([, v]) => v !== undefined));
  const skipped = new Set(unansweredBefore);
  const touched = new Set(diff(project(before), project(after)).map((d) => String(d.path[0])));
  return tracked.filter((p) => touched.has(p) && !skipped.has(p.split('/')[1] ?? '')).map((field) => {
    const b = valueAt(before, field);
    const a = valueAt(after, field);
    return b === undefined ? { field, kind: 'added' as const, after: a } : a === undefined ? { field, kind: 'removed' as const, before: b } : { field, kind: 'changed' as const, before: b, after: a };
  });
}
