/**
 * A CheckResult off the wire → the row it becomes, field by field from the column table
 * (services/lib/results/columns.ts). The region is the token's, whatever the agent wrote;
 * enums become the names dashboards filter on.
 */
import { CheckPhase, CheckResult, CheckStatus, ErrorKind } from '../../proto/generated/pharos/v1/result.js';
import { CheckType } from '../../proto/generated/pharos/v1/check.js';
import { RESULT_FIELDS, type ResultField } from '../lib/results/columns.js';
import type { StoredResult } from '../lib/results/types.js';

const TYPE_NAMES: Partial<Record<CheckType, string>> = {
  [CheckType.CHECK_TYPE_PORT]: 'Port',
  [CheckType.CHECK_TYPE_PING]: 'Ping',
  [CheckType.CHECK_TYPE_DNS]: 'Dns',
  [CheckType.CHECK_TYPE_DOMAIN]: 'Domain',
  [CheckType.CHECK_TYPE_JOB]: 'Job',
  [CheckType.CHECK_TYPE_WEBSITE]: 'Website',
};

const STATUS: Partial<Record<CheckStatus, StoredResult['status']>> = {
  [CheckStatus.CHECK_STATUS_UP]: 'up',
  [CheckStatus.CHECK_STATUS_DOWN]: 'down',
  [CheckStatus.CHECK_STATUS_SKIPPED]: 'skipped',
  [CheckStatus.CHECK_STATUS_MISSED]: 'missed',
};

/** ERROR_KIND_CONNECTION_REFUSED → 'connection_refused'; *_UNSPECIFIED → ''. */
function enumName(value: number, names: Record<number, string>, prefix: string): string {
  const name = names[value];
  if (!name || name.endsWith('_UNSPECIFIED')) return '';
  return name.slice(prefix.length).toLowerCase();
}

export const errorKindName = (r: CheckResult) => enumName(r.errorKind, ErrorKind as unknown as Record<number, string>, 'ERROR_KIND_');
export const errorPhaseName = (r: CheckResult) => enumName(r.errorPhase, CheckPhase as unknown as Record<number, string>, 'CHECK_PHASE_');

/** Fields whose wire value is an enum, named here because the column table holds no proto code. */
const NAMED_ENUMS = {
  type: (r: CheckResult) => TYPE_NAMES[r.type] ?? '',
  errorKind: errorKindName,
  errorPhase: errorPhaseName,
} satisfies { [K in keyof StoredResult]?: (r: CheckResult) => StoredResult[K] };

/** Fields the column table marks as decided by ingest, not read from the message. */
type DecidedByIngest = Pick<StoredResult, 'region' | 'retentionDays' | 'status' | 'inMaintenance'>;

type Reader = (r: CheckResult, decided: DecidedByIngest) => unknown;

function readerOf(key: keyof StoredResult, field: ResultField<unknown>): Reader {
  if (key in NAMED_ENUMS) return NAMED_ENUMS[key as keyof typeof NAMED_ENUMS];
  if (key === 'status') return (_r, decided) => decided.status;
  if (field.wire === 'ingest') {
    if (key !== 'region' && key !== 'retentionDays' && key !== 'inMaintenance') throw new Error(`ingest does not know how to set ${key}`);
    return (_r, decided) => decided[key];
  }
  // Wire paths are one or two steps (`statusCode`, `tls.issuer`): a closure for each shape,
  // as this runs for every field of every result.
  const [first, second, ...rest] = field.wire.split('.');
  if (rest.length > 0) throw new Error(`wire path ${field.wire} is deeper than two steps`);
  if (second === undefined) return (r) => field.fromWire((r as unknown as Record<string, unknown>)[first]);
  return (r) => field.fromWire(((r as unknown as Record<string, unknown>)[first] as Record<string, unknown> | undefined)?.[second]);
}

const READERS = (Object.entries(RESULT_FIELDS) as Array<[keyof StoredResult, ResultField<unknown>]>)
  .map(([key, field]) => [key, readerOf(key, field)] as const);

export class InvalidResult extends Error {}

/**
 * Throws InvalidResult for a result no retry can fix (missing ids, no status).
 * `inMaintenance` is false here; the result writer sets it from the maintenance calendar.
 */
export function toStoredResult(r: CheckResult, region: string, retentionDays: number): StoredResult {
  if (!r.resultId || !r.orgId || !r.monitorId) throw new InvalidResult('result_id, org_id and monitor_id are required');
  const status = STATUS[r.status];
  if (!status) throw new InvalidResult(`result ${r.resultId} has no status`);
  const decided: DecidedByIngest = { region, retentionDays, status, inMaintenance: false };
  const out: Partial<Record<keyof StoredResult, unknown>> = {};
  for (let i = 0; i < READERS.length; i++) out[READERS[i][0]] = READERS[i][1](r, decided);
  return out as StoredResult;
}
