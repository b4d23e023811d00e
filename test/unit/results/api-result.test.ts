/**
 * The api's result presenter and schema are hand-written (clients read their nested shape);
 * this fails when a stored field has no place in them, or they show something no stored
 * field feeds, or the presenter's output and the schema disagree.
 */
import { describe, expect, it } from 'vitest';
import { isDeepStrictEqual } from 'node:util';
import { Value } from 'typebox/value';
import { presentResult } from '../../../services/api/routes/monitors/result-presenter.js';
import { CheckResultResponse } from '../../../services/api/routes/monitors/result-schema.js';
import { NO_DETAILS, type StoredResult } from '../../../services/lib/results/types.js';
import { RESULT_FIELDS, RESULT_STATUSES } from '../../../services/lib/results/columns.js';
import { changed, fullStoredResult, getPath } from '../../support/result-samples.js';

/** Stored fields the api does not show, and why. */
const NOT_PRESENTED: Partial<Record<keyof StoredResult, string>> = {
  jobId: 'equals the result id for scheduled checks',
  orgId: 'the caller\'s own organization',
  monitorId: 'in the request path',
  agentId: 'an operator detail, not a client one',
  type: 'the monitor\'s type, shown with the monitor',
  scheduledAtMs: 'checkedAt is when the check ran',
  retentionDays: 'the plan\'s, not the result\'s',
};

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const json = (r: StoredResult): Json => JSON.parse(JSON.stringify(presentResult(r)));

/** Leaf paths of a presented result; array elements are one leaf each (`assertions.0.source`). */
function leaves(v: Json, prefix = ''): string[] {
  if (v === null || typeof v !== 'object') return [prefix];
  if (Array.isArray(v) && v.every((e) => e === null || typeof e !== 'object')) return [prefix];
  return Object.entries(v).flatMap(([k, x]) => leaves(x as Json, prefix ? `${prefix}.${k}` : k));
}

interface Schema { type?: string; properties?: Record<string, Schema>; items?: Schema; anyOf?: Schema[] }

/** Keys the value has that its schema does not name, or the reverse (TypeBox objects allow extras). */
function keyMismatches(schema: Schema, v: Json, at = '$'): string[] {
  if (v === null) return [];
  const object = schema.anyOf?.find((s) => s.type === 'object' || s.type === 'array') ?? schema;
  if (Array.isArray(v)) return object.items ? v.flatMap((e, i) => keyMismatches(object.items!, e, `${at}[${i}]`)) : [];
  if (typeof v !== 'object' || !object.properties) return [];
  const names = Object.keys(object.properties);
  return [
    ...names.filter((n) => !(n in v)).map((n) => `${at}.${n} missing from the presenter`),
    ...Object.keys(v).filter((k) => !names.includes(k)).map((k) => `${at}.${k} missing from the schema`),
    ...names.filter((n) => n in v).flatMap((n) => keyMismatches(object.properties![n], v[n], `${at}.${n}`)),
  ];
}

describe('the api\'s check result', () => {
  const full = fullStoredResult();
  const shown = json(full);

  it('matches its schema with every part present', () => {
    for (const part of ['error', 'tls', 'ping', 'dns', 'domain']) expect((shown as Record<string, Json>)[part], part).not.toBeNull();
    expect([...Value.Errors(CheckResultResponse, shown)]).toEqual([]);
    expect(keyMismatches(CheckResultResponse as Schema, shown)).toEqual([]);
  });

  it('matches its schema when the check type records no details', () => {
    const bare = json({ ...full, ...NO_DETAILS, errorKind: '', tlsNotAfterMs: 0, statusCode: 0 });
    expect(bare).toMatchObject({ error: null, tls: null, ping: null, dns: null, domain: null, statusCode: null, assertions: [] });
    expect([...Value.Errors(CheckResultResponse, bare)]).toEqual([]);
  });

  const keys = Object.keys(RESULT_FIELDS) as Array<keyof StoredResult>;
  const shownBy = new Map<keyof StoredResult, string[]>(keys.map((key) => {
    const other = json({ ...full, [key]: changed(full[key]) });
    return [key, leaves(shown).filter((leaf) => !isDeepStrictEqual(getPath(shown, leaf), getPath(other, leaf)))];
  }));

  it('shows every stored field, except those listed as not shown', () => {
    const hidden = keys.filter((key) => shownBy.get(key)!.length === 0);
    expect(hidden, 'show it in result-presenter.ts and result-schema.ts, or list it in NOT_PRESENTED').toEqual(Object.keys(NOT_PRESENTED));
  });

  it('shows nothing that no stored field feeds', () => {
    const fed = new Set([...shownBy.values()].flat());
    expect(leaves(shown).filter((leaf) => !fed.has(leaf))).toEqual([]);
  });

  it('shows a missed slot as status Missed with its reason, and every status has a name', () => {
    const missed = presentResult({ ...fullStoredResult(), status: 'missed', errorKind: 'scheduler_down', errorPhase: '', errorMessage: 'no scheduler held the lease' });
    expect(missed).toMatchObject({ status: 'Missed', error: { kind: 'scheduler_down', message: 'no scheduler held the lease' } });
    for (const status of RESULT_STATUSES) expect(presentResult({ ...fullStoredResult(), status }).status).toMatch(/^[A-Z][a-z]+$/);
  });
});

