import type { ApiDeps } from '../../context.js';
import { regionPresence, type AgentPresenceRecord } from '../../../lib/agent-presence.js';

type RegionDeps = { deps: Pick<ApiDeps, 'config' | 'hotState'> };

/** Each declared region with the agents present in it (services/lib/agent-presence.ts decides who is). */
async function presenceByRegion(ctx: RegionDeps) {
  return Promise.all(ctx.deps.config.regions.map(async (name) => ({ name, ...(await regionPresence(ctx.deps.hotState, name)) })));
}

const health = (r: { name: string; agents: AgentPresenceRecord[]; lastSeenAt: string | null }) => ({
  name: r.name,
  status: r.agents.length > 0 ? 'Available' : 'Unavailable',
  connectedAgents: r.agents.length,
  lastHeartbeatAt: r.lastSeenAt,
});

/** What a tenant sees: each region's health, nothing of the operator's machines. */
export async function listRegions({ ctx }: { ctx: RegionDeps }) {
  const items = (await presenceByRegion(ctx)).map(health);
  return { items, totalCount: items.length };
}

/** What the operator sees: the same, plus every agent present with the figures it reports. */
export async function listRegionsWithAgents({ ctx }: { ctx: RegionDeps }) {
  const items = (await presenceByRegion(ctx)).map((r) => ({
    ...health(r),
    agents: r.agents.map((a) => ({ agentId: a.agentId, hostname: a.hostname, version: a.version, lastHeartbeatAt: a.lastSeenAt, inFlight: a.inFlight, outboxDepth: a.outboxDepth })),
  }));
  return { items, totalCount: items.length };
}
