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

/** The SELECT list that reads a row back in the shape fromRow expects. */
export const READ_COLUMNS = FIELDS.flatMap(([, field]) => field.reads).join(', ');

export function fromRow(row: Row): StoredResult {
  const out: Partial<Record<keyof StoredResult, unknown>> = {};
  for (const [key, field] of FIELDS) out[key] = field.fromRow(row);
  return out as StoredResult;
}
