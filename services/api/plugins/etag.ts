import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

/**
 * Conditional GETs for the JSON API: every 200 answer to a GET under /api carries a weak
 * ETag of its body, and a request whose If-None-Match names it gets 304 with no body. The web
 * dashboard polls monitor lists and incidents this way (issue 17); any client may. Routes that
 * set their own ETag (status pages) keep it.
 */
export function installJsonEtags(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.method !== 'GET' || reply.statusCode !== 200 || typeof payload !== 'string') return payload;
    if (!request.url.startsWith('/api/') || reply.hasHeader('etag')) return payload;
    const etag = `W/"${createHash('sha1').update(payload).digest('base64url')}"`;
    reply.header('etag', etag);
    const presented = request.headers['if-none-match'];
    if (presented && presented.split(',').some((t) => t.trim() === etag)) {
      reply.code(304);
      return '';
    }
    return payload;
  });
}
