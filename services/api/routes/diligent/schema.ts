/**
 * The Diligent surface's request and response schemas, for the OpenAPI document (tag
 * "Diligent monitorings"). Requests are validated by input.ts (zod), so errors come out in
 * the document's zod-style shape; these schemas say the same rules for readers and clients.
 */
import { Type, type Static } from 'typebox';
import { CHECK_NAMES, FREQUENCIES, RUNNING_STATES } from '../../../diligent/contract.js';

const Instant = Type.String({ format: 'date-time' });
const NullableInstant = Type.Union([Instant, Type.Null()]);
const CheckNames = Type.Array(Type.String({ enum: [...CHECK_NAMES] }), { minItems: 1, maxItems: CHECK_NAMES.length, uniqueItems: true });

export const CreateMonitoringBody = Type.Object({
  website: Type.String({ maxLength: 2048, description: 'The URL to monitor (validated by the SSRF guard and sanitised)' }),
  checks: CheckNames,
  frequency: Type.Optional(Type.String({ description: `Case-insensitive: ${FREQUENCIES.join(', ')} (default every_2_weeks)` })),
  expires_at: Type.Optional(Instant),
  run_now: Type.Optional(Type.Boolean({ default: true })),
}, { additionalProperties: false });

export const UpdateMonitoringBody = Type.Object({
  checks: Type.Optional(CheckNames),
  frequency: Type.Optional(Type.String()),
  expires_at: Type.Optional(Instant),
  is_active: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });

/** One check's findings: verdict flagged | clear | inconclusive, confidence 0–1, evidence. */
const Finding = Type.Object({}, {
  additionalProperties: true,
  description: 'One check\'s finding: check, verdict (flagged | clear | inconclusive), confidence 0–1, summary, evidence, details, region; '
    + 'with several Diligent regions also regions ({<region>: {verdict, confidence, summary}}) and regions_disagree (flagged in one region, clear in another)',
});

export const MonitoringResponse = Type.Object({
  id: Type.String({ format: 'uuid' }),
  website: Type.String(),
  customer_id: Type.String(),
  checks: Type.Array(Type.String()),
  frequency: Type.String({ enum: FREQUENCIES }),
  expires_at: Instant,
  is_active: Type.Boolean(),
  running_state: Type.String({ enum: [...RUNNING_STATES] }),
  next_run_at: NullableInstant,
  last_execution: NullableInstant,
  execution_results: Type.Array(Finding, { description: 'The findings of the latest finished execution, one per check' }),
  created_at: Instant,
  updated_at: Instant,
});

export const MonitoringList = Type.Object({
  data: Type.Array(MonitoringResponse),
  total: Type.Integer(),
  limit: Type.Integer(),
  offset: Type.Integer(),
});

export const ExecutionResponse = Type.Object({
  id: Type.String(),
  monitoring_id: Type.String(),
  trigger: Type.String({ enum: ['schedule', 'run_now'] }),
  status: Type.String({ enum: ['queued', 'running', 'completed'] }),
  checks: Type.Array(Type.String()),
  queued_at: Instant,
  started_at: NullableInstant,
  finished_at: NullableInstant,
  results: Type.Array(Finding),
});

export const ExecutionList = Type.Object({
  data: Type.Array(ExecutionResponse),
  total: Type.Integer(),
  limit: Type.Integer(),
  offset: Type.Integer(),
});

export const MonitoringIdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
export const PageQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
});

const Issue = Type.Object({ code: Type.String(), message: Type.String(), path: Type.Array(Type.Union([Type.String(), Type.Integer()])) });
/** `{"error": "Monitor already exists"}` or `{"error": [{code, message, path}]}`, as the document shows. */
export const DiligentError = Type.Object({ error: Type.Union([Type.String(), Type.Array(Issue)]) });
export const errorResponses = { 400: DiligentError, 401: DiligentError, 403: DiligentError, 404: DiligentError, 409: DiligentError, 429: DiligentError };

export type CreateMonitoringBody = Static<typeof CreateMonitoringBody>;
export type UpdateMonitoringBody = Static<typeof UpdateMonitoringBody>;

export const MccOverridesBody = Type.Object({
  overrides: Type.Array(Type.Object({ mcc: Type.String({ pattern: '^[0-9]{4}$' }), high_risk: Type.Boolean() }, { additionalProperties: false }), { maxItems: 500 }),
}, { additionalProperties: false });

export const MccSettingsResponse = Type.Object({
  table_version: Type.String(),
  program: Type.Array(Type.Object({ mcc: Type.String(), program: Type.String(), tier: Type.Union([Type.Integer(), Type.Null()]) })),
  overrides: Type.Array(Type.Object({ mcc: Type.String(), high_risk: Type.Boolean() })),
  high_risk_mccs: Type.Array(Type.String(), { description: 'The set high_risk_mcc flags for this organization' }),
});
