/**
 * How one kind of value travels: StoredResult ⇄ check_results_v1 cell, and from the wire
 * CheckResult into a StoredResult. Times travel as 'YYYY-MM-DD hh:mm:ss.mmm' in UTC (the
 * columns are UTC): the one DateTime64 input every ClickHouse version reads the same way —
 * bare integers and short "seconds.millis" text are read differently across versions.
 */

export interface ColumnKind<T> {
  /** The value when a check type does not record it; also what rows older than the column read as. */
  readonly empty: T;
  /** The cell of a JSONCompactEachRow insert. */
  toCell(value: T): unknown;
  /** The SELECT expression that reads `column` back, and the name the row carries it under. */
  read(column: string): { expr: string; as: string };
  fromCell(cell: unknown): T;
  /** From a ts-proto value of the CheckResult (int64 arrive as numbers: forceLong=number). */
  fromWire(value: unknown): T;
}

// 64-bit integers arrive quoted or not depending on output_format_json_quote_64bit_integers.
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
const bool = (v: unknown): boolean => v === true || Number(v) === 1;
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
const sameName = (column: string) => ({ expr: column, as: column });

export const text: ColumnKind<string> = {
  empty: '', toCell: (v) => v, read: sameName, fromCell: String, fromWire: String,
};

export const number: ColumnKind<number> = {
  empty: 0, toCell: (v) => v, read: sameName, fromCell: num, fromWire: num,
};

/** UInt8 0/1 in ClickHouse. */
export const flag: ColumnKind<boolean> = {
  empty: false, toCell: (v) => +v, read: sameName, fromCell: bool, fromWire: Boolean,
};

/** Array(String); frozen when empty because the empty value is shared by every result. */
export const texts: ColumnKind<string[]> = {
  empty: Object.freeze([]) as unknown as string[], toCell: (v) => v, read: sameName, fromCell: strings, fromWire: strings,
};

/**
 * Unix ms ⇄ DateTime64(3, 'UTC'); 0 is the documented "none" (e.g. no TLS certificate).
 * Read back under another name: an alias equal to the column would shadow it in WHERE.
 */
export const time: ColumnKind<number> = {
  empty: 0,
  toCell: toDateTime64,
  read: (column) => ({ expr: `toUnixTimestamp64Milli(${column}) AS ${column}_ms`, as: `${column}_ms` }),
  fromCell: num,
  fromWire: num,
};

/** A string column holding one of a few names. */
export function oneOf<const T extends string>(names: readonly T[]): ColumnKind<T> {
  return { ...text, empty: names[0], fromCell: (v) => String(v) as T, fromWire: (v) => String(v) as T };
}

/**
 * 'YYYY-MM-DD hh:mm:ss' per whole second, memoised: a flush's times cluster in a few
 * seconds, and formatting through Date.toISOString for every value was a fifth of the
 * insert's JS time. Bounded: cleared when it grows past SECONDS_CACHED entries.
 */
const secondPrefixes = new Map<number, string>();
const SECONDS_CACHED = 4_096;

export function toDateTime64(ms: number): string {
  // Before 1970 is not representable.
  const t = Math.max(0, Math.trunc(ms));
  const sec = Math.floor(t / 1000);
  let prefix = secondPrefixes.get(sec);
  if (prefix === undefined) {
    const iso = new Date(sec * 1000).toISOString();
    prefix = `${iso.slice(0, 10)} ${iso.slice(11, 19)}.`;
    if (secondPrefixes.size >= SECONDS_CACHED) secondPrefixes.clear();
    secondPrefixes.set(sec, prefix);
  }
  const milli = t - sec * 1000;
  return prefix + (milli >= 100 ? '' : milli >= 10 ? '0' : '00') + milli;
}
