import { Type, type Static } from 'typebox';
import { INCIDENT_STATUSES } from '../../../alerting/incident-store.js';
import { stringEnum } from '../enum-schema.js';
import { ErrorResponse } from '../shared-schemas.js';

export const IncidentResponse = Type.Object({
  id: Type.String(),
  monitorId: Type.String(),
  title: Type.String(),
  status: Type.String({ description: 'Open or Resolved' }),
  cause: Type.String({ description: 'The error that took the monitor down' }),
  startedAt: Type.String({ format: 'date-time' }),
  resolvedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  durationSeconds: Type.Union([Type.Integer(), Type.Null()], { description: 'Until resolved; null while open' }),
  regions: Type.Array(Type.Object({ region: Type.String(), verdict: Type.String(), consecutiveFailures: Type.Integer(), lastError: Type.String() })),
});
export const IncidentList = Type.Object({ items: Type.Array(IncidentResponse), totalCount: Type.Integer() });

export const ListIncidentsQuery = Type.Object({
  monitorId: Type.Optional(Type.String({ maxLength: 64 })),
  status: Type.Optional(stringEnum(INCIDENT_STATUSES)),
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
}, { additionalProperties: false });
export type ListIncidentsQuery = Static<typeof ListIncidentsQuery>;

export const IncidentIdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

export const errorResponses = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 429: ErrorResponse };
