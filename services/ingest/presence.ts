/**
 * Agent presence in hot state: one record per agent under `agents:<region>`, expiring
 * after three missed heartbeats, so the api (and alerting's "region unknown") see only
 * live agents without anyone cleaning up.
 */
import type { HotState } from '../lib/ports/hot-state.js';

export interface AgentPresenceRecord {
  agentId: string;
  hostname: string;
  version: string;
  region: string;
  /** ISO 8601 */
  lastHeartbeatAt: string;
  inFlight: number;
  outboxDepth: number;
}

export const presenceGroup = (region: string) => `agents:${region}`;

export class AgentPresence {
  constructor(
    private readonly hotState: HotState,
    private readonly heartbeatIntervalMs: number,
    private readonly now: () => number,
  ) {}

  async registered(region: string, agent: { agentId: string; hostname: string; version: string }): Promise<void> {
    await this.put({ ...agent, region, lastHeartbeatAt: new Date(this.now()).toISOString(), inFlight: 0, outboxDepth: 0 });
  }

  async heartbeat(region: string, beat: { agentId: string; inFlight: number; outboxDepth: number }): Promise<void> {
    // Hostname and version come with Register only; keep them from the live record.
    const previous = parse((await this.hotState.getRecords(presenceGroup(region)))[beat.agentId]);
    await this.put({
      agentId: beat.agentId,
      hostname: previous?.hostname ?? '',
      version: previous?.version ?? '',
      region,
      lastHeartbeatAt: new Date(this.now()).toISOString(),
      inFlight: beat.inFlight,
      outboxDepth: beat.outboxDepth,
    });
  }

  private async put(record: AgentPresenceRecord): Promise<void> {
    await this.hotState.putRecord(presenceGroup(record.region), record.agentId, JSON.stringify(record), 3 * this.heartbeatIntervalMs);
  }
}

function parse(raw: string | undefined): AgentPresenceRecord | undefined {
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as AgentPresenceRecord;
  } catch {
    return undefined;
  }
}
