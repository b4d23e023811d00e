import { Type, type Static } from 'typebox';
import { MAINTENANCE_MODES } from '../../../alerting/maintenance/schedule.js';
import { stringEnum } from '../enum-schema.js';
import { ErrorResponse } from '../shared-schemas.js';

const Instant = Type.String({ format: 'date-time' });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Optional(Type.Union([t, Type.Null()]));

export const MaintenanceWindowBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  mode: stringEnum(MAINTENANCE_MODES, { description: 'mute: checks run, no alerts or incidents; pause: no checks' }),
  startsAt: Nullable(Instant),
  endsAt: Nullable(Instant),
  cronExpression: Nullable(Type.String({ minLength: 1, maxLength: 200 })),
  rrule: Nullable(Type.String({ minLength: 1, maxLength: 500, description: 'An RFC 5545 RRULE without DTSTART (startsAt anchors it), e.g. FREQ=WEEKLY;BYDAY=SU;BYHOUR=2;BYMINUTE=0' })),
  durationMinutes: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 10_080 }), Type.Null()])),
  timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone of a recurring window; default UTC' })),
  monitorIds: Type.Optional(Type.Union([Type.Array(Type.String({ maxLength: 64 }), { maxItems: 500, uniqueItems: true }), Type.Null()])),
  tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 50, uniqueItems: true })),
  allMonitors: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });
export type MaintenanceWindowBody = Static<typeof MaintenanceWindowBody>;

const NullableInstant = Type.Union([Instant, Type.Null()]);
export const MaintenanceWindowResponse = Type.Object({
  id: Type.String(),
  name: Type.String(),
  mode: Type.String(),
  startsAt: NullableInstant,
  endsAt: NullableInstant,
  cronExpression: Type.Union([Type.String(), Type.Null()]),
  rrule: Type.Union([Type.String(), Type.Null()]),
  durationMinutes: Type.Union([Type.Integer(), Type.Null()]),
  timezone: Type.String(),
  monitorIds: Type.Union([Type.Array(Type.String()), Type.Null()]),
  tags: Type.Array(Type.String()),
  allMonitors: Type.Boolean(),
  active: Type.Boolean({ description: 'Whether the window is on now' }),
  currentStart: NullableInstant,
  currentEnd: NullableInstant,
  nextStart: Type.Union([Instant, Type.Null()], { description: 'The next scheduled start, null when none' }),
  createdAt: Instant,
  updatedAt: Instant,
});
export const MaintenanceWindowList = Type.Object({ items: Type.Array(MaintenanceWindowResponse), totalCount: Type.Integer() });

export const ListMaintenanceWindowsQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
}, { additionalProperties: false });
export type ListMaintenanceWindowsQuery = Static<typeof ListMaintenanceWindowsQuery>;

export const StartNowBody = Type.Object({
  durationMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_080, description: "Default: the window's own duration (60 for a one-off window)" })),
}, { additionalProperties: false });

export const MaintenanceWindowIdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

export const errorResponses = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse, 429: ErrorResponse };
