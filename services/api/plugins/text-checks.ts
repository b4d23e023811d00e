/**
 * The checks JSON Schema cannot express, run on every request part before its schema:
 * text Postgres cannot store, structures deeper than any resource, numbers JSON or a URL
 * turned into something other than the digits the client wrote.
 */
import type { FieldError } from '../../lib/errors.js';

export type TextPart = 'body' | 'querystring' | 'params' | 'headers';

/** No resource nests deeper than a few levels; 32 leaves room and bounds the walk. */
export const MAX_DEPTH = 32;
/** Problems kept per request; the rest are counted. */
const MAX_PROBLEMS = 50;

export interface TextScan {
  problems: FieldError[];
  /** Problems found beyond MAX_PROBLEMS. */
  omitted: number;
  /** Values seen, containers included: the request's size in values. */
  values: number;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string cannot be stored as text, if it cannot. */
export function textProblem(s: string): string | undefined {
  if (s.includes('\u0000')) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(s)) return 'must not contain unpaired UTF-16 surrogates';
  return undefined;
}

/** RFC 6901 escaping, so a key holding `/` or `~` still names one field. */
const pointer = (key: string | number) => `/${String(key).replaceAll('~', '~0').replaceAll('/', '~1')}`;

interface Node {
  value: unknown;
  parent?: Node;
  key?: string | number;
  depth: number;
}

function pathOf(node: Node): string {
  const keys: Array<string | number> = [];
  for (let n: Node | undefined = node; n?.parent; n = n.parent) keys.push(n.key!);
  return keys.reverse().map(pointer).join('') || '/';
}

type Schema = Record<string, unknown>;

/** Whether a URL part's field is read as a number (directly, in a union, or as array items). */
function numericKind(schema: unknown): 'integer' | 'number' | undefined {
  if (!schema || typeof schema !== 'object') return undefined;
  const s = schema as Schema;
  const types = [s.type].flat();
  if (types.includes('number')) return 'number';
  if (types.includes('integer')) return 'integer';
  for (const branch of [...((s.anyOf as unknown[]) ?? []), ...((s.oneOf as unknown[]) ?? [])]) {
    const k = numericKind(branch);
    if (k) return k;
  }
  if (types.includes('array')) return numericKind(s.items);
  return undefined;
}

const DECIMAL = { integer: /^-?\d{1,20}$/, number: /^-?\d{1,20}(\.\d{1,20})?$/ };

/**
 * Why a URL value cannot be the number its field takes. ajv's coercion reads `0x10`, `1e3`,
 * ` 5`, a blank, `Infinity` and `1e400` as numbers; only plain decimals are numbers here. A value
 * that is not number-like at all is left to the schema (it may be a union's string, such
 * as `type=Website`).
 */
function numberProblem(raw: string, kind: 'integer' | 'number'): string | undefined {
  if (DECIMAL[kind].test(raw)) return undefined;
  // Blank reads as 0 to ajv (`exitCode=%20` would be a success): refused with the rest.
  if (Number.isNaN(Number(raw))) return undefined;
  return kind === 'integer' ? 'must be a decimal integer' : 'must be a decimal number';
}

/**
 * Walks a request part without recursion (a body may nest a million levels) and reports
 * what no schema catches. For URL parts the part's schema says which fields are numbers.
 */
export function findTextProblems(data: unknown, part: TextPart, schema: Schema): TextScan {
  const scan: TextScan = { problems: [], omitted: 0, values: 0 };
  const report = (node: Node, message: string) => {
    if (scan.problems.length < MAX_PROBLEMS) scan.problems.push({ field: pathOf(node), message });
    else scan.omitted++;
  };
  const properties = (schema.properties ?? {}) as Record<string, unknown>;
  const stack: Node[] = [{ value: data, depth: 0 }];
  while (stack.length) {
    const node = stack.pop()!;
    const { value } = node;
    scan.values++;
    if (typeof value === 'string') {
      const text = textProblem(value);
      if (text) report(node, text);
      else if (part !== 'body') {
        const top = node.parent?.parent ? node.parent : node;
        const kind = numericKind(properties[String(top.key)]);
        const num = kind && numberProblem(value, kind);
        if (num) report(node, num);
      }
      continue;
    }
    if (typeof value === 'number') {
      // JSON.parse reads 1e400 as Infinity, which ajv accepts as a number.
      if (!Number.isFinite(value)) report(node, 'is out of range');
      continue;
    }
    if (!value || typeof value !== 'object') continue;
    if (node.depth >= MAX_DEPTH) {
      report(node, `is nested deeper than ${MAX_DEPTH} levels`);
      continue;
    }
    // A ping body's Buffer is bytes, not text (docs/checks/job.md); URL parts are objects
    // without Object.prototype (fast-querystring, find-my-way), so any other object is walked.
    if (ArrayBuffer.isView(value)) continue;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], parent: node, key: i, depth: node.depth + 1 });
    } else {
      const keys = Object.keys(value);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i];
        const child: Node = { value: (value as Record<string, unknown>)[key], parent: node, key, depth: node.depth + 1 };
        const text = textProblem(key);
        if (text) report(child, `name ${text}`);
        else stack.push(child);
      }
    }
  }
  return scan;
}
