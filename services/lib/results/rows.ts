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

/** A DateTime64 column's default (what `time` writes for 0, "none"). */
const EPOCH_CELL = '1970-01-01 00:00:00.000';

/** Whether a cell is what ClickHouse fills in for an omitted column of its type (no column has a DEFAULT expression). */
function isTypeDefault(cell: unknown): boolean {
  return cell === '' || cell === 0 || cell === EPOCH_CELL || (Array.isArray(cell) && cell.length === 0);
}

/**
 * Many rows' JSONCompactEachRow lines and the columns they name: a column that every row
 * holds at its type's default is left out, and ClickHouse fills the same value in. A
 * website check leaves most of the 53 columns empty (ping, DNS, domain, assertions…), so
 * this roughly halves what is encoded and what the engine parses. At least one column is
 * always kept (result_id is never empty), so the insert names its columns.
 */
export function toCompactRows(results: readonly StoredResult[]): { columns: string[]; rows: unknown[][] } {
  const rows = results.map(toCompactRow);
  const keep: number[] = [];
  for (let c = 0; c < INSERT_COLUMNS.length; c++) {
    for (const row of rows) {
      if (!isTypeDefault(row[c])) {
        keep.push(c);
        break;
      }
    }
  }
  if (keep.length === INSERT_COLUMNS.length) return { columns: [...INSERT_COLUMNS], rows };
  const out = new Array<unknown[]>(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    const cells = new Array<unknown>(keep.length);
    for (let k = 0; k < keep.length; k++) cells[k] = row[keep[k]];
    out[r] = cells;
  }
  return { columns: keep.map((c) => INSERT_COLUMNS[c]), rows: out };
}

/** The SELECT list that reads a row back in the shape fromRow expects. */
export const READ_COLUMNS = FIELDS.flatMap(([, field]) => field.reads).join(', ');

export function fromRow(row: Row): StoredResult {
  const out: Partial<Record<keyof StoredResult, unknown>> = {};
  for (const [key, field] of FIELDS) out[key] = field.fromRow(row);
  return out as StoredResult;
}
