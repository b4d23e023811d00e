import { Type, type Static, type TSchema } from 'typebox';
import { MONITOR_TYPES, MONITOR_TYPE_NAMES, type MonitorTypeName } from '../../../../contracts/checks/index.js';
import { MONITOR_FIELD_SPECS, type MonitorConfig } from '../../../../contracts/monitor.js';
import type { FieldSpec } from '../../../../contracts/checks/contract.js';
import { stringEnum } from '../enum-schema.js';
import { ErrorResponse } from '../shared-schemas.js';

const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const MonitorTypeInput = Type.Unsafe<MonitorTypeName | number>({
  anyOf: [{ type: 'string', enum: MONITOR_TYPE_NAMES }, { type: 'integer', enum: Object.values(MONITOR_TYPES) }],
  description: 'Website (10), Ping (3), Port (2), Dns (4), Domain (6), Job (8); name or number',
});

type Specs = typeof MONITOR_FIELD_SPECS;
const settingSchemas = <O extends boolean>(optional: O) =>
  Object.fromEntries(Object.entries(MONITOR_FIELD_SPECS).map(([name, spec]) => {
    const schema = (spec as FieldSpec<unknown>).schema;
    return [name, optional ? Type.Optional(schema) : schema];
  })) as { [K in keyof Specs]: O extends true ? ReturnType<typeof Type.Optional<TSchema>> : TSchema };

/**
 * The body of POST /api/monitors and PUT /api/monitors/{id}: fields as in the Enori document,
 * composed from the monitor and check-type contracts (contracts/), with their limits, defaults
 * and descriptions.
 */
export const MonitorBody = Type.Unsafe<MonitorBodyValue>(Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  type: MonitorTypeInput,
  ...settingSchemas(true),
}, { additionalProperties: false }));

type Settings = Omit<MonitorConfig, 'name' | 'type'>;
/** A body as validated: every setting may be omitted; nullable ones may be null. */
export type MonitorBodyValue = { name: string; type: MonitorTypeName | number } & {
  [K in keyof Settings]?: K extends 'assertions'
    ? Array<{ source: Settings['assertions'][number]['source']; property?: string | null; operator: Settings['assertions'][number]['operator']; target?: string | null }>
    : Settings[K];
};
export type MonitorBody = MonitorBodyValue;

export const MonitorResponse = Type.Object({
  id: Type.String(),
  name: Type.String(),
  type: Type.String(),
  ...settingSchemas(false),
  pingToken: nullable(Type.String({ description: 'Job monitors: the secret of the ping URLs' })),
  pingUrl: nullable(Type.String({ description: 'Job monitors: GET/HEAD/POST this URL on success; append /start, /fail or /{exitCode}' })),
  status: Type.String({ description: 'Pending, Up, Degraded (Up with P95 over p95ThresholdMs), Down, Paused, Maintenance (a maintenance window is in force), or Unknown (every region it checks from lost its agents)' }),
  unknownRegions: Type.Array(Type.String(), { description: 'Regions of the monitor whose agents all stopped reporting: their verdicts are stale and do not count' }),
  maintenanceWindowId: nullable(Type.String({ description: 'The maintenance window in force, if any' })),
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

/** GET /api/monitors/{id}/response-times: the chart series of the web dashboard, from the hourly rollup. */
export const ResponseTimesQuery = StatsQuery;
export const ResponseTimesResponse = Type.Object({
  monitorId: Type.String(),
  period: Type.String(),
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  bucketSeconds: Type.Integer({ description: '3600 for 24h and 7d, 21600 for 30d, 86400 for 90d' }),
  regions: Type.Array(Type.Object({
    region: Type.String(),
    points: Type.Array(Type.Object({
      at: Type.String({ format: 'date-time', description: 'The bucket\'s start' }),
      checks: Type.Integer(),
      failures: Type.Integer(),
      p50ResponseTimeMs: nullable(Type.Number({ description: 'Approximate (t-digest) median' })),
      p95ResponseTimeMs: nullable(Type.Number({ description: 'Approximate (t-digest) 95th percentile' })),
    })),
  })),
});

/** GET /api/monitors/response-trends: hourly P50 of many monitors (the dashboard list's sparklines). */
export const ResponseTrendsQuery = Type.Object({
  monitorId: Type.Array(Type.String({ maxLength: 64 }), { minItems: 1, maxItems: 500, description: 'Repeat for each monitor; ids of other organizations have no data' }),
}, { additionalProperties: false });
export const ResponseTrendsResponse = Type.Object({
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  items: Type.Array(Type.Object({
    monitorId: Type.String(),
    points: Type.Array(Type.Object({ at: Type.String({ format: 'date-time' }), p50ResponseTimeMs: nullable(Type.Number()) })),
  }), { description: 'Monitors with checks in the last 24 hours; hourly, all regions merged' }),
});

export const errorResponses = {
  400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse, 429: ErrorResponse,
};
