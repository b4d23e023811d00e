/**
 * Response serializers compiled when a route first answers with a status, not when it is
 * registered: Fastify's default compiles every route's response schemas into fast-json-stringify
 * functions at start, ~0.3 s of each `pharos dev` start (docs/performance.md). Same compiler,
 * same options, so the output is the same; only the moment changes.
 */
import SerializerSelector from '@fastify/fast-json-stringify-compiler';

type SerializerFactory = ReturnType<typeof SerializerSelector>;

export const lazySerializers: SerializerFactory = (externalSchemas, options) => {
  const compile = SerializerSelector()(externalSchemas, options);
  return (route) => {
    let serialize: ReturnType<typeof compile> | undefined;
    return (doc) => (serialize ??= compile(route))(doc);
  };
};
