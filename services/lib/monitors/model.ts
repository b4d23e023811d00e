/**
 * The monitor as the Enori document defines it: type names and numbers, fields and
 * defaults. One place, used by the api (validation, responses), the store and the
 * scheduler (job snapshots).
 */
export const MONITOR_TYPES = { Port: 2, Ping: 3, Dns: 4, Domain: 6, Job: 8, Website: 10 } as const;
export type MonitorTypeName = keyof typeof MONITOR_TYPES;
export const MONITOR_TYPE_NAMES = Object.keys(MONITOR_TYPES) as MonitorTypeName[];

/** Types checked by probe agents; Job monitors are fed by heartbeat pings instead. */
export const AGENT_CHECKED_TYPES: readonly MonitorTypeName[] = ['Website', 'Port', 'Ping', 'Dns', 'Domain'];

/** Heartbeat results are judged by the server, not a region: their one pseudo-region. */
export const HEARTBEAT_REGION = 'Heartbeat';

export const DNS_RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'NS', 'TXT', 'SOA', 'CAA', 'SRV', 'PTR'] as const;
export type DnsRecordTypeName = (typeof DNS_RECORD_TYPES)[number];
export const DNS_MATCH_MODES = ['Equals', 'Contains', 'None'] as const;
export type DnsMatchModeName = (typeof DNS_MATCH_MODES)[number];
export const DNS_RCODES = ['NOERROR', 'NXDOMAIN', 'SERVFAIL', 'REFUSED'] as const;
export type DnsRcodeName = (typeof DNS_RCODES)[number];

export const ASSERTION_SOURCES = ['StatusCode', 'ResponseTime', 'Header', 'Body', 'JsonPath'] as const;
export const ASSERTION_OPERATORS = [
  'Equals', 'NotEquals', 'Contains', 'NotContains', 'Matches', 'LessThan', 'GreaterThan', 'In', 'Between', 'Exists', 'NotExists',
] as const;

/** A typed check on a Website response (docs/checks/website.md). */
export interface MonitorAssertion {
  source: (typeof ASSERTION_SOURCES)[number];
  /** Header name or JSONPath; null for the other sources. */
  property: string | null;
  operator: (typeof ASSERTION_OPERATORS)[number];
  /** null for Exists / NotExists. */
  target: string | null;
}

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
  /** Website: the certificate counts as expiring soon this many days ahead; 0 = never. */
  sslExpiryWarningDays: number;
  assertions: MonitorAssertion[];
  pingCount: number;
  pingIntervalMs: number;
  pingTimeoutMs: number;
  pingMaxPacketLossPercent: number;
  dnsRecordType: DnsRecordTypeName;
  /** host or host:port; null = the agent's system resolvers. */
  dnsResolver: string | null;
  dnsExpectedValues: string[];
  dnsMatchMode: DnsMatchModeName;
  dnsExpectedRcode: DnsRcodeName;
  domainExpiryWarningDays: number;
  /** Job: when pings are expected (cron, 5 fields) in `timezone`; or every `periodSeconds`. */
  cronExpression: string | null;
  timezone: string;
  periodSeconds: number | null;
  /** Job: how long after the expected time (or after a start) a ping may still arrive. */
  graceSeconds: number;
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
  /** Job monitors only: the secret in /ping/{token}. */
  pingToken: string | null;
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
    sslExpiryWarningDays: 14,
    assertions: [],
    pingCount: 3,
    pingIntervalMs: 500,
    pingTimeoutMs: 2000,
    pingMaxPacketLossPercent: 50,
    dnsRecordType: 'A',
    dnsResolver: null,
    dnsExpectedValues: [],
    dnsMatchMode: 'Contains',
    dnsExpectedRcode: 'NOERROR',
    domainExpiryWarningDays: 30,
    cronExpression: null,
    timezone: 'UTC',
    periodSeconds: null,
    graceSeconds: 300,
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
