/**
 * Targets from an uploaded CSV (csv-parse): the first column of each row is a target; a first
 * row whose first cell names the column (email, target, phone, …) is a header. Every bad row
 * is reported by its line number, and nothing is stored unless every row is good.
 */
import { parse } from 'csv-parse/sync';
import { validationError } from '../lib/errors.js';
import type { EntityType } from './model.js';
import { normaliseTargets } from './targets.js';

const HEADER_NAMES = new Set(['email', 'emails', 'email_address', 'target', 'targets', 'value', 'phone', 'phone_number', 'domain', 'ip', 'ip_address', 'company', 'name', 'term', 'query']);

export function targetsFromCsv(type: EntityType, text: string): string[] {
  if (text.includes('\u0000')) throw validationError('the CSV holds a NUL character', [{ field: 'body', message: 'must not contain NUL characters' }]);
  let rows: Array<{ record: string[]; info: { lines: number } }>;
  try {
    rows = parse(text, { info: true, relax_column_count: true, skip_empty_lines: true, trim: true, bom: true }) as unknown as typeof rows;
  } catch (err) {
    const e = err as { message: string; lines?: number };
    throw validationError('the CSV cannot be parsed', [{ field: `line ${e.lines ?? 1}`, message: e.message.replace(/^Invalid [^:]*:\s*/, '') }]);
  }
  if (rows.length > 0 && HEADER_NAMES.has((rows[0].record[0] ?? '').toLowerCase())) rows = rows.slice(1);
  const values: string[] = [];
  const lines: number[] = [];
  const empty: number[] = [];
  for (const row of rows) {
    const cell = row.record[0] ?? '';
    if (cell === '') { empty.push(row.info.lines); continue; }
    values.push(cell);
    lines.push(row.info.lines);
  }
  if (empty.length > 0) throw validationError('rows without a target', empty.map((l) => ({ field: `line ${l}`, message: 'has no target in the first column' })));
  if (values.length === 0) throw validationError('the CSV holds no targets', [{ field: 'body', message: 'has no rows with a target' }]);
  return normaliseTargets(type, values, (i) => (i < 0 ? 'body' : `line ${lines[i]}`));
}
