/**
 * One JS type per Postgres type, the same on `pg` and PGlite, so domain stores never
 * branch on the engine (test/contract/sql-client.test.ts pins every row of this table):
 *
 * | Postgres                 | JS                                   | why                                   |
 * | ------------------------ | ------------------------------------ | ------------------------------------- |
 * | int2, int4, float4/8     | number                               | both engines' default                 |
 * | int8 (bigint, count(*))  | number; RangeError beyond 2^53 − 1   | counters and sizes, never exact-id bigints; silent precision loss would be worse than an error |
 * | numeric                  | string                               | exact decimal, both engines' default  |
 * | timestamptz              | Date                                 | both engines' default                 |
 * | timestamp (no zone)      | Date, read as UTC                    | pg would use the process's local zone |
 * | date                     | string `YYYY-MM-DD`                  | a calendar day has no instant; a Date would shift with the zone |
 * | json, jsonb              | parsed value                         | both engines' default                 |
 * | bytea                    | Uint8Array (a Buffer on pg)          | both engines' default                 |
 * | text[], int4[], …        | arrays                               | both engines' default                 |
 *
 * Sessions run with TimeZone = UTC on both engines, so SQL that formats or truncates
 * timestamps gives the same answer everywhere.
 */
export const OID = {
  INT8: 20,
  DATE: 1082,
  TIMESTAMP: 1114,
} as const;

export function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`bigint ${text} does not fit a JS number exactly`);
  return n;
}

export function parseDate(text: string): string {
  return text;
}

export function parseTimestampUtc(text: string): Date {
  if (text === 'infinity') return new Date(8.64e15);
  if (text === '-infinity') return new Date(-8.64e15);
  return new Date(`${text.replace(' ', 'T')}Z`);
}

/** Schema names go into `search_path` and DDL unquoted-safe only when they are plain identifiers. */
export function assertSchemaName(schema: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid schema name "${schema}"`);
}
