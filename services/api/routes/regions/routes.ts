import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiDeps, VerbContext } from '../../context.js';
import { principalOf } from '../../plugins/auth.js';
import { ErrorResponse } from '../shared-schemas.js';
import { regionPresence } from '../../../lib/agent-presence.js';

// `lastHeartbeatAt` keeps its published name; it is when the agent last reported its presence.
const Agent = Type.Object({
  agentId: Type.String(),
  hostname: Type.String(),
  version: Type.String(),
  lastHeartbeatAt: Type.String({ format: 'date-time', description: 'when the agent last reported its presence to ingest' }),
  inFlight: Type.Integer(),
  outboxDepth: Type.Integer(),
});

const Region = Type.Object({
  name: Type.String(),
  connectedAgents: Type.Integer(),
  lastHeartbeatAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'the latest of its agents\' presence reports; null when no agent is present' }),
  agents: Type.Array(Agent),
});

/** Declared regions with the agents present in each (services/lib/agent-presence.ts decides who is). */
export async function listRegions({ ctx }: { ctx: VerbContext }) {
  const items = await Promise.all(ctx.deps.config.regions.map(async (name) => {
    const { agents, lastSeenAt } = await regionPresence(ctx.deps.hotState, name);
    return {
      name,
      connectedAgents: agents.length,
      lastHeartbeatAt: lastSeenAt,
      agents: agents.map((a) => ({ agentId: a.agentId, hostname: a.hostname, version: a.version, lastHeartbeatAt: a.lastSeenAt, inFlight: a.inFlight, outboxDepth: a.outboxDepth })),
    };
  }));
  return { items, totalCount: items.length };
}

export function regionRoutes(deps: ApiDeps) {
  return async function register(fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.get('/api/regions', {
      config: { scope: 'monitors:read' },
      schema: {
        tags: ['Regions'],
        summary: 'Declared regions with their connected agents and when each was last seen',
        response: { 200: Type.Object({ items: Type.Array(Region), totalCount: Type.Integer() }), 401: ErrorResponse, 403: ErrorResponse },
      },
    }, async (req) => listRegions({ ctx: { deps, principal: principalOf(req) } }));
  };
}
