import { Type, type Static } from 'typebox';
import { ErrorResponse } from '../shared-schemas.js';

const Step = Type.Object({
  delayMinutes: Type.Integer({ minimum: 0, maximum: 10_080, description: 'Minutes unacknowledged after the step before (the first: after the incident opened)' }),
  channelIds: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 50, uniqueItems: true, description: "The organization's alert channels to notify; default none" })),
  memberIds: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), {
    maxItems: 50, uniqueItems: true, description: "Team members (`mem_…`, of the organization's teams) to email through the operator's SMTP; default none. A step names at least one channel or member",
  })),
}, { additionalProperties: false });

export const EscalationPolicyBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  steps: Type.Array(Step, { minItems: 1, maxItems: 10 }),
  repeatCount: Type.Optional(Type.Integer({ minimum: 0, maximum: 10, description: 'How many more times the steps run after the first round; default 0' })),
}, { additionalProperties: false });
export type EscalationPolicyBody = Static<typeof EscalationPolicyBody>;

export const EscalationPolicyResponse = Type.Object({
  id: Type.String(),
  name: Type.String(),
  steps: Type.Array(Type.Object({ delayMinutes: Type.Integer(), channelIds: Type.Array(Type.String()), memberIds: Type.Array(Type.String()) })),
  repeatCount: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export const EscalationPolicyList = Type.Object({ items: Type.Array(EscalationPolicyResponse), totalCount: Type.Integer() });

export const ListEscalationPoliciesQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
}, { additionalProperties: false });
export type ListEscalationPoliciesQuery = Static<typeof ListEscalationPoliciesQuery>;

export const EscalationPolicyIdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

export const errorResponses = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse, 429: ErrorResponse };
