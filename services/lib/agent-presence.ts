/**
 * Agent presence, defined once: ingest writes it (on Register and on every presence report
 * an agent sends) and the api's regions route reads it. An agent is present in a region
 * exactly while its record lives in hot state under `agents:<region>`; the record expires
 * after PRESENCE_MISSED_REPORTS missed reports, so a crashed agent drops out without anyone
 * cleaning up and no reader needs a staleness rule of its own.
 *
 * "Presence" is agent liveness; "heartbeat" in this code base means a Job monitor's pings
 * (services/heartbeats/), as the Enori document uses the word.
 */
import type { HotState } from './ports/hot-state.js';

export interface AgentPresenceRecord {
  agentId: string;
  hostname: string;
  version: string;
  region: string;
  /** ISO 8601: when ingest last heard from the agent (Register or a presence report). */
  lastSeenAt: string;
  inFlight: number;
  outboxDepth: number;
}

/** Reports an agent may miss before it counts as gone. */
export const PRESENCE_MISSED_REPORTS = 3;

const presenceGroup = (region: string) => `agents:${region}`;

/** Ingest's side: records what agents say about themselves. */
export class AgentPresence {
  constructor(
    private readonly hotState: HotState,
    /** How often agents report (ingest tells them in RegisterResponse). */
    private readonly reportIntervalMs: number,
    private readonly now: () => number,
  ) {}

  async registered(region: string, agent: { agentId: string; hostname: string; version: string }): Promise<void> {
    await this.put({ ...agent, region, lastSeenAt: this.stamp(), inFlight: 0, outboxDepth: 0 });
  }

  async reported(region: string, report: { agentId: string; inFlight: number; outboxDepth: number }): Promise<void> {
    // Hostname and version come with Register only; keep them from the live record.
    const previous = parseRecord((await this.hotState.getRecords(presenceGroup(region)))[report.agentId], region);
    await this.put({
      agentId: report.agentId,
      hostname: previous?.hostname ?? '',
      version: previous?.version ?? '',
      region,
      lastSeenAt: this.stamp(),
      inFlight: report.inFlight,
      outboxDepth: report.outboxDepth,
    });
  }

  private stamp(): string {
    return new Date(this.now()).toISOString();
  }

  private async put(record: AgentPresenceRecord): Promise<void> {
    const ttlMs = PRESENCE_MISSED_REPORTS * this.reportIntervalMs;
    await this.hotState.putRecord(presenceGroup(record.region), record.agentId, JSON.stringify(record), ttlMs);
  }
}

export interface RegionPresence {
  region: string;
  /** Present agents, by agent id. */
  agents: AgentPresenceRecord[];
  /** The latest `lastSeenAt` of its agents; null when none is present. */
  lastSeenAt: string | null;
}

/** The api's side: who is present in a region now. */
export async function regionPresence(hotState: HotState, region: string): Promise<RegionPresence> {
  const records = await hotState.getRecords(presenceGroup(region));
  const agents = Object.values(records)
    .flatMap((raw) => parseRecord(raw, region) ?? [])
    .sort((a, b) => a.agentId.localeCompare(b.agentId));
  const lastSeenAt = agents.map((a) => a.lastSeenAt).sort().at(-1) ?? null;
  return { region, agents, lastSeenAt };
}

/** A stored record with every field filled, or undefined when it is not one. */
function parseRecord(raw: string | undefined, region: string): AgentPresenceRecord | undefined {
  if (!raw) return undefined;
  let value: Partial<AgentPresenceRecord> & { lastHeartbeatAt?: string };
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  // Records an ingest from before the rename wrote (they live three report intervals at most).
  const lastSeenAt = value.lastSeenAt ?? value.lastHeartbeatAt;
  if (typeof value.agentId !== 'string' || typeof lastSeenAt !== 'string' || Number.isNaN(Date.parse(lastSeenAt))) return undefined;
  return {
    agentId: value.agentId,
    hostname: value.hostname ?? '',
    version: value.version ?? '',
    region,
    lastSeenAt,
    inFlight: value.inFlight ?? 0,
    outboxDepth: value.outboxDepth ?? 0,
  };
}
