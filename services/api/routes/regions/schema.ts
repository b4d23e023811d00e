import { Type } from 'typebox';

/** What a tenant sees of a region: its name and health, not the operator's machines. */
export const Region = Type.Object({
  name: Type.String(),
  status: Type.String({ description: 'Available while at least one agent is present in the region, Unavailable otherwise' }),
  connectedAgents: Type.Integer(),
  // Keeps its published name; it is when an agent of the region last reported its presence.
  lastHeartbeatAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'the latest of its agents\' presence reports; null when no agent is present' }),
});
export const RegionList = Type.Object({ items: Type.Array(Region), totalCount: Type.Integer() });

/** What the operator sees: every agent present, with the figures it reports. */
export const AgentPresence = Type.Object({
  agentId: Type.String(),
  hostname: Type.String(),
  version: Type.String(),
  lastHeartbeatAt: Type.String({ format: 'date-time', description: 'when the agent last reported its presence to ingest' }),
  inFlight: Type.Integer(),
  outboxDepth: Type.Integer(),
});
export const OperatorRegion = Type.Object({ ...Region.properties, agents: Type.Array(AgentPresence) });
export const OperatorRegionList = Type.Object({ items: Type.Array(OperatorRegion), totalCount: Type.Integer() });
