import { Type, type Static } from 'typebox';
import {
  ASSERTION_OPERATORS, ASSERTION_SOURCES, DNS_MATCH_MODES, DNS_RCODES, DNS_RECORD_TYPES, HTTP_METHODS, MONITOR_TYPES,
  MONITOR_TYPE_NAMES, type MonitorTypeName,
} from '../../../lib/monitors/model.js';
import { stringEnum } from '../enum-schema.js';
import { ErrorResponse } from '../shared-schemas.js';

const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const MonitorTypeInput = Type.Unsafe<MonitorTypeName | number>({
  anyOf: [{ type: 'string', enum: MONITOR_TYPE_NAMES }, { type: 'integer', enum: Object.values(MONITOR_TYPES) }],
  description: 'Website (10), Ping (3), Port (2), Dns (4), Domain (6), Job (8); name or number',
});

export const AssertionBody = Type.Object({
  source: stringEnum(ASSERTION_SOURCES, { description: 'What is checked: StatusCode, ResponseTime (ms), Header, Body, JsonPath' }),
  property: Type.Optional(nullable(Type.String({ minLength: 1, maxLength: 256, description: 'Header name (Header) or JSONPath such as $.status (JsonPath)' }))),
  operator: stringEnum(ASSERTION_OPERATORS, { description: 'In takes a comma list ("200,201"), Between an inclusive range ("200-299"), Matches a regular expression' }),
  target: Type.Optional(nullable(Type.String({ maxLength: 1024, description: 'Expected value; omitted for Exists / NotExists' }))),
}, { additionalProperties: false });

/** The body of POST /api/monitors and PUT /api/monitors/{id}: fields as in the Enori document. */
export const MonitorBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  type: MonitorTypeInput,
  url: Type.Optional(nullable(Type.String({ maxLength: 2048 }))),
  hostname: Type.Optional(nullable(Type.String({ maxLength: 253 }))),
  port: Type.Optional(nullable(Type.Integer({ minimum: 1, maximum: 65535 }))),
  intervalSeconds: Type.Optional(Type.Integer()),
  timeoutSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 300 })),
  httpMethod: Type.Optional(stringEnum(HTTP_METHODS)),
  expectedStatusCode: Type.Optional(Type.Integer({ minimum: 100, maximum: 599 })),
  requestHeaders: Type.Optional(Type.Record(Type.String({ maxLength: 256 }), Type.String({ maxLength: 8192 }))),
  requestBody: Type.Optional(nullable(Type.String({ maxLength: 65536 }))),
  followRedirects: Type.Optional(Type.Boolean()),
  maxRedirects: Type.Optional(Type.Integer({ minimum: 0, maximum: 20 })),
  keyword: Type.Optional(nullable(Type.String({ minLength: 1, maxLength: 1024 }))),
  keywordAbsent: Type.Optional(Type.Boolean()),
  ignoreTlsErrors: Type.Optional(Type.Boolean()),
  sslExpiryWarningDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 365, description: 'Website: flag the certificate as expiring this many days ahead (monitor.ssl_expiring); 0 = off. Default 14' })),
  assertions: Type.Optional(Type.Array(AssertionBody, { maxItems: 20, description: 'Website: typed assertions on the response' })),
  pingCount: Type.Optional(Type.Integer({ minimum: 1, maximum: 10, description: 'Ping: echo requests per check. Default 3' })),
  pingIntervalMs: Type.Optional(Type.Integer({ minimum: 200, maximum: 10000, description: 'Ping: gap between requests. Default 500' })),
  pingTimeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 10000, description: 'Ping: wait for each reply. Default 2000' })),
  pingMaxPacketLossPercent: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, description: 'Ping: Down above this loss. Default 50' })),
  dnsRecordType: Type.Optional(stringEnum(DNS_RECORD_TYPES, { description: 'Dns: record type to query. Default A' })),
  dnsResolver: Type.Optional(nullable(Type.String({ minLength: 1, maxLength: 260, description: 'Dns: resolver as host or host:port ([v6]:port); null = the agent\'s system resolvers' }))),
  dnsExpectedValues: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 1024 }), { maxItems: 50, description: 'Dns: values compared with the answer (presentation form, e.g. "10 mx.example.com" for MX)' })),
  dnsMatchMode: Type.Optional(stringEnum(DNS_MATCH_MODES, { description: 'Dns: Equals (same set), Contains (all expected present), None (none present). Default Contains' })),
  dnsExpectedRcode: Type.Optional(stringEnum(DNS_RCODES, { description: 'Dns: expected response code. Default NOERROR' })),
  domainExpiryWarningDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 365, description: 'Domain: flag the registration as expiring this many days ahead. Default 30' })),
  cronExpression: Type.Optional(nullable(Type.String({ minLength: 1, maxLength: 120, description: 'Job: when pings are expected, 5-field cron (or @daily, …); or use periodSeconds' }))),
  timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Job: IANA time zone of cronExpression. Default UTC' })),
  periodSeconds: Type.Optional(nullable(Type.Integer({ minimum: 60, maximum: 31_536_000, description: 'Job: a ping is expected every this many seconds (instead of cronExpression)' }))),
  graceSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 604_800, description: 'Job: how late a ping may be, and how long a started run may take. Default 300' })),
  failureThreshold: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  recoveryThreshold: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  regionQuorum: Type.Optional(nullable(Type.Integer({ minimum: 1, maximum: 64 }))),
  alertOnDown: Type.Optional(Type.Boolean()),
  alertOnRecovered: Type.Optional(Type.Boolean()),
  alertChannelIds: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 50 })),
  regions: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 32 }), { minItems: 1, maxItems: 64 })),
  tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 50 })),
}, { additionalProperties: false });
export type MonitorBody = Static<typeof MonitorBody>;

export const MonitorResponse = Type.Object({
  id: Type.String(),
  name: Type.String(),
  type: Type.String(),
  url: nullable(Type.String()),
  hostname: nullable(Type.String()),
  port: nullable(Type.Integer()),
  intervalSeconds: Type.Integer(),
  timeoutSeconds: Type.Integer(),
  httpMethod: Type.String(),
  expectedStatusCode: Type.Integer(),
  requestHeaders: Type.Record(Type.String(), Type.String()),
  requestBody: nullable(Type.String()),
  followRedirects: Type.Boolean(),
  maxRedirects: Type.Integer(),
  keyword: nullable(Type.String()),
  keywordAbsent: Type.Boolean(),
  ignoreTlsErrors: Type.Boolean(),
  sslExpiryWarningDays: Type.Integer(),
  assertions: Type.Array(Type.Object({ source: Type.String(), property: nullable(Type.String()), operator: Type.String(), target: nullable(Type.String()) })),
  pingCount: Type.Integer(),
  pingIntervalMs: Type.Integer(),
  pingTimeoutMs: Type.Integer(),
  pingMaxPacketLossPercent: Type.Integer(),
  dnsRecordType: Type.String(),
  dnsResolver: nullable(Type.String()),
  dnsExpectedValues: Type.Array(Type.String()),
  dnsMatchMode: Type.String(),
  dnsExpectedRcode: Type.String(),
  domainExpiryWarningDays: Type.Integer(),
  cronExpression: nullable(Type.String()),
  timezone: Type.String(),
  periodSeconds: nullable(Type.Integer()),
  graceSeconds: Type.Integer(),
  pingToken: nullable(Type.String({ description: 'Job monitors: the secret of the ping URLs' })),
  pingUrl: nullable(Type.String({ description: 'Job monitors: GET/HEAD/POST this URL on success; append /start, /fail or /{exitCode}' })),
  failureThreshold: Type.Integer(),
  recoveryThreshold: Type.Integer(),
  regionQuorum: nullable(Type.Integer()),
  alertOnDown: Type.Boolean(),
  alertOnRecovered: Type.Boolean(),
  alertChannelIds: Type.Array(Type.String()),
  regions: Type.Array(Type.String()),
  tags: Type.Array(Type.String()),
  status: Type.String({ description: 'Pending, Up, Down or Paused' }),
  uptimePercentage: Type.Number({ description: 'Uptime over the last 30 days; 100 while no downtime has been recorded (including before the first check)' }),
  lastCheckedAt: nullable(Type.String({ format: 'date-time' })),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const MonitorIdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
export const MonitorNameParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) });

export const CheckNowResponse = Type.Object({
  monitorId: Type.String(),
  regions: Type.Array(Type.String()),
  jobIds: Type.Array(Type.String()),
  scheduledAt: Type.String({ format: 'date-time' }),
});

export const ListMonitorsQuery = Type.Object({
  type: Type.Optional(MonitorTypeInput),
  tag: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 20 })),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
}, { additionalProperties: false });

export const MonitorList = Type.Object({ items: Type.Array(MonitorResponse), totalCount: Type.Integer() });

export const ResultsQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 50 }),
  region: Type.Optional(Type.String({ maxLength: 32 })),
  before: Type.Optional(Type.String({ format: 'date-time', description: 'Only results that started before this instant (paging)' })),
}, { additionalProperties: false });

export { CheckResultResponse, ResultList } from './result-schema.js';

export const PingsQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 50 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
}, { additionalProperties: false });

export const PingResponse = Type.Object({
  id: Type.String(),
  kind: Type.String({ description: 'Start, Success or Fail' }),
  receivedAt: Type.String({ format: 'date-time' }),
  exitCode: nullable(Type.Integer()),
  runtimeMs: nullable(Type.Number({ description: 'From the run\'s start ping to this ping' })),
  message: nullable(Type.String({ description: 'The first 10 KiB of the request body' })),
  messageBytes: Type.Integer({ description: 'Full size of the request body' }),
  method: Type.String(),
  sourceIp: nullable(Type.String()),
  userAgent: nullable(Type.String()),
});

export const PingList = Type.Object({ items: Type.Array(PingResponse), totalCount: Type.Integer() });

export const STATS_PERIODS = ['24h', '7d', '30d', '90d'] as const;
export const StatsQuery = Type.Object({
  period: stringEnum(STATS_PERIODS, { default: '24h' }),
}, { additionalProperties: false });

const figures = {
  uptimePercentage: nullable(Type.Number()),
  totalChecks: Type.Integer(),
  failedChecks: Type.Integer(),
  avgResponseTimeMs: nullable(Type.Number()),
  p50ResponseTimeMs: nullable(Type.Number()),
  p95ResponseTimeMs: nullable(Type.Number()),
  p99ResponseTimeMs: nullable(Type.Number()),
};
export const StatsResponse = Type.Object({
  monitorId: Type.String(),
  period: Type.String(),
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  ...figures,
  regions: Type.Array(Type.Object({ region: Type.String(), ...figures })),
});

export const errorResponses = {
  400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse, 429: ErrorResponse,
};
