import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { validationError, type DomainError, type FieldError } from '../../lib/errors.js';
import type { OmittedDetails } from './errors.js';
import { findTextProblems, type TextPart } from './text-checks.js';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

/**
 * Above this many values a failing request is reported by its first error only. Collecting
 * every error (ajv's allErrors) costs time and memory in proportion to the request: 100,000
 * bad array items made 100,000 error objects and a 35 MB answer. Below it, a client gets
 * every mistake at once, which is what a person fixing a body wants.
 */
export const THOROUGH_MAX_VALUES = 1_000;

/**
 * Integers without bounds of their own are bounded to what a Postgres `integer` holds, so
 * `offset=99999999999` or `1e40` is a 400 naming the field instead of a 500 from the store
 * (ajv counts 1e40 and even Infinity as integers).
 */
const INT32 = { minimum: -2_147_483_648, maximum: 2_147_483_647 };

const common: Options = { removeAdditional: false, strict: false };

type Schema = Record<string, unknown>;

/** A copy of the schema with every unbounded integer bounded (see INT32). */
export function withIntegerBounds(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withIntegerBounds);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(schema)) out[k] = k === 'enum' || k === 'const' || k === 'default' || k === 'examples' ? v : withIntegerBounds(v);
  const types = [out.type].flat();
  if (types.includes('integer') && out.enum === undefined && out.const === undefined) {
    if (out.minimum === undefined && out.exclusiveMinimum === undefined) out.minimum = INT32.minimum;
    if (out.maximum === undefined && out.exclusiveMaximum === undefined) out.maximum = INT32.maximum;
  }
  return out;
}

/** Ajv's errors as field-level details: the path of the field and what is wrong with it. */
export function fieldErrors(errors: readonly ErrorObject[], prefix: string): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const e of errors) {
    let field = e.instancePath || '';
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'required') {
      field = `${field}/${String(e.params.missingProperty)}`;
      message = 'is required';
    } else if (e.keyword === 'additionalProperties') {
      field = `${field}/${String(e.params.additionalProperty)}`;
      message = 'is not a known field';
    } else if (e.keyword === 'enum') {
      message = `must be one of: ${(e.params.allowedValues as unknown[]).join(', ')}`;
    }
    const f = `${prefix}${field || '/'}`;
    const key = `${f}|${message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push({ field: f, message });
    }
  }
  return out;
}

type CompiledValidator = ((data: unknown) => boolean | { error: Error }) & { errors?: unknown };

/**
 * Every route's params, querystring, headers and body pass here (Fastify's validator
 * compiler), so bad input is refused in one place, before any verb or store sees it:
 * 1. the text checks: NUL characters and unpaired surrogates in any string or key (Postgres
 *    refuses them with a 500), nesting deeper than a bound, numbers JSON turned into Infinity,
 *    and in URL parts, numbers that are not plain decimals (`0x10`, `1e40`, `Infinity`, which
 *    ajv's coercion would read as numbers);
 * 2. the schema, failing fast; only a small failing request is validated again with every
 *    error collected (THOROUGH_MAX_VALUES).
 * Bodies are validated strictly (a wrong type or an unknown field is a 400, never coerced or
 * dropped). URL parts are text, so they are coerced (`?limit=10` is a number, a single
 * `?tag=x` is an array) and take their defaults.
 */
export function installValidators(app: FastifyInstance): void {
  const ajvFor = (text: boolean, allErrors: boolean) =>
    addFormats(new Ajv({ ...common, allErrors, coerceTypes: text ? 'array' : false, useDefaults: text }));
  const engines = {
    body: { first: ajvFor(false, false), all: ajvFor(false, true) },
    text: { first: ajvFor(true, false), all: ajvFor(true, true) },
  };
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const part = (httpPart ?? 'body') as TextPart;
    const engine = part === 'body' ? engines.body : engines.text;
    const bounded = withIntegerBounds(schema) as Schema;
    // Compiled when the route first validates, not when it is registered: compiling every
    // route's schemas up front was ~0.8 s of each start (docs/performance.md). The OpenAPI
    // fuzz suite calls every operation, so a schema Ajv refuses still fails a test.
    let first: ValidateFunction | undefined;
    let all: ValidateFunction | undefined;
    const prefix = part === 'body' ? '' : `${part}:`;
    const refuse = (details: FieldError[], omitted = 0) => ({ error: validationFailure(details, omitted) });
    const validate: CompiledValidator = (data) => {
      const scan = findTextProblems(data, part, bounded);
      if (scan.problems.length) return refuse(scan.problems.map((p) => ({ field: `${prefix}${p.field}`, message: p.message })), scan.omitted);
      first ??= engine.first.compile(bounded);
      if (first(data)) return true;
      if (scan.values > THOROUGH_MAX_VALUES) return refuse(fieldErrors(first.errors ?? [], prefix));
      all ??= engine.all.compile(bounded);
      all(data);
      return refuse(fieldErrors(all.errors ?? first.errors ?? [], prefix));
    };
    return validate as unknown as ReturnType<Parameters<FastifyInstance['setValidatorCompiler']>[0]>;
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * JSON bodies are decoded as strict UTF-8: invalid bytes are a 400, where a lenient decode
 * would store U+FFFD in their place without the client knowing. Clients such as the Enori
 * document's Node.js helper send `Content-Type: application/json` on every call, including
 * body-less POSTs (pause, resume, check): an empty body is no body.
 */
export function installJsonParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      return done(validationFailure([{ field: '/', message: 'is not valid UTF-8' }], 0), undefined);
    }
    if (text === '') return done(null, undefined);
    return parseJson(request, text, done);
  });
}

/** The 400 of a refused request; the error handler bounds its details (plugins/errors.ts). */
function validationFailure(details: FieldError[], omitted: number): DomainError & OmittedDetails {
  const total = details.length + omitted;
  const shown = details.slice(0, 3).map((d) => `${d.field} ${d.message}`).join('; ');
  const err = validationError(total > 3 ? `${shown}; and ${total - 3} more` : shown, details);
  return Object.assign(err, { omittedDetails: omitted });
}
