import { Type, type Static } from 'typebox';
import { HTTP_METHODS, MONITOR_TYPES, MONITOR_TYPE_NAMES, type MonitorTypeName } from '../../../lib/monitors/model.js';
import { stringEnum } from '../enum-schema.js';
import { ErrorResponse } from '../shared-schemas.js';

const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const MonitorTypeInput = Type.Unsafe<MonitorTypeName | number>({
  anyOf: [{ type: 'string', enum: MONITOR_TYPE_NAMES }, { type: 'integer', enum: Object.values(MONITOR_TYPES) }],
  description: 'Website (10), Ping (3), Port (2), Dns (4), Domain (6), Job (8); name or number',
});

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

export const CheckResultResponse = Type.Object({
  id: Type.String(),
  checkedAt: Type.String({ format: 'date-time' }),
  region: Type.String(),
  status: Type.String({ description: 'Up, Down or Skipped (the agent got the job after its deadline)' }),
  responseTimeMs: Type.Number(),
  statusCode: nullable(Type.Integer()),
  error: nullable(Type.Object({ kind: Type.String(), phase: Type.String(), message: Type.String() })),
  timings: Type.Object({
    dnsMs: Type.Number(), connectMs: Type.Number(), tlsMs: Type.Number(), ttfbMs: Type.Number(), transferMs: Type.Number(), totalMs: Type.Number(),
  }),
  tlsCertificateExpiresAt: nullable(Type.String({ format: 'date-time' })),
});

export const ResultList = Type.Object({ items: Type.Array(CheckResultResponse) });

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
