/**
 * Malformed requests generated from the api's own OpenAPI document: for every operation,
 * each path parameter, query parameter and body field in turn gets hostile values (NUL,
 * an unpaired surrogate, invalid UTF-8, numbers beyond any range or not decimal, nesting
 * and arrays far beyond any resource), with every other part valid, so the bad value is
 * what the server must refuse. Bounded: a fixed number of variants per field.
 */

type Schema = Record<string, unknown>;

export interface Operation {
  method: string;
  /** OpenAPI path, e.g. /api/monitors/{id} */
  path: string;
  params: Array<{ name: string; in: string; schema: Schema; required?: boolean }>;
  body?: Schema;
}

export interface FuzzRequest {
  operation: string;
  what: string;
  method: string;
  url: string;
  payload?: Buffer;
  headers?: Record<string, string>;
}

export function operationsOf(doc: { paths: Record<string, Record<string, Schema>> }): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const content = (op.requestBody as Schema | undefined)?.content as Record<string, { schema: Schema }> | undefined;
      out.push({ method: method.toUpperCase(), path, params: (op.parameters as Operation['params']) ?? [], body: content?.['application/json']?.schema });
    }
  }
  return out;
}

const typesOf = (s: Schema): string[] => [
  ...[s.type].flat().filter((t): t is string => typeof t === 'string'),
  ...((s.anyOf ?? s.oneOf ?? []) as Schema[]).flatMap(typesOf),
];

/** A value the schema accepts, as simply as possible (the base every variant changes one field of). */
export function validValue(s: Schema): unknown {
  if (s.default !== undefined) return s.default;
  if (Array.isArray(s.enum)) return s.enum[0];
  const branch = ((s.anyOf ?? s.oneOf) as Schema[] | undefined)?.[0];
  if (branch) return validValue(branch);
  switch (typesOf(s)[0]) {
    case 'string':
      return s.format === 'email' ? 'fuzz@example.com' : s.format === 'date-time' ? '2026-01-01T00:00:00Z' : 'f'.repeat(Math.max(1, Number(s.minLength ?? 1)));
    case 'integer':
    case 'number':
      return Number(s.minimum ?? 1);
    case 'boolean':
      return true;
    case 'array':
      return Array.from({ length: Number(s.minItems ?? 0) }, () => validValue(s.items as Schema));
    case 'object': {
      const props = (s.properties ?? {}) as Record<string, Schema>;
      return Object.fromEntries(((s.required ?? []) as string[]).map((k) => [k, validValue(props[k])]));
    }
    default:
      return null;
  }
}

const MARK = 'FUZZ-HOLE-7f3a';
const HOLE = `"${MARK}"`;
const bytes = (...parts: Array<string | Buffer>) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

/** Hostile JSON values for a field of this schema, as raw JSON text (or bytes, for invalid UTF-8). */
function bodyValues(s: Schema): Array<[string, string | Buffer]> {
  const types = new Set(typesOf(s));
  const out: Array<[string, string | Buffer]> = [
    ['NUL', JSON.stringify('a\u0000b')],
    ['unpaired surrogate', '"a\\ud800b"'],
    ['invalid UTF-8', bytes('"a', Buffer.from([0xff, 0xfe, 0xc3]), 'b"')],
    ['10,000-deep nesting', deep(10_000)],
  ];
  // Huge arrays where an array belongs (elsewhere the type alone refuses them, cheaply).
  if (types.has('array')) out.push(['100,000-item array', `[${Array(100_000).fill('1').join(',')}]`]);
  if (types.has('integer') || types.has('number')) out.push(['1e40', '1e40'], ['-1e40', '-1e40'], ['1e400 (Infinity)', '1e400'], ['2^63', '9223372036854775808']);
  if (types.has('object') || Object.keys(s).length === 0 || s.additionalProperties) out.push(['NUL in a key', JSON.stringify({ 'k\u0000': 'v' })]);
  return out;
}

/** Hostile text for a URL part, already percent-encoded. */
function textValues(s: Schema, inPath: boolean): Array<[string, string]> {
  const out: Array<[string, string]> = [
    ['NUL', 'a%00b'],
    ['encoded surrogate (invalid UTF-8)', 'a%ED%A0%80b'],
    ['invalid UTF-8', 'a%FF%FEb'],
    ['10,000 characters', 'x'.repeat(10_000)],
  ];
  const types = new Set(typesOf(s));
  if (types.has('integer') || types.has('number')) {
    out.push(['hex', '0x10'], ['exponent', '1e40'], ['Infinity', 'Infinity'], ['20 digits', '99999999999999999999'], ['negative', '-1'], ['blank', '%20']);
  }
  if (!inPath && types.has('array')) out.push(['10,000 repeats', Array(10_000).fill('a%00').join('&{name}=')]);
  return out;
}

/** Every malformed request for one operation; `base` fills path parameters with real ids. */
export function malformedRequests(op: Operation, base: (param: string, path: string) => string): FuzzRequest[] {
  const name = `${op.method} ${op.path}`;
  const pathParams = op.params.filter((p) => p.in === 'path');
  const queryParams = op.params.filter((p) => p.in === 'query');
  const path = (override?: [string, string]) =>
    op.path.replace(/\{(\w+)\}/g, (_m, p: string) => (override?.[0] === p ? override[1] : encodeURIComponent(base(p, op.path))));
  const bodyBase = op.body ? (validValue(op.body) as Record<string, unknown>) : undefined;
  const json = (body: unknown) => Buffer.from(JSON.stringify(body));
  const out: FuzzRequest[] = [];
  const add = (what: string, url: string, payload = bodyBase ? json(bodyBase) : undefined) =>
    out.push({ operation: name, what, method: op.method, url, payload, headers: payload ? { 'content-type': 'application/json' } : undefined });

  for (const p of pathParams) for (const [what, v] of textValues(p.schema, true)) add(`path ${p.name}: ${what}`, path([p.name, v]));
  for (const q of queryParams) {
    for (const [what, v] of textValues(q.schema, false)) add(`query ${q.name}: ${what}`, `${path()}?${q.name}=${v.replaceAll('{name}', q.name)}`);
  }
  // Only where the operation reads a query string: one it does not read is never parsed for it.
  if (queryParams.length) add('query: unknown parameter with NUL in its name', `${path()}?x%00y=1`);
  if (op.body && bodyBase) {
    const props = (op.body.properties ?? {}) as Record<string, Schema>;
    for (const [field, s] of Object.entries(props)) {
      for (const [what, raw] of bodyValues(s)) {
        const [before, after] = JSON.stringify({ ...bodyBase, [field]: MARK }).split(HOLE);
        add(`body ${field}: ${what}`, path(), bytes(before, raw, after));
      }
    }
    add('body: 10,000-deep nesting', path(), Buffer.from(deep(10_000)));
    add('body: 100,000-item array', path(), Buffer.from(`[${Array(100_000).fill('{}').join(',')}]`));
    add('body: 20,000 unknown fields', path(), json({ ...bodyBase, ...Object.fromEntries(Array.from({ length: 20_000 }, (_v, i) => [`f${i}`, i])) }));
    add('body: invalid UTF-8 outside strings', path(), bytes('{', Buffer.from([0xff]), '}'));
  }
  return out;
}
