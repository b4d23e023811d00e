import { Type, type Static } from 'typebox';
import { ALERT_EVENT_TYPES, ALERT_TYPE_OF_EVENT } from '../../../alerting/events.js';
import { DELIVERY_STATUSES } from '../../../alerting/deliveries/delivery-store.js';
import { stringEnum } from '../enum-schema.js';
import { ErrorResponse } from '../shared-schemas.js';

export const ALERT_TYPES = ALERT_EVENT_TYPES.map((e) => ALERT_TYPE_OF_EVENT[e]);

const Attempt = Type.Object({
  attempt: Type.Integer({ description: '1 for the first send, then each retry' }),
  at: Type.String({ format: 'date-time' }),
  statusCode: Type.Union([Type.Integer(), Type.Null()], { description: 'The receiver\'s HTTP status (or SMTP reply code); null when nothing answered' }),
  error: Type.Union([Type.String(), Type.Null()]),
  durationMs: Type.Integer(),
});

const AlertFields = {
  id: Type.String(),
  monitorId: Type.Union([Type.String(), Type.Null()], { description: 'The monitor the event is about; null for an incident about no monitor' }),
  type: Type.String({ description: 'Down, Recovered, P95, SslExpiring, IncidentCreated or IncidentResolved' }),
  status: Type.String({ description: 'Delivery status: Pending, Retrying, Sent or Failed' }),
  message: Type.String(),
  channel: Type.Object({ id: Type.String(), name: Type.String(), type: Type.String() }),
  event: Type.Object({
    id: Type.String({ description: 'evt_…, the same on every retry; a Webhook delivery\'s `webhook-id` is this id, `_` and the channel id' }),
    type: Type.String({ description: 'monitor.down, monitor.up, …' }),
    payload: Type.Record(Type.String(), Type.Unknown(), { description: 'The Webhook payload as sent' }),
  }),
  attemptCount: Type.Integer(),
  nextAttemptAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'When the next try is due; null once Sent or Failed' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
};

export const AlertResponse = Type.Object({ ...AlertFields, attempts: Type.Array(Attempt) });
export const AlertList = Type.Object({ items: Type.Array(AlertResponse), totalCount: Type.Integer() });

export const ListAlertsQuery = Type.Object({
  monitorId: Type.Optional(Type.String({ maxLength: 64 })),
  status: Type.Optional(stringEnum(DELIVERY_STATUSES)),
  type: Type.Optional(stringEnum(ALERT_TYPES as unknown as readonly [string, ...string[]])),
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
}, { additionalProperties: false });
export type ListAlertsQuery = Static<typeof ListAlertsQuery>;

export const AlertIdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

export const errorResponses = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 429: ErrorResponse };
