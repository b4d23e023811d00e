import { randomBytes } from 'node:crypto';
import { monotonicFactory } from 'ulid';

/** IDs carry a type prefix (DESIGN.md §5): mon_…, key_…, org_…, agt_… */
export type IdPrefix = 'mon' | 'key' | 'org' | 'agt' | 'job' | 'team' | 'mem' | 'png' | 'inc' | 'ch' | 'evt' | 'alr' | 'rule' | 'upd' | 'esc' | 'mw' | 'rpt' | 'sp' | 'sub';

/**
 * Monotonic within the process: ids made in the same millisecond still sort in the order they
 * were made, so rows ordered by (time, id) — two alert events of one status change — list in
 * the order they were decided.
 */
const ulid = monotonicFactory();

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${ulid().toLowerCase()}`;
}

/** A 256-bit secret, base64url, with a readable prefix so leaked keys are recognisable. */
export function newSecret(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}
