import { ADDED_FIELDS, RESULT_FIELDS, type FieldValues } from './columns.js';

/**
 * A check result as stored in check_results_v1 and returned by the api: one property per
 * field of the column table (columns.ts), so a field is added there, not here.
 */
export type StoredResult = FieldValues<typeof RESULT_FIELDS>;

/** What each check type records besides timings; empty when it does not apply. */
export type ResultDetails = FieldValues<typeof ADDED_FIELDS>;

export interface RecordedAssertion {
  source: string;
  operator: string;
  expected: string;
  actual: string;
  passed: boolean;
}

export const NO_DETAILS: Readonly<ResultDetails> = Object.freeze(
  Object.fromEntries(Object.entries(ADDED_FIELDS).map(([key, field]) => [key, field.empty])) as ResultDetails,
);

export interface RecentResultsQuery {
  orgId: string;
  monitorId: string;
  limit: number;
  /** Only results that started before this instant, unix ms (paging). */
  beforeMs?: number;
  region?: string;
}

export interface StatsQuery {
  orgId: string;
  monitorId: string;
  fromMs: number;
  toMs: number;
}

export interface StatsFigures {
  /** Up checks / (up + down) checks × 100; null when there were no checks. Skipped and missed slots do not count. */
  uptimePercentage: number | null;
  totalChecks: number;
  failedChecks: number;
  avgResponseTimeMs: number | null;
  p50ResponseTimeMs: number | null;
  p95ResponseTimeMs: number | null;
  p99ResponseTimeMs: number | null;
}

export interface PeriodFiguresQuery {
  orgId: string;
  monitorIds: readonly string[];
  /** [fromMs, toMs): a report's period ends where the next one starts. */
  fromMs: number;
  toMs: number;
}

export interface MonitorStats extends StatsFigures {
  byRegion: Array<StatsFigures & { region: string }>;
}
