/**
 * How responses are serialised. Two changes to Fastify's default, neither changes a byte of
 * what a route answers nor its OpenAPI document:
 *
 * - Serializers are compiled when a route first answers with a status, not when it is
 *   registered: Fastify's default compiles every route's response schemas into
 *   fast-json-stringify functions at start, ~0.3 s of each `pharos dev` start
 *   (docs/performance.md).
 * - A nullable field (`anyOf: [T, null]`, as the schemas and OpenAPI spell it) is compiled as
 *   `type: [T, 'null']` when T is one plain type. fast-json-stringify serialises an `anyOf` by
 *   validating the value against each branch with Ajv (each branch compiled on first use), for
 *   every nullable field of every item, and a type list with a `typeof` switch: a page of 100
 *   monitors (~20 nullable fields each) serialises 2.4–3.5× faster (docs/performance.md). A
 *   stored value outside its branch's bounds is written as it is rather than failing the response.
 */
import SerializerSelector from '@fastify/fast-json-stringify-compiler';

type SerializerFactory = ReturnType<typeof SerializerSelector>;

export const lazySerializers: SerializerFactory = (externalSchemas, options) => {
  const compile = SerializerSelector()(nullablesAsTypeLists(externalSchemas) as typeof externalSchemas, options);
  return (route) => {
    let serialize: ReturnType<typeof compile> | undefined;
    return (doc) => (serialize ??= compile({ ...route, schema: nullablesAsTypeLists(route.schema) }))(doc);
  };
};

type Schema = Record<string, unknown>;

const COMPOSITION = ['$ref', 'anyOf', 'oneOf', 'allOf', 'not', 'if'];

const isObject = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNull = (s: unknown) => isObject(s) && s.type === 'null' && Object.keys(s).every((k) => k === 'type' || k === 'description' || k === 'title');
const isOnePlainType = (s: unknown): s is Schema =>
  isObject(s) && typeof s.type === 'string' && s.type !== 'null' && !COMPOSITION.some((k) => k in s);

/** A copy of `schema` with every `anyOf: [T, null]` of one plain type T as `T` with `type: [T.type, 'null']`. */
export function nullablesAsTypeLists(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(nullablesAsTypeLists);
  if (!isObject(schema)) return schema;
  const copy: Schema = {};
  for (const [key, value] of Object.entries(schema)) copy[key] = nullablesAsTypeLists(value);
  const branches = copy.anyOf;
  if (!Array.isArray(branches) || branches.length !== 2) return copy;
  const nullAt = branches.findIndex(isNull);
  const other = branches[1 - nullAt];
  if (nullAt < 0 || !isOnePlainType(other)) return copy;
  const { anyOf: _anyOf, ...siblings } = copy;
  return { ...siblings, ...other, type: [other.type, 'null'] };
}
