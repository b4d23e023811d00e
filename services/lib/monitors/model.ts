/**
 * The monitor as the api, the store, the scheduler and alerting hold it. What a client
 * configures — fields, limits, defaults, per check type — is the contract in contracts/.
 */
import type { MonitorConfig } from '../../../contracts/monitor.js';
import type { MonitorTypeName } from '../../../contracts/checks/index.js';

export { AGENT_CHECKED_TYPES, MONITOR_TYPES, MONITOR_TYPE_NAMES, type MonitorTypeName } from '../../../contracts/checks/index.js';
export { monitorDefaults, type MonitorConfig } from '../../../contracts/monitor.js';
export { DNS_MATCH_MODES, DNS_RCODES, DNS_RECORD_TYPES, type DnsMatchModeName, type DnsRcodeName, type DnsRecordTypeName } from '../../../contracts/checks/dns.js';
export { ASSERTION_OPERATORS, ASSERTION_SOURCES, type MonitorAssertion } from '../../../contracts/checks/website-assertions.js';
export { HTTP_METHODS, type HttpMethod } from '../../../contracts/checks/website.js';

/** Heartbeat results are judged by the server, not a region: their one pseudo-region. */
export const HEARTBEAT_REGION = 'Heartbeat';

export type MonitorStatus = 'Pending' | 'Up' | 'Degraded' | 'Down' | 'Paused' | 'Maintenance' | 'Unknown';

export type Monitor = MonitorConfig & MonitorState;

/** What the control plane keeps besides the configuration. */
export interface MonitorState {
  id: string;
  orgId: string;
  /** Job monitors only: the secret in /ping/{token}. */
  pingToken: string | null;
  paused: boolean;
  revision: number;
  status: MonitorStatus;
  lastCheckedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The regions whose verdicts decide the status: a Job's heartbeats have one pseudo-region. */
export function statusRegions(m: Pick<MonitorConfig, 'type' | 'regions'>): string[] {
  return m.type === 'Job' ? [HEARTBEAT_REGION] : m.regions;
}

/** How many regions must be down for the monitor to be Down. */
export function effectiveQuorum(m: Pick<MonitorConfig, 'type' | 'regionQuorum' | 'regions'>): number {
  if (m.type === 'Job') return 1;
  const n = m.regions.length;
  return Math.min(n, m.regionQuorum ?? Math.floor(n / 2) + 1);
}
