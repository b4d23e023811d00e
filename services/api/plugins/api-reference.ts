/**
 * The interactive API explorer (Scalar, as the Enori document links) at /reference, served
 * with its own script from this server: no CDN, so it works on closed networks too.
 *
 * Its module carries the explorer's 3.8 MB browser bundle as a string literal: loaded, it
 * holds ~14 MiB of JavaScript heap (the literal and the module's source) in every process
 * that serves the api, for a page most never open (docs/performance.md). So it is loaded on
 * the first request for the explorer, into a Fastify instance of its own that these routes
 * hand the request to; the answers are the plugin's own, byte for byte.
 */
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';

const PREFIX = '/reference';
/** The paths the plugin serves for a spec given by URL: a redirect to the page, the page, its script. */
const PATHS = [PREFIX, `${PREFIX}/`, `${PREFIX}/js/scalar.js`];
/** Set by the outer server for its own answer. */
const HOP_HEADERS = new Set(['content-length', 'connection', 'transfer-encoding', 'keep-alive', 'date']);

export function installApiReference(app: FastifyInstance, opts: { specUrl: string; title: string }): void {
  let explorer: Promise<FastifyInstance> | undefined;
  const load = () => (explorer ??= (async () => {
    const { default: scalar } = await import('@scalar/fastify-api-reference');
    const inner = Fastify({ logger: false });
    await inner.register(scalar, { routePrefix: PREFIX, configuration: { url: opts.specUrl, title: opts.title } });
    await inner.ready();
    return inner;
  })().catch((err: unknown) => {
    explorer = undefined; // the next request tries again
    throw err;
  }));
  app.addHook('onClose', async () => {
    const inner = await explorer?.catch(() => undefined);
    await inner?.close();
  });
  for (const url of PATHS) {
    app.get(url, { schema: { hide: true } }, async (request, reply: FastifyReply) => {
      const inner = await load();
      const res = await inner.inject({ method: 'GET', url: request.url, headers: { host: request.headers.host ?? 'localhost' } });
      for (const [name, value] of Object.entries(res.headers)) {
        if (value !== undefined && !HOP_HEADERS.has(name)) reply.header(name, value);
      }
      return reply.code(res.statusCode).send(res.rawPayload);
    });
  }
}
