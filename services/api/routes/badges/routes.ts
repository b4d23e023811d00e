import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ApiDeps } from '../../context.js';
import { BadgeCache } from './badge-cache.js';
import { BadgeParams, StatusBadgeQuery, UptimeBadgeQuery, badgeResponses } from './schema.js';
import { statusBadge, uptimeBadge, type BadgeContext } from './verbs.js';

const tags = ['Badges'];
const CACHE_SECONDS = 300;
/** Enough for every badge of a large installation; a flood of made-up ids only evicts. */
const CACHE_ENTRIES = 10_000;

/** Public SVG badges for READMEs (no API key): the monitor id is the only thing asked for. */
export function badgeRoutes(deps: ApiDeps) {
  return async function register(fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const ctx: BadgeContext = { deps, cache: new BadgeCache({ ttlMs: CACHE_SECONDS * 1000, maxEntries: CACHE_ENTRIES, now: deps.now ?? Date.now }) };
    // Headers only once the badge exists: an error keeps the error handler's JSON and no public caching.
    const svg = (reply: FastifyReply, badge: string) =>
      reply.type('image/svg+xml').header('cache-control', `public, max-age=${CACHE_SECONDS}`).send(badge);

    app.get('/api/badges/:monitorId/uptime.svg', {
      config: { scope: 'public' },
      schema: { tags, summary: 'Uptime badge (SVG) of a monitor over a period', security: [], params: BadgeParams, querystring: UptimeBadgeQuery, response: badgeResponses },
    }, async (req, reply) => {
      return svg(reply, await uptimeBadge({ ctx, input: { monitorId: req.params.monitorId, ...req.query } }));
    });

    app.get('/api/badges/:monitorId/status.svg', {
      config: { scope: 'public' },
      schema: { tags, summary: 'Current status badge (SVG) of a monitor', security: [], params: BadgeParams, querystring: StatusBadgeQuery, response: badgeResponses },
    }, async (req, reply) => {
      return svg(reply, await statusBadge({ ctx, input: { monitorId: req.params.monitorId, ...req.query } }));
    });
  };
}
