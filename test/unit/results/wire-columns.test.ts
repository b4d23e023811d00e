/**
 * Every field of the wire CheckResult is stored in a column of check_results_v1, or listed
 * in WIRE_NOT_STORED with a reason; and ingest really carries each one into its column.
 */
import { describe, expect, it } from 'vitest';
import { isDeepStrictEqual } from 'node:util';
import { RESULT_FIELDS, WIRE_NOT_STORED } from '../../../services/lib/results/columns.js';
import { toStoredResult } from '../../../services/ingest/to-stored-result.js';
import { SAMPLE_REGION, changedWire, fullCheckResult, withPath, wireLeaves } from '../../support/result-samples.js';

const carried = new Map<string, string>(
  Object.entries(RESULT_FIELDS).flatMap(([key, field]) => field.wireLeaves.map((leaf) => [leaf, key] as const)));

describe('CheckResult → columns', () => {
  it('stores every CheckResult field, or says why not', () => {
    const unaccounted = wireLeaves().filter((leaf) => !carried.has(leaf) && !(leaf in WIRE_NOT_STORED));
    expect(unaccounted, 'add a column (services/lib/results/columns.ts) or a WIRE_NOT_STORED reason').toEqual([]);
  });

  it('names only CheckResult fields that exist, each once', () => {
    const leaves = new Set(wireLeaves());
    expect([...carried.keys()].filter((leaf) => !leaves.has(leaf))).toEqual([]);
    expect(Object.keys(WIRE_NOT_STORED).filter((leaf) => !leaves.has(leaf) || carried.has(leaf))).toEqual([]);
    const declared = Object.values(RESULT_FIELDS).flatMap((f) => f.wireLeaves);
    expect(declared.length).toBe(new Set(declared).size);
  });

  it('carries each stored CheckResult field into its own property, and nothing from the others', () => {
    const base = toStoredResult(fullCheckResult(), SAMPLE_REGION, 45);
    for (const leaf of wireLeaves()) {
      const after = toStoredResult(withPath(fullCheckResult(), leaf, changedWire(leaf)), SAMPLE_REGION, 45);
      const differing = Object.keys(base).filter((k) => !isDeepStrictEqual(base[k as keyof typeof base], after[k as keyof typeof after]));
      expect(differing, `changing CheckResult.${leaf}`).toEqual(carried.has(leaf) ? [carried.get(leaf)] : []);
    }
  });

  it('fills what the agent did not send with the empty values, and region and retention from ingest', () => {
    const stored = toStoredResult({ ...fullCheckResult(), tls: undefined, ping: undefined, dns: undefined, domain: undefined, timings: undefined, assertions: [] }, 'eu', 7);
    for (const [key, field] of Object.entries(RESULT_FIELDS)) {
      if (field.wire !== 'ingest' && /^(tls|ping|dns|domain|timings|assertions)\b/.test(field.wire)) {
        expect(stored[key as keyof typeof stored], key).toEqual(field.empty);
      }
    }
    expect(stored).toMatchObject({ region: 'eu', retentionDays: 7 });
  });
});
