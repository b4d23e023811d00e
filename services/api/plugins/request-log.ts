import type { FastifyInstance } from 'fastify';
import { redactSecrets } from '../../lib/redact.js';

/**
 * The request's URL as logged: the ping token (a Job monitor's only credential) masked and
 * every query value whose name could hold a credential (`key`, `api_key`, `token`…) dropped.
 */
export function urlForLog(url: string): string {
  return redactSecrets(url.replace(/^\/ping\/[^/?#]+/, '/ping/[redacted]'));
}

/**
 * One wide event per request, when it completes (DESIGN.md §9): what was asked, of which
 * route, by which organization and key, how it ended and how long it took. Fastify's own
 * "incoming request" / "request completed" pair is off (buildApp), so a request is one line.
 * A 500 carries its error and stack; any other status is the client's business, at info.
 */
export function installRequestLog(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    const status = reply.statusCode;
    const event = {
      method: request.method,
      route: request.routeOptions.url ?? null,
      url: urlForLog(request.url),
      status,
      durationMs: Math.round(reply.elapsedTime * 10) / 10,
      orgId: request.principal?.orgId ?? null,
      keyId: request.principal?.keyId ?? null,
      errorCode: request.failure?.code,
      remoteAddress: request.ip,
    };
    if (status >= 500) request.log.error({ ...event, err: request.failure?.err }, 'request failed');
    else request.log.info(event, 'request');
  });
}
