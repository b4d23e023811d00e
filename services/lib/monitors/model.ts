/**
 * The monitor as the Enori document defines it: type names and numbers, fields and
 * defaults. One place, used by the api (validation, responses), the store and the
 * scheduler (job snapshots).
 */
export const MONITOR_TYPES = { Port: 2, Ping: 3, Dns: 4, Domain: 6, Job: 8, Website: 10 } as const;
export type MonitorTypeName = keyof typeof MONITOR_TYPES;
export const MONITOR_TYPE_NAMES = Object.keys(MONITOR_TYPES) as MonitorTypeName[];

/** Types whose checkers exist today; the others are refused with a clear 400. */
export const SUPPORTED_MONITOR_TYPES: readonly MonitorTypeName[] = ['Website', 'Port'];

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export type MonitorStatus = 'Pending' | 'Up' | 'Down' | 'Paused';

/** Everything a client configures. */
export interface MonitorConfig {
  name: string;
  type: MonitorTypeName;
  url: string | null;
  hostname: string | null;
  port: number | null;
  intervalSeconds: number;
  timeoutSeconds: number;
  httpMethod: HttpMethod;
  expectedStatusCode: number;
  requestHeaders: Record<string, string>;
  requestBody: string | null;
  followRedirects: boolean;
  maxRedirects: number;
  keyword: string | null;
  keywordAbsent: boolean;
  ignoreTlsErrors: boolean;
  failureThreshold: number;
  recoveryThreshold: number;
  /** Regions that must agree before the monitor is Down; null = a majority of its regions. */
  regionQuorum: number | null;
  alertOnDown: boolean;
  alertOnRecovered: boolean;
  alertChannelIds: string[];
  regions: string[];
  tags: string[];
}

export interface Monitor extends MonitorConfig {
  id: string;
  orgId: string;
  paused: boolean;
  revision: number;
  status: MonitorStatus;
  lastCheckedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Defaults for every field a client may omit (PUT resets omitted fields to these). */
export function monitorDefaults(declaredRegions: readonly string[]): Omit<MonitorConfig, 'name' | 'type'> {
  return {
    url: null,
    hostname: null,
    port: null,
    intervalSeconds: 60,
    timeoutSeconds: 30,
    httpMethod: 'GET',
    expectedStatusCode: 200,
    requestHeaders: {},
    requestBody: null,
    followRedirects: true,
    maxRedirects: 5,
    keyword: null,
    keywordAbsent: false,
    ignoreTlsErrors: false,
    failureThreshold: 1,
    recoveryThreshold: 1,
    regionQuorum: null,
    alertOnDown: true,
    alertOnRecovered: true,
    alertChannelIds: [],
    regions: [...declaredRegions],
    tags: [],
  };
}

/** How many regions must be down for the monitor to be Down. */
export function effectiveQuorum(m: Pick<MonitorConfig, 'regionQuorum' | 'regions'>): number {
  const n = m.regions.length;
  return Math.min(n, m.regionQuorum ?? Math.floor(n / 2) + 1);
}
