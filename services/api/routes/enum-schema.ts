import { Type } from 'typebox';

/**
 * A string enum as plain JSON Schema (`enum`), typed as the union of its values. Ajv then
 * reports "must be one of: …" instead of one error per union member.
 */
export function stringEnum<const T extends readonly string[]>(values: T, opts: { description?: string; default?: T[number] } = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...opts });
}
