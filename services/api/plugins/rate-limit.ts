import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../lib/errors.js';
import type { HotState, RateLimitDecision } from '../../lib/ports/hot-state.js';
import type { Logger } from '../../lib/logger.js';
import type { RateLimit, RouteRateLimit } from '../../lib/rate-limit/limits.js';
import { rateLimitsOf } from '../../lib/tenancy/plans.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A stricter limit this route counts against besides its class (reads or general). */
    rateLimit?: RouteRateLimit;
  }
  interface FastifyRequest {
    /**
     * Counts this request against one more of its key's limits, for a limit that only the
     * use case can decide on (an upsert is a creation only when nothing had the name);
     * throws RATE_LIMITED when it is spent. Set for every authenticated request.
     */
    countAgainst?: (limit: RouteRateLimit) => Promise<void>;
  }
}

function setHeaders(reply: FastifyReply, d: RateLimitDecision): void {
  reply.header('X-RateLimit-Limit', d.limit);
  reply.header('X-RateLimit-Remaining', d.remaining);
  reply.header('X-RateLimit-Reset', Math.ceil(d.resetAtMs / 1000));
}

/**
 * Per-key rate limits (GCRA in hot state: Redis across api processes, memory when
 * embedded), by the key's organization's plan. Runs after authentication; every
 * authenticated response carries the X-RateLimit-* headers of the tightest limit it counted
 * against, and a 429 adds Retry-After. If hot state is unreachable the request is let
 * through and logged: an outage of the limiter must not take the API down with it.
 */
export function installRateLimits(app: FastifyInstance, deps: { hotState: HotState; logger: Logger; now?: () => number }): void {
  const now = deps.now ?? Date.now;

  /** Counts against each bucket in turn; returns the tightest decision, or undefined if the limiter is down. */
  async function consume(request: FastifyRequest, reply: FastifyReply, buckets: RateLimit[]): Promise<RateLimitDecision | undefined> {
    const { keyId } = request.principal!;
    let tightest: RateLimitDecision | undefined;
    for (const bucket of buckets) {
      let d: RateLimitDecision;
      try {
        d = await deps.hotState.consumeRateLimit(`${keyId}:${bucket.name}`, bucket.limit, bucket.periodMs, now());
      } catch (err) {
        deps.logger.warn({ err, keyId }, 'rate limiter unavailable; request let through');
        return undefined;
      }
      if (!d.allowed) {
        setHeaders(reply, d);
        reply.header('Retry-After', Math.max(1, Math.ceil(d.retryAfterMs / 1000)));
        throw new DomainError('RATE_LIMITED', 'Too many requests',
          `rate limit exceeded: ${bucket.limit} ${bucket.name} requests per ${bucket.periodMs >= 3_600_000 ? 'hour' : 'minute'}; retry after ${Math.ceil(d.retryAfterMs / 1000)} s`);
      }
      if (!tightest || d.remaining < tightest.remaining) tightest = d;
    }
    return tightest;
  }

  app.addHook('onRequest', async (request, reply) => {
    const principal = request.principal;
    if (!principal) return;
    const limits = rateLimitsOf(principal.plan);
    const route = request.routeOptions.config?.rateLimit;
    const klass = request.method === 'GET' || request.method === 'HEAD' ? limits.read : limits.general;
    const buckets = [route ? limits[route] : null, klass].filter((b): b is RateLimit => b !== null);
    const tightest = await consume(request, reply, buckets);
    if (tightest) setHeaders(reply, tightest);

    request.countAgainst = async (name) => {
      const bucket = limits[name];
      if (!bucket) return;
      const d = await consume(request, reply, [bucket]);
      if (d && (!tightest || d.remaining < tightest.remaining)) setHeaders(reply, d);
    };
  });
}
