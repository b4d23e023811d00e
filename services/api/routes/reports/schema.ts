import { Type, type Static } from 'typebox';
import { ErrorResponse } from '../shared-schemas.js';
import { stringEnum } from '../enum-schema.js';

export const REPORT_FORMATS = ['json', 'csv'] as const;
import { MONTH_PATTERN } from '../../../lib/reports/sla-report.js';

const Instant = Type.String({ format: 'date-time' });
const NullableNumber = Type.Union([Type.Number(), Type.Null()]);

export const CreateReportBody = Type.Object({
  month: Type.Optional(Type.String({ pattern: MONTH_PATTERN, description: 'The calendar month, YYYY-MM (UTC); default the last whole month. The month in progress is reported up to now.' })),
  monitorIds: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { minItems: 1, maxItems: 1000, uniqueItems: true, description: 'Default: every monitor of the organization' })),
}, { additionalProperties: false });
export type CreateReportBody = Static<typeof CreateReportBody>;

const figures = {
  uptimePercentage: Type.Union([Type.Number(), Type.Null()], { description: 'Up checks over up and down checks; null without checks. Skipped and missed slots and muted maintenance are left out.' }),
  totalChecks: Type.Integer(),
  failedChecks: Type.Integer(),
  avgResponseTimeMs: NullableNumber,
  p95ResponseTimeMs: NullableNumber,
};

const ReportIncident = Type.Object({
  id: Type.String(),
  monitorId: Type.Union([Type.String(), Type.Null()]),
  title: Type.String(),
  severity: Type.String(),
  kind: Type.String(),
  startedAt: Instant,
  resolvedAt: Type.Union([Instant, Type.Null()]),
  durationSeconds: Type.Integer({ description: 'To resolution, or to the period end when still open' }),
});

const ReportMonitor = Type.Object({
  monitorId: Type.String(),
  name: Type.String(),
  type: Type.String(),
  ...figures,
  regions: Type.Array(Type.Object({ region: Type.String(), ...figures })),
  incidentCount: Type.Integer(),
  downtimeSeconds: Type.Integer({ description: 'Time in the period covered by the monitor\'s incidents' }),
  meanTimeToResolveSeconds: Type.Union([Type.Integer(), Type.Null()]),
});

const reportHead = {
  id: Type.String(),
  month: Type.String(),
  periodStart: Instant,
  periodEnd: Instant,
  complete: Type.Boolean({ description: 'False for the month in progress (figures up to the generation time)' }),
  createdAt: Instant,
  summary: Type.Object({
    monitorCount: Type.Integer(),
    uptimePercentage: Type.Union([Type.Number(), Type.Null()]),
    totalChecks: Type.Integer(),
    failedChecks: Type.Integer(),
    incidentCount: Type.Integer(),
    downtimeSeconds: Type.Integer(),
    meanTimeToResolveSeconds: Type.Union([Type.Integer(), Type.Null()]),
  }),
};

export const ReportResponse = Type.Object({ ...reportHead, monitors: Type.Array(ReportMonitor), incidents: Type.Array(ReportIncident) });
export const ReportList = Type.Object({ items: Type.Array(Type.Object(reportHead)), totalCount: Type.Integer() });

export const ListReportsQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
}, { additionalProperties: false });
export type ListReportsQuery = Static<typeof ListReportsQuery>;

export const GetReportQuery = Type.Object({
  format: Type.Optional(stringEnum(REPORT_FORMATS, { description: 'csv: one row per monitor and per monitor and region. Default json, or csv when Accept asks for text/csv.' })),
}, { additionalProperties: false });

export const ReportIdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

export const errorResponses = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 429: ErrorResponse };
