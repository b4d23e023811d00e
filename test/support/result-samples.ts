/**
 * Results with every field set, built by walking the generated CheckResult rather than by
 * listing fields, so a new proto field shows up here without an edit.
 */
import {
  AssertionOutcome, CheckPhase, CheckResult, CheckStatus, DnsAnswer, DomainInfo, ErrorKind, PhaseTimings, PingStats, TlsInfo,
} from '../../proto/generated/pharos/v1/result.js';
import { CheckType } from '../../proto/generated/pharos/v1/check.js';
import { toStoredResult } from '../../services/ingest/to-stored-result.js';
import type { StoredResult } from '../../services/lib/results/types.js';

/** The message type behind each message-valued CheckResult field (repeated or not). */
export const MESSAGE_FIELDS: Record<string, { fromPartial(o: object): object }> = {
  timings: PhaseTimings, tls: TlsInfo, ping: PingStats, dns: DnsAnswer, domain: DomainInfo, assertions: AssertionOutcome,
};

/** Every leaf of a CheckResult in ts-proto names: `statusCode`, `tls.issuer`, `assertions.passed`. */
export function wireLeaves(): string[] {
  const leaves: string[] = [];
  for (const [key, base] of Object.entries(CheckResult.fromPartial({}))) {
    const message = MESSAGE_FIELDS[key];
    if (base === undefined && !message) throw new Error(`CheckResult.${key} is a message: add its type to MESSAGE_FIELDS`);
    if (message) for (const sub of Object.keys(message.fromPartial({}))) leaves.push(`${key}.${sub}`);
    else leaves.push(key);
  }
  return leaves;
}

// Enums get a named value (a number would not be one of theirs); other numbers are distinct.
const ENUM_VALUES: Record<string, number> = {
  type: CheckType.CHECK_TYPE_WEBSITE, status: CheckStatus.CHECK_STATUS_DOWN,
  errorKind: ErrorKind.ERROR_KIND_TIMEOUT, errorPhase: CheckPhase.CHECK_PHASE_TTFB,
};

const OTHER_ENUM_VALUES: Record<string, number> = {
  type: CheckType.CHECK_TYPE_PORT, status: CheckStatus.CHECK_STATUS_UP,
  errorKind: ErrorKind.ERROR_KIND_DNS, errorPhase: CheckPhase.CHECK_PHASE_CONNECT,
};

/** Another valid value for a CheckResult leaf. */
export function changedWire(leaf: string): (v: unknown) => unknown {
  return leaf in OTHER_ENUM_VALUES ? () => OTHER_ENUM_VALUES[leaf] : changed;
}

/** A CheckResult with every leaf set to a value of its own. */
export function fullCheckResult(): CheckResult {
  let n = 0;
  const fill = (base: object, prefix: string): Record<string, unknown> => Object.fromEntries(Object.entries(base).map(([k, v]) => {
    const path = `${prefix}${k}`;
    n += 1;
    if (path in ENUM_VALUES) return [k, ENUM_VALUES[path]];
    if (typeof v === 'string') return [k, `${path}-value`];
    if (typeof v === 'number') return [k, 1000 + n];
    if (typeof v === 'boolean') return [k, true];
    if (Array.isArray(v)) return [k, [`${path}-a`, `${path}-b`]];
    throw new Error(`no sample for ${path}`);
  }));
  const out: Record<string, unknown> = fill(Object.fromEntries(Object.entries(CheckResult.fromPartial({})).filter(([k]) => !MESSAGE_FIELDS[k])), '');
  for (const [key, type] of Object.entries(MESSAGE_FIELDS)) {
    const message = fill(type.fromPartial({}), `${key}.`);
    out[key] = Array.isArray(CheckResult.fromPartial({})[key as keyof CheckResult]) ? [message, { ...message, passed: false }] : message;
  }
  return CheckResult.fromPartial(out as Partial<CheckResult>);
}

export const SAMPLE_REGION = 'token-region';

/** A stored result with every field set: what ingest makes of fullCheckResult(). */
export function fullStoredResult(): StoredResult {
  return toStoredResult(fullCheckResult(), SAMPLE_REGION, 45);
}

/** Another value of the same type: for "does this input reach that output" tests. */
export function changed(v: unknown): unknown {
  if (typeof v === 'string') return `${v}~`;
  if (typeof v === 'number') return v + 86_400_000 + 1;
  if (typeof v === 'boolean') return !v;
  if (Array.isArray(v)) return v.length > 0 ? v.map(changed) : ['added'];
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, changed(x)]));
  throw new Error(`cannot change ${String(v)}`);
}

export function getPath(o: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], o);
}

/** A deep copy of `o` with the value at `path` replaced; arrays of messages change in each element. */
export function withPath<T>(o: T, path: string, change: (v: unknown) => unknown): T {
  const copy = structuredClone(o) as Record<string, unknown>;
  const [head, ...rest] = path.split('.');
  if (rest.length === 0) copy[head] = change(copy[head]);
  else if (Array.isArray(copy[head])) copy[head] = (copy[head] as unknown[]).map((e) => withPath(e, rest.join('.'), change));
  else copy[head] = withPath(copy[head], rest.join('.'), change);
  return copy as T;
}
