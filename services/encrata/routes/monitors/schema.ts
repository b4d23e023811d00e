/**
 * The Encrata document's shapes, snake_case as documented: `POST /api/monitors` and the
 * object it returns, plus what a user of that API expects around it (list, get, update,
 * pause/resume, run now, targets, records and change history).
 */
import { Type, type Static } from 'typebox';
import { ErrorResponse } from '../../../api/routes/shared-schemas.js';
import { stringEnum } from '../../../api/routes/enum-schema.js';
import { CHANGE_DETECTION_MODES, DATA_SOURCE_TYPES, ENTITY_MONITOR_STATUSES, FREQUENCIES, MAX_TARGETS, MONITOR_TYPES } from '../../model.js';

const Instant = Type.String({ format: 'date-time' });
const TargetText = Type.String({ minLength: 1, maxLength: 320 });
export const JsonPointer = Type.String({ pattern: '^(/([^~/]|~[01])*)+$', maxLength: 200, description: 'A JSON Pointer (RFC 6901) into a target\'s record, e.g. "/mx/hosts"' });

export const CreateMonitorBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200, description: 'A display name for the monitor.' }),
  monitor_type: Type.Optional(stringEnum(MONITOR_TYPES, { default: 'email', description: 'The type of targets to monitor.' })),
  emails: Type.Optional(Type.Array(TargetText, { maxItems: MAX_TARGETS, description: 'Email addresses to monitor. Required when monitor_type is email (and data_source_type is csv).' })),
  targets: Type.Optional(Type.Array(TargetText, { maxItems: MAX_TARGETS, description: 'Targets to monitor (phone numbers in international format, domains, IPs, company names, dark-web search terms). Required when monitor_type is not email (and data_source_type is csv).' })),
  frequency: Type.Optional(stringEnum(FREQUENCIES, { default: 'monthly', description: 'How often to run enrichment.' })),
  change_detection: Type.Optional(stringEnum(CHANGE_DETECTION_MODES, { default: 'diff_only', description: 'diff_only: only changed targets and fields are reported, after the baseline run; full_refresh: every target\'s whole record each run, with the diff attached.' })),
  data_source_type: Type.Optional(stringEnum(DATA_SOURCE_TYPES, { default: 'csv', description: 'Where targets come from: csv = the emails/targets given here (or a CSV upload); list = a contact list.' })),
  data_source_ref: Type.Optional(Type.String({ maxLength: 64, description: 'The contact list id when data_source_type is list.' })),
  tracked_fields: Type.Optional(Type.Array(JsonPointer, { maxItems: 100, uniqueItems: true, description: 'JSON Pointers of the record fields whose changes are reported; empty = the type\'s default set (docs/encrata.md).' })),
}, { additionalProperties: false });
export type CreateMonitorBody = Static<typeof CreateMonitorBody>;

export const UpdateMonitorBody = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  emails: Type.Optional(Type.Array(TargetText, { maxItems: MAX_TARGETS, description: 'Replaces the targets of an email monitor' })),
  targets: Type.Optional(Type.Array(TargetText, { maxItems: MAX_TARGETS, description: 'Replaces the targets of another type\'s monitor' })),
  frequency: Type.Optional(stringEnum(FREQUENCIES)),
  change_detection: Type.Optional(stringEnum(CHANGE_DETECTION_MODES)),
  data_source_type: Type.Optional(stringEnum(DATA_SOURCE_TYPES)),
  data_source_ref: Type.Optional(Type.String({ maxLength: 64 })),
  tracked_fields: Type.Optional(Type.Array(JsonPointer, { maxItems: 100, uniqueItems: true })),
}, { additionalProperties: false });
export type UpdateMonitorBody = Static<typeof UpdateMonitorBody>;

export const MonitorResponse = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  monitor_type: stringEnum(MONITOR_TYPES),
  frequency: stringEnum(FREQUENCIES),
  change_detection: stringEnum(CHANGE_DETECTION_MODES),
  status: stringEnum(ENTITY_MONITOR_STATUSES),
  tracked_fields: Type.Array(Type.String(), { description: 'As set; empty = the type\'s defaults' }),
  target_count: Type.Integer(),
  next_run_at: Instant,
  created_at: Instant,
  // Added to the document's object (never renamed):
  data_source_type: stringEnum(DATA_SOURCE_TYPES),
  data_source_ref: Type.Union([Type.String(), Type.Null()]),
  last_run_at: Type.Union([Instant, Type.Null()]),
  updated_at: Instant,
});
export const MonitorList = Type.Object({ items: Type.Array(MonitorResponse), total_count: Type.Integer() });

export const ListMonitorsQuery = Type.Object({
  monitor_type: Type.Optional(stringEnum(MONITOR_TYPES)),
  status: Type.Optional(stringEnum(ENTITY_MONITOR_STATUSES)),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
}, { additionalProperties: false });
export type ListMonitorsQuery = Static<typeof ListMonitorsQuery>;

export const Page = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
}, { additionalProperties: false });

export const MonitorIdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
export const TargetParams = Type.Object({ id: Type.String({ maxLength: 64 }), target: Type.String({ minLength: 1, maxLength: 320 }) });

const FieldChange = Type.Object({
  field: Type.String({ description: 'JSON Pointer of the changed field' }),
  kind: stringEnum(['added', 'removed', 'changed'] as const),
  before: Type.Optional(Type.Unknown()),
  after: Type.Optional(Type.Unknown()),
});
export const ChangeResponse = Type.Object({ id: Type.String(), run_id: Type.String(), target: Type.String(), changes: Type.Array(FieldChange), created_at: Instant });
export const ChangeList = Type.Object({ items: Type.Array(ChangeResponse), total_count: Type.Integer() });

const TargetSummary = Type.Object({
  target: Type.String(),
  pinned_id: Type.Union([Type.String(), Type.Null()], { description: 'Company monitors: the pinned LEI or CIK' }),
  enriched_at: Type.Union([Instant, Type.Null()], { description: 'Null before the first run' }),
  changed_at: Type.Union([Instant, Type.Null()]),
  inconclusive: Type.Array(Type.String(), { description: 'Record sections a source could not answer at the last run (values carried over)' }),
});
export const TargetList = Type.Object({ items: Type.Array(TargetSummary), total_count: Type.Integer() });
export const TargetRecord = Type.Object({
  ...TargetSummary.properties,
  record: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()], { description: 'The canonical record (docs/encrata.md); null before the first run' }),
  hash: Type.Union([Type.String(), Type.Null()]),
});

export const PinBody = Type.Object({
  entity_id: Type.Union([Type.String({ pattern: '^([A-Z0-9]{18}[0-9]{2}|CIK[0-9]{1,10})$', description: 'An LEI (20 characters) or an SEC CIK as "CIK0000320193"' }), Type.Null()], { description: 'null unpins' }),
}, { additionalProperties: false });

export const RunResponse = Type.Object({
  id: Type.String(), trigger: Type.String(), baseline: Type.Boolean(),
  targets_total: Type.Integer(), targets_changed: Type.Integer(), targets_unchanged: Type.Integer(), targets_inconclusive: Type.Integer(),
  started_at: Instant, finished_at: Type.Union([Instant, Type.Null()]),
});
export const RunList = Type.Object({ items: Type.Array(RunResponse), total_count: Type.Integer() });

export const CsvBody = Type.String({ description: 'CSV: one target per row in the first column; a first row naming the column (email, target, …) is a header' });
export const CsvQuery = Type.Object({
  mode: Type.Optional(stringEnum(['replace', 'append'] as const, { default: 'replace' })),
}, { additionalProperties: false });

export const errorResponses = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse, 429: ErrorResponse };
