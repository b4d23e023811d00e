import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiDeps, VerbContext } from '../../context.js';
import { principalOf } from '../../plugins/auth.js';
import { ErrorResponse } from '../shared-schemas.js';

/** What ingest records for each agent on register and heartbeat (hot state, group `agents:<region>`). */
export interface AgentPresence {
  agentId: string;
  hostname?: string;
  version?: string;
  region: string;
  lastHeartbeatAt: string;
  inFlight?: number;
  outboxDepth?: number;
}

const Agent = Type.Object({
  agentId: Type.String(),
  hostname: Type.String(),
  version: Type.String(),
  lastHeartbeatAt: Type.String({ format: 'date-time' }),
  inFlight: Type.Integer(),
  outboxDepth: Type.Integer(),
});

const Region = Type.Object({
  name: Type.String(),
  connectedAgents: Type.Integer(),
  lastHeartbeatAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  agents: Type.Array(Agent),
});

export async function listRegions({ ctx }: { ctx: VerbContext }) {
  const items = await Promise.all(ctx.deps.config.regions.map(async (name) => {
    const records = await ctx.deps.hotState.getRecords(`agents:${name}`);
    const agents = Object.values(records).flatMap((raw) => {
      try {
        const p = JSON.parse(raw) as AgentPresence;
        return [{ agentId: p.agentId, hostname: p.hostname ?? '', version: p.version ?? '', lastHeartbeatAt: p.lastHeartbeatAt, inFlight: p.inFlight ?? 0, outboxDepth: p.outboxDepth ?? 0 }];
      } catch {
        return [];
      }
    }).sort((a, b) => a.agentId.localeCompare(b.agentId));
    const last = agents.map((a) => a.lastHeartbeatAt).sort().at(-1) ?? null;
    return { name, connectedAgents: agents.length, lastHeartbeatAt: last, agents };
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
        summary: 'Declared regions with their connected agents and last heartbeat',
        response: { 200: Type.Object({ items: Type.Array(Region), totalCount: Type.Integer() }), 401: ErrorResponse, 403: ErrorResponse },
      },
    }, async (req) => listRegions({ ctx: { deps, principal: principalOf(req) } }));
  };
}
