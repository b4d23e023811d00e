/**
 * The column table against what existing data directories already hold: a shipped column
 * keeps its name and type (an in-place change would not reach existing tables, whose
 * upgrade is only ADD COLUMN IF NOT EXISTS), and the derived statements and rows agree with
 * the table.
 */
import { describe, expect, it } from 'vitest';
import { isDeepStrictEqual } from 'node:util';
import { ADDED_FIELDS, FIRST_RELEASE_FIELDS, INGESTED_AT, RESULT_FIELDS } from '../../../services/lib/results/columns.js';
import { schemaStatements } from '../../../services/lib/results/schema.js';
import { INSERT_COLUMNS, READ_COLUMNS, toCompactRow, toCompactRows } from '../../../services/lib/results/rows.js';
import type { StoredResult } from '../../../services/lib/results/types.js';
import { changed, fullStoredResult } from '../../support/result-samples.js';

const DT = "DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1))";
const TIMING = 'Float64 CODEC(Gorilla, ZSTD(1))';
/** check_results_v1 as released: add a column here once it has shipped, never change one. */
const RELEASED = {
  firstRelease: [
    ['result_id', 'String'], ['job_id', 'String CODEC(ZSTD(1))'], ['org_id', 'String'], ['monitor_id', 'String'],
    ['region', 'LowCardinality(String)'], ['agent_id', 'LowCardinality(String)'], ['type', 'LowCardinality(String)'],
    ['scheduled_at', DT], ['ts', "DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1))"], ['status', 'LowCardinality(String)'],
    ['error_kind', 'LowCardinality(String)'], ['error_phase', 'LowCardinality(String)'], ['error_message', 'String CODEC(ZSTD(3))'],
    ['dns_ms', TIMING], ['connect_ms', TIMING], ['tls_ms', TIMING], ['ttfb_ms', TIMING], ['transfer_ms', TIMING], ['total_ms', TIMING],
    ['status_code', 'UInt16'], ['tls_not_after', DT], ['retention_days', 'UInt16'],
  ],
  added: [
    ['tls_not_before', DT], ['tls_issuer', 'String CODEC(ZSTD(3))'], ['tls_subject', 'String CODEC(ZSTD(3))'],
    ['tls_sans', 'Array(String) CODEC(ZSTD(3))'], ['tls_chain_valid', 'UInt8'], ['tls_hostname_valid', 'UInt8'],
    ['tls_expiring_soon', 'UInt8'], ['tls_verification_error', 'LowCardinality(String)'],
    ['assertion_source', 'Array(LowCardinality(String))'], ['assertion_operator', 'Array(LowCardinality(String))'],
    ['assertion_expected', 'Array(String) CODEC(ZSTD(3))'], ['assertion_actual', 'Array(String) CODEC(ZSTD(3))'],
    ['assertion_passed', 'Array(UInt8)'], ['ping_address', 'String CODEC(ZSTD(1))'], ['ping_sent', 'UInt16'],
    ['ping_received', 'UInt16'], ['ping_packet_loss', 'Float32'], ['ping_rtt_min_ms', TIMING], ['ping_rtt_avg_ms', TIMING],
    ['ping_rtt_max_ms', TIMING], ['ping_jitter_ms', TIMING], ['dns_rcode', 'LowCardinality(String)'],
    ['dns_values', 'Array(String) CODEC(ZSTD(3))'], ['dns_resolver', 'LowCardinality(String)'], ['domain_expires_at', DT],
    ['domain_registered_at', DT], ['domain_registrar', 'LowCardinality(String)'], ['domain_statuses', 'Array(LowCardinality(String))'],
    ['domain_source', 'LowCardinality(String)'], ['domain_expiring_soon', 'UInt8'],
  ],
};

const columnsOf = (fields: object) => Object.values(fields).flatMap((f: { columns: Array<{ name: string; type: string }> }) => f.columns.map((c) => [c.name, c.type]));
const squash = (sql: string) => sql.replace(/\s+/g, ' ');

describe('check_results_v1 columns', () => {
  it('keeps the first release\'s columns in CREATE TABLE, exactly', () => {
    expect(columnsOf(FIRST_RELEASE_FIELDS)).toEqual(RELEASED.firstRelease);
  });

  it('keeps every column added since, with its type, and adds new ones after them', () => {
    const added = columnsOf(ADDED_FIELDS);
    expect(added.slice(0, RELEASED.added.length)).toEqual(RELEASED.added);
  });

  it('creates the first release\'s columns and adds the others in place', () => {
    const [, create, alter] = schemaStatements('db').map(squash);
    for (const [name, type] of columnsOf(FIRST_RELEASE_FIELDS)) expect(create).toContain(` ${name} ${type},`);
    expect(create).toContain(`${INGESTED_AT.name} ${INGESTED_AT.type},`);
    for (const [name, type] of columnsOf(ADDED_FIELDS)) expect(alter).toContain(`ADD COLUMN IF NOT EXISTS ${name} ${type}`);
    expect(alter.match(/ADD COLUMN/g)).toHaveLength(columnsOf(ADDED_FIELDS).length);
  });

  it('inserts and reads every column, each once', () => {
    const names = columnsOf(RESULT_FIELDS).map(([name]) => name);
    expect(new Set(names).size).toBe(names.length);
    expect(INSERT_COLUMNS).toEqual(names);
    const read = READ_COLUMNS.split(', ').map((expr) => expr.replace(/^toUnixTimestamp64Milli\((\w+)\) AS \w+$/, '$1'));
    expect(read).toEqual(names);
  });

  it('encodes each field into its own cells and no other', () => {
    const full = fullStoredResult();
    const row = toCompactRow(full);
    expect(row).toHaveLength(INSERT_COLUMNS.length);
    for (const [key, field] of Object.entries(RESULT_FIELDS) as Array<[keyof StoredResult, (typeof RESULT_FIELDS)[keyof StoredResult]]>) {
      const other = toCompactRow({ ...full, [key]: changed(full[key]) });
      const moved = INSERT_COLUMNS.filter((_, i) => !isDeepStrictEqual(row[i], other[i]));
      expect(moved, key).toEqual(field.columns.map((c) => c.name));
    }
  });

  it('leaves out of an insert only columns every row holds at the type default, which ClickHouse fills in', () => {
    // ClickHouse fills an omitted column with its type's default only if the column has no DEFAULT of its own.
    for (const c of columnsOf(RESULT_FIELDS)) expect(c[1], c[0]).not.toMatch(/\bDEFAULT\b/);
    const full = fullStoredResult();
    const DEFAULTS = ['', 0, '1970-01-01 00:00:00.000', []];
    const isDefault = (cell: unknown) => DEFAULTS.some((d) => isDeepStrictEqual(d, cell));
    const fullCells = toCompactRow(full);
    expect(toCompactRows([full]).columns).toEqual(INSERT_COLUMNS.filter((_, i) => !isDefault(fullCells[i])));

    const sparse: StoredResult = { ...full, resultId: 'm.EuWest.1', errorMessage: '', statusCode: 0, tlsNotAfterMs: 0, assertions: [], dnsValues: [], tlsChainValid: false };
    const { columns, rows } = toCompactRows([sparse]);
    const cells = toCompactRow(sparse);
    const dropped = INSERT_COLUMNS.filter((c) => !columns.includes(c));
    expect(dropped).toEqual(expect.arrayContaining(['error_message', 'status_code', 'tls_not_after', 'assertion_source', 'assertion_passed', 'dns_values', 'tls_chain_valid']));
    for (const c of dropped) expect(isDefault(cells[INSERT_COLUMNS.indexOf(c)]), c).toBe(true);
    for (const c of columns) expect(isDefault(cells[INSERT_COLUMNS.indexOf(c)]), c).toBe(false);
    expect(rows[0]).toEqual(columns.map((c) => cells[INSERT_COLUMNS.indexOf(c)]));

    // One row with a value keeps the column for the whole insert.
    const both = toCompactRows([sparse, full]);
    const kept = INSERT_COLUMNS.filter((_, i) => !isDefault(cells[i]) || !isDefault(fullCells[i]));
    expect(both.columns).toEqual(kept);
    expect(kept.length).toBeGreaterThan(columns.length);
    expect(both.rows).toEqual([cells, fullCells].map((r) => kept.map((c) => r[INSERT_COLUMNS.indexOf(c)])));
  });
});
