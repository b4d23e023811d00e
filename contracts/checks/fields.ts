/** Building blocks for contract field schemas (TypeBox fragments that the OpenAPI document shows). */
import { Type, type TSchema } from 'typebox';
import type { FieldSpec } from './contract.js';

export const nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/**
 * A string enum as plain JSON Schema (`enum`), typed as the union of its values. Ajv then
 * reports "must be one of: …" instead of one error per union member.
 */
export function stringEnum<const T extends readonly string[]>(values: T, opts: { description?: string; default?: T[number] } = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...opts });
}

export interface IntegerLimits {
  min: number;
  max: number;
}

/** A whole-number field whose limits and default appear once, here, for schema and validation alike. */
export function integerField(limits: IntegerLimits, defaultValue: number, description?: string): FieldSpec<number> & { limits: IntegerLimits } {
  return {
    limits,
    default: defaultValue,
    schema: Type.Integer({ minimum: limits.min, maximum: limits.max, default: defaultValue, ...(description ? { description } : {}) }),
  };
}

export function field<V>(schema: TSchema, defaultValue: V): FieldSpec<V> {
  return { schema, default: defaultValue };
}
