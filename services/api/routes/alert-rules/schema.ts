import { Type, type Static } from 'typebox';
import { ALERT_EVENT_TYPES } from '../../../alerting/events.js';
import { MONITOR_TYPE_NAMES } from '../../../lib/monitors/model.js';
import { stringEnum } from '../enum-schema.js';
import { ErrorResponse } from '../shared-schemas.js';

const Id = Type.String({ minLength: 1, maxLength: 64 });

export const AlertRuleBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  enabled: Type.Optional(Type.Boolean({ default: true })),
  monitorIds: Type.Optional(Type.Union([Type.Array(Id, { maxItems: 500, uniqueItems: true }), Type.Null()], {
    description: 'Only these monitors; null or omitted = every monitor of the organization',
  })),
  tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
    maxItems: 50, uniqueItems: true, description: 'Only monitors carrying every one of these tags (AND); empty = any',
  })),
  monitorTypes: Type.Optional(Type.Array(stringEnum(MONITOR_TYPE_NAMES), { uniqueItems: true, description: 'Only monitors of these types; empty = any' })),
  events: Type.Optional(Type.Array(stringEnum(ALERT_EVENT_TYPES), { minItems: 1, uniqueItems: true, description: 'Which events the rule sends; omitted = all of them' })),
  channelIds: Type.Array(Id, { minItems: 1, maxItems: 50, uniqueItems: true, description: 'Alert channels (ch_…) of this organization' }),
  escalationPolicyId: Type.Optional(Type.Union([Id, Type.Null()], { description: 'An escalation policy (esc_…) started for the incidents of the monitors the rule matches; null = none' })),
}, { additionalProperties: false });
export type AlertRuleBody = Static<typeof AlertRuleBody>;

export const AlertRuleResponse = Type.Object({
  id: Type.String(),
  name: Type.String(),
  enabled: Type.Boolean(),
  monitorIds: Type.Union([Type.Array(Type.String()), Type.Null()]),
  tags: Type.Array(Type.String()),
  monitorTypes: Type.Array(Type.String()),
  events: Type.Array(Type.String()),
  channelIds: Type.Array(Type.String()),
  escalationPolicyId: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export const AlertRuleList = Type.Object({ items: Type.Array(AlertRuleResponse), totalCount: Type.Integer() });

export const ListAlertRulesQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
}, { additionalProperties: false });
export type ListAlertRulesQuery = Static<typeof ListAlertRulesQuery>;

export const AlertRuleIdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

export const errorResponses = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 429: ErrorResponse };
