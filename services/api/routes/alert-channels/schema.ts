import { Type, type Static, type TSchema } from 'typebox';
import { CHANNEL_TYPES } from '../../../alerting/channels/channel.js';
import { CHANNEL_TYPE_TABLE } from '../../../alerting/channels/index.js';
import { ErrorResponse } from '../shared-schemas.js';
import { stringEnum } from '../enum-schema.js';

export const MAX_CHANNEL_NAME = 100;

/** Every type's settings, each optional here: which ones a type takes is checked by the verb, in field names. */
const settingSchemas: Record<string, TSchema> = {};
for (const t of Object.values(CHANNEL_TYPE_TABLE)) {
  for (const [name, spec] of Object.entries(t.fields)) settingSchemas[name] = Type.Optional((spec as { schema: TSchema }).schema);
}

/** Flat, as the Enori Quick Start sends it: `{"name", "type": "Webhook", "webhookUrl"}`. */
export const ChannelBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: MAX_CHANNEL_NAME }),
  type: stringEnum(CHANNEL_TYPES, { description: 'Email, Slack, Discord, Teams or Webhook' }),
  ...settingSchemas,
}, { additionalProperties: false });
export type ChannelBody = Static<typeof ChannelBody> & Record<string, unknown>;

export const ChannelResponse = Type.Object({
  id: Type.String(),
  name: Type.String(),
  type: Type.String(),
  webhookUrl: Type.Optional(Type.String({ description: 'Masked: scheme and host only' })),
  recipients: Type.Optional(Type.Array(Type.String())),
  signingSecret: Type.Optional(Type.String({ description: 'Webhook only: the Standard Webhooks `whsec_…` secret, shown once (creation and rotation)' })),
  previousSecretRetiresAt: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'Webhook only: when the secret replaced by the last rotation stops signing' })),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export const ChannelList = Type.Object({ items: Type.Array(ChannelResponse), totalCount: Type.Integer() });

export const TestOutcome = Type.Object({
  delivered: Type.Boolean(),
  statusCode: Type.Union([Type.Integer(), Type.Null()], { description: 'The receiver\'s HTTP status or the SMTP reply code' }),
  error: Type.Union([Type.String(), Type.Null()]),
  eventId: Type.String(),
});

export const ChannelIdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
export const Page = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
}, { additionalProperties: false });

export const errorResponses = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 429: ErrorResponse, 503: ErrorResponse };
