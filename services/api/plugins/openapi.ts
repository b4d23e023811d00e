import type { FastifySchema } from 'fastify';
import { withIntegerBounds } from './validation.js';

type Schema = Record<string, unknown>;

/** A URL-part schema whose defaulted fields are not `required`: the client may leave them out. */
function defaultsOptional(schema: unknown): unknown {
  const s = schema as Schema | undefined;
  if (!s || !Array.isArray(s.required)) return schema;
  const properties = (s.properties ?? {}) as Record<string, Schema>;
  const required = (s.required as string[]).filter((name) => properties[name]?.default === undefined);
  return { ...s, required };
}

/**
 * The request schemas as the OpenAPI document shows them, so the document says what the
 * validator does (plugins/validation.ts), from one place rather than in every route:
 * a query parameter with a default (`limit`, `offset`, `period`) is optional, and integers
 * without bounds of their own show the bounds the validator gives them.
 */
export function documentRequestSchema({ schema, url }: { schema: FastifySchema; url: string }): { schema: FastifySchema; url: string } {
  if (!schema) return { schema, url };
  const out: Schema = { ...schema };
  for (const part of ['querystring', 'params', 'headers', 'body'] as const) {
    if (!out[part]) continue;
    const bounded = withIntegerBounds(out[part]);
    out[part] = part === 'body' ? bounded : defaultsOptional(bounded);
  }
  return { schema: out as FastifySchema, url };
}
