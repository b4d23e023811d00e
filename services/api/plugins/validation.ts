import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

const common: Options = { allErrors: true, removeAdditional: false, useDefaults: false, strict: false };

/**
 * Bodies are validated strictly: a wrong type or an unknown field is a 400, never coerced
 * or silently dropped. Query strings and path parameters are text, so they are coerced
 * (`?limit=10` is a number, a single `?tag=x` is an array).
 */
export function installValidators(app: FastifyInstance): void {
  const body = addFormats(new Ajv({ ...common, coerceTypes: false }));
  const text = addFormats(new Ajv({ ...common, coerceTypes: 'array', useDefaults: true }));
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? body : text;
    return ajv.compile(schema) as ReturnType<Parameters<FastifyInstance['setValidatorCompiler']>[0]>;
  });
}
