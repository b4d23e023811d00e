/**
 * StoredResult ⇄ check_results_v1 row, derived from the column table (columns.ts): inserts
 * as JSONCompactEachRow values in INSERT_COLUMNS order, reads through READ_COLUMNS.
 */
import type { StoredResult } from './types.js';
import { RESULT_FIELDS, type ResultField } from './columns.js';

type Row = Record<string, unknown>;

const FIELDS = Object.entries(RESULT_FIELDS) as Array<[keyof StoredResult, ResultField<unknown>]>;

/** Column order of toCompactRow (JSONCompactEachRow inserts name their columns). */
export const INSERT_COLUMNS: readonly string[] = FIELDS.flatMap(([, field]) => field.columns.map((c) => c.name));

/** The row as values in INSERT_COLUMNS order: no keys to build, write or match. */
export function toCompactRow(r: StoredResult): unknown[] {
  const row: unknown[] = [];
  for (const [key, field] of FIELDS) field.appendCells(r[key], row);
  return row;
}

/**
 * Whether a field's value is written as its columns' type defaults, which ClickHouse fills in
 * for an omitted column (no column has a DEFAULT expression): '' and [] as themselves, 0 and
 * false as 0, a time of 0 as the 1970 epoch, no records as empty arrays.
 */
function isTypeDefault(value: unknown): boolean {
  return value === '' || value === 0 || value === false || (Array.isArray(value) && value.length === 0);
}

/**
 * Many rows in INSERT_COLUMNS order, without the columns of fields every row holds at the
 * type default: ClickHouse fills the same value in. A website check leaves most of the 53
 * columns empty (ping, DNS, domain, assertions…), so this more than halves what is built and
 * encoded here and what the engine parses. At least one column is always kept (result_id is
 * never empty), so the insert names its columns.
 */
export function toCompactRows(results: readonly StoredResult[]): { columns: string[]; rows: unknown[][] } {
  const kept = FIELDS.filter(([key]) => results.some((r) => !isTypeDefault(r[key])));
  const rows = new Array<unknown[]>(results.length);
  for (let i = 0; i < results.length; i++) {
    const r = results[i];
    const row: unknown[] = [];
    for (let f = 0; f < kept.length; f++) kept[f][1].appendCells(r[kept[f][0]], row);
    rows[i] = row;
  }
  return { columns: kept.flatMap(([, field]) => field.columns.map((c) => c.name)), rows };
}

/** The SELECT list that reads a row back in the shape fromRow expects. */
export const READ_COLUMNS = FIELDS.flatMap(([, field]) => field.reads).join(', ');

export function fromRow(row: Row): StoredResult {
  const out: Partial<Record<keyof StoredResult, unknown>> = {};
  for (const [key, field] of FIELDS) out[key] = field.fromRow(row);
  return out as StoredResult;
}
