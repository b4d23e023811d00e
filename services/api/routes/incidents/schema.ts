import { Type, type Static } from 'typebox';
import { INCIDENT_SEVERITIES, INCIDENT_STATUSES, UPDATE_STATUSES } from '../../../alerting/incident-model.js';
import { STATS_PERIODS } from '../../../alerting/incident-stats.js';
import { stringEnum } from '../enum-schema.js';
import { ErrorResponse } from '../shared-schemas.js';
import { CheckResultResponse } from '../monitors/result-schema.js';

const Instant = Type.String({ format: 'date-time' });
const NullableInstant = Type.Union([Instant, Type.Null()]);
const NullableString = Type.Union([Type.String(), Type.Null()]);

const RegionEvidence = Type.Object({
  region: Type.String(),
  verdict: Type.String({ description: 'up, down or pending at the opening' }),
  consecutiveFailures: Type.Integer(),
  lastError: Type.String(),
  errorKind: Type.String({ description: "snake_case error kind of the region's last failure ('' when none)" }),
  errorPhase: Type.String({ description: "phase in which it failed: dns, connect, tls, ttfb, transfer… ('' when none)" }),
  firstFailingResultId: Type.Union([Type.String(), Type.Null()], { description: 'the first result of the region\'s run of failures' }),
  firstFailureAt: NullableInstant,
});

export const UpdateResponse = Type.Object({
  id: Type.String(),
  status: stringEnum(UPDATE_STATUSES),
  message: Type.String(),
  createdBy: Type.Union([Type.String(), Type.Null()], { description: 'The api key that posted it' }),
  createdAt: Instant,
});

export const IncidentResponse = Type.Object({
  id: Type.String(),
  monitorId: Type.Union([Type.String(), Type.Null()], { description: 'null for a manual incident about no monitor' }),
  kind: Type.String({ description: 'Automatic (opened by an outage) or Manual' }),
  severity: stringEnum(INCIDENT_SEVERITIES),
  title: Type.String(),
  message: Type.String(),
  status: Type.String({ description: 'Open or Resolved' }),
  cause: Type.String({ description: 'The error that took the monitor down' }),
  startedAt: Instant,
  resolvedAt: NullableInstant,
  durationSeconds: Type.Union([Type.Integer(), Type.Null()], { description: 'Until resolved; null while open' }),
  acknowledgedAt: NullableInstant,
  acknowledgedBy: Type.Union([Type.String(), Type.Null()], { description: 'The api key that acknowledged it' }),
  resolvedBy: Type.Union([Type.String(), Type.Null()], { description: 'The api key that resolved it; null when the recovery did' }),
  firstFailingResultId: NullableString,
  regions: Type.Array(RegionEvidence),
});
export const IncidentList = Type.Object({ items: Type.Array(IncidentResponse), totalCount: Type.Integer() });

export const IncidentDetail = Type.Object({
  ...IncidentResponse.properties,
  updates: Type.Array(UpdateResponse, { description: 'The timeline, oldest first' }),
  results: Type.Array(CheckResultResponse, { description: 'The monitor\'s last results up to the opening (at most 10, newest first): the first failures and what came before' }),
});

export const ListIncidentsQuery = Type.Object({
  monitorId: Type.Optional(Type.String({ maxLength: 64 })),
  status: Type.Optional(stringEnum(INCIDENT_STATUSES)),
  from: Type.Optional(Instant),
  to: Type.Optional(Instant),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
}, { additionalProperties: false });
export type ListIncidentsQuery = Static<typeof ListIncidentsQuery>;

export const MonitorIncidentsQuery = Type.Omit(ListIncidentsQuery, ['monitorId'], { additionalProperties: false });
export type MonitorIncidentsQuery = Static<typeof MonitorIncidentsQuery>;

export const CreateIncidentBody = Type.Object({
  title: Type.String({ minLength: 1, maxLength: 200 }),
  message: Type.Optional(Type.String({ maxLength: 10_000, description: "default ''" })),
  monitorId: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
  severity: Type.Optional(stringEnum(INCIDENT_SEVERITIES, { description: 'default Major' })),
}, { additionalProperties: false });
export type CreateIncidentBody = Static<typeof CreateIncidentBody>;

export const ResolveIncidentBody = Type.Object({
  message: Type.Optional(Type.String({ minLength: 1, maxLength: 10_000 })),
}, { additionalProperties: false });

export const AddUpdateBody = Type.Object({
  status: stringEnum(UPDATE_STATUSES),
  message: Type.String({ minLength: 1, maxLength: 10_000 }),
}, { additionalProperties: false });
export type AddUpdateBody = Static<typeof AddUpdateBody>;

export const StatsQuery = Type.Object({
  from: Type.Optional(Instant),
  to: Type.Optional(Instant),
  period: stringEnum(STATS_PERIODS, { default: 'day' }),
  monitorId: Type.Optional(Type.String({ maxLength: 64 })),
}, { additionalProperties: false });
export type StatsQuery = Static<typeof StatsQuery>;

const Figures = {
  totalCount: Type.Integer(),
  openCount: Type.Integer(),
  resolvedCount: Type.Integer(),
  acknowledgedCount: Type.Integer(),
  meanTimeToAcknowledgeSeconds: Type.Union([Type.Integer(), Type.Null()]),
  meanTimeToResolveSeconds: Type.Union([Type.Integer(), Type.Null()]),
};
export const StatsResponse = Type.Object({
  from: Instant,
  to: Instant,
  period: Type.String(),
  ...Figures,
  periods: Type.Array(Type.Object({ start: Instant, ...Figures })),
  monitors: Type.Array(Type.Object({ monitorId: Type.Union([Type.String(), Type.Null()]), ...Figures })),
});

export const IncidentIdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

export const errorResponses = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse, 429: ErrorResponse };
