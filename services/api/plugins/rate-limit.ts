import type { FastifyInstance, FastifyReply } from 'fastify';
import { DomainError } from '../../lib/errors.js';
import type { HotState, RateLimitDecision } from '../../lib/ports/hot-state.js';
import type { Logger } from '../../lib/logger.js';
import { RATE_LIMITS, type RateLimit, type RouteRateLimit } from '../../lib/rate-limit/limits.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A stricter limit this route counts against besides its class (reads or general). */
    rateLimit?: RouteRateLimit;
  }
}

function setHeaders(reply: FastifyReply, d: RateLimitDecision): void {
  reply.header('X-RateLimit-Limit', d.limit);
  reply.header('X-RateLimit-Remaining', d.remaining);
  reply.header('X-RateLimit-Reset', Math.ceil(d.resetAtMs / 1000));
}

/**
 * Per-key rate limits (GCRA in hot state: Redis across api processes, memory when
 * embedded). Runs after authentication; every authenticated response carries the
 * X-RateLimit-* headers of the tightest limit it counted against, and a 429 adds
 * Retry-After. If hot state is unreachable the request is let through and logged: an
 * outage of the limiter must not take the API down with it.
 */
export function installRateLimits(app: FastifyInstance, deps: { hotState: HotState; logger: Logger; now?: () => number }): void {
  const now = deps.now ?? Date.now;
  app.addHook('onRequest', async (request, reply) => {
    const principal = request.principal;
    if (!principal) return;
    const route = request.routeOptions.config?.rateLimit;
    const buckets: RateLimit[] = [];
    if (route) buckets.push(RATE_LIMITS[route]);
    buckets.push(request.method === 'GET' || request.method === 'HEAD' ? RATE_LIMITS.read : RATE_LIMITS.general);
    let tightest: RateLimitDecision | undefined;
    for (const bucket of buckets) {
      let d: RateLimitDecision;
      try {
        d = await deps.hotState.consumeRateLimit(`${principal.keyId}:${bucket.name}`, bucket.limit, bucket.periodMs, now());
      } catch (err) {
        deps.logger.warn({ err, keyId: principal.keyId }, 'rate limiter unavailable; request let through');
        return;
      }
      if (!d.allowed) {
        setHeaders(reply, d);
        reply.header('Retry-After', Math.max(1, Math.ceil(d.retryAfterMs / 1000)));
        throw new DomainError('RATE_LIMITED', 'Too many requests',
          `rate limit exceeded: ${bucket.limit} ${bucket.name === 'read' ? 'read' : bucket.name} requests per ${bucket.periodMs >= 3_600_000 ? 'hour' : 'minute'}; retry after ${Math.ceil(d.retryAfterMs / 1000)} s`);
      }
      if (!tightest || d.remaining < tightest.remaining) tightest = d;
    }
    if (tightest) setHeaders(reply, tightest);
  });
}
