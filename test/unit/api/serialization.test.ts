/**
 * Responses serialised with nullable fields as type lists (services/api/plugins/serialization.ts):
 * the same bytes as fast-json-stringify gives for the schemas as written, for every nullable
 * field of a monitor both null and set, and only `anyOf: [T, null]` of one plain type changes.
 */
import { describe, expect, it } from 'vitest';
import fastJson from 'fast-json-stringify';
import { nullablesAsTypeLists } from '../../../services/api/plugins/serialization.js';
import { MonitorList, MonitorResponse } from '../../../services/api/routes/monitors/schema.js';
import { monitorDefaults } from '../../../services/lib/monitors/model.js';

type Schema = Record<string, any>;
const NULLABLE = (s: Schema) => Array.isArray(s.anyOf) && s.anyOf.length === 2 && s.anyOf.some((b: Schema) => b.type === 'null');

/** A value of a nullable field's other branch. */
function sampleOf(s: Schema): unknown {
  const t = s.anyOf.find((b: Schema) => b.type !== 'null');
  if (t.enum) return t.enum[0];
  if (t.const !== undefined) return t.const;
  switch (t.type) {
    case 'string': return t.format === 'date-time' ? '2026-12-03T10:00:00.000Z' : 'text "quoted" \u2028 <b>';
    case 'integer': return t.minimum ?? 7;
    case 'number': return t.minimum ?? 2.5;
    case 'boolean': return true;
    case 'array': return [];
    case 'object': return {};
    default: throw new Error(`no sample for ${JSON.stringify(t)}`);
  }
}

describe('nullable fields serialised as type lists', () => {
  const properties = (MonitorResponse as unknown as Schema).properties as Record<string, Schema>;
  const nullables = Object.entries(properties).filter(([, s]) => NULLABLE(s)).map(([k]) => k);
  const base = {
    ...monitorDefaults(['UsEast']), id: 'mon_1', name: 'api', type: 'Website', url: 'https://example.test/', pingToken: null, pingUrl: null,
    status: 'Up', unknownRegions: [], maintenanceWindowId: null, uptimePercentage: 99.5, lastCheckedAt: null,
    createdAt: '2026-12-01T00:00:00.000Z', updatedAt: '2026-12-02T00:00:00.000Z',
  };
  const allSet = { ...base, ...Object.fromEntries(nullables.map((k) => [k, sampleOf(properties[k])])) };
  const allNull = { ...base, ...Object.fromEntries(nullables.map((k) => [k, null])) };
  const doc = { items: [allSet, allNull], totalCount: 2 };

  it('writes the same bytes as the schema as written, for a monitor with every nullable field set and one with all null', () => {
    expect(nullables.length).toBeGreaterThan(10);
    const asWritten = fastJson(MonitorList as never);
    const asTypeLists = fastJson(nullablesAsTypeLists(MonitorList) as never);
    expect(asTypeLists(doc)).toBe(asWritten(doc));
    expect(JSON.parse(asTypeLists(doc))).toEqual(JSON.parse(JSON.stringify(doc)));
  });

  it('leaves no nullable of one plain type as anyOf, and leaves other anyOfs and the schema given alone', () => {
    const before = JSON.stringify(MonitorResponse);
    const out = nullablesAsTypeLists(MonitorResponse) as Schema;
    expect(JSON.stringify(MonitorResponse), 'the input is not changed').toBe(before);
    for (const k of nullables) {
      expect(out.properties[k].anyOf, k).toBeUndefined();
      expect(out.properties[k].type, k).toContain('null');
    }
    const twoTypes = { anyOf: [{ type: 'string' }, { type: 'integer' }] };
    expect(nullablesAsTypeLists(twoTypes)).toEqual(twoTypes);
    const reference = { anyOf: [{ $ref: 'Thing#' }, { type: 'null' }] };
    expect(nullablesAsTypeLists(reference)).toEqual(reference);
    expect(nullablesAsTypeLists({ description: 'when', anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }] }))
      .toEqual({ description: 'when', type: ['string', 'null'], format: 'date-time' });
  });
});
