/**
 * The monitor as the Enori document defines it: the fields every type has (schedule, timeout,
 * thresholds, alerts, regions, tags) plus each check type's own (contracts/checks/), with their
 * limits and defaults in one place.
 */
import { Type } from 'typebox';
import { CHECK_FIELD_SPECS, MONITOR_TYPES, MONITOR_TYPE_NAMES, checkFieldDefaults, type CheckFields, type MonitorTypeName } from './checks/index.js';
import { field, integerField, nullable } from './checks/fields.js';
import { MAX_CHECK_TIMEOUT_SECONDS } from './limits.js';
import type { FieldSpec } from './checks/contract.js';

export const COMMON_FIELDS = {
  // The accepted range is the operator's (PHAROS_MIN/MAX_INTERVAL_SECONDS), checked by the api's input rules.
  intervalSeconds: field<number>(Type.Integer({ default: 60, description: 'Seconds between checks, within the range the operator allows (default 5 s to 24 h)' }), 60),
  timeoutSeconds: integerField({ min: 1, max: MAX_CHECK_TIMEOUT_SECONDS }, 30, 'The check\'s whole time budget; at most intervalSeconds. Omitted: 30, or the interval when shorter'),
  failureThreshold: integerField({ min: 1, max: 100 }, 1, 'Consecutive failures before a region counts as down'),
  recoveryThreshold: integerField({ min: 1, max: 100 }, 1, 'Consecutive successes before a region counts as up again'),
  regionQuorum: field<number | null>(nullable(Type.Integer({ minimum: 1, maximum: 64, description: 'Regions that must agree before the monitor is Down; null = a majority' })), null),
  alertOnDown: field<boolean>(Type.Boolean({ default: true }), true),
  alertOnRecovered: field<boolean>(Type.Boolean({ default: true }), true),
  p95ThresholdMs: field<number | null>(nullable(Type.Integer({ minimum: 1, maximum: 300_000, description: 'monitor.degraded when the P95 response time over p95WindowSeconds exceeds this; null = off' })), null),
  p95WindowSeconds: integerField({ min: 60, max: 86_400 }, 300, 'The sliding window of successful checks (all regions) whose P95 is compared with p95ThresholdMs'),
  alertChannelIds: field<string[]>(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 50 }), []),
  escalationPolicyId: field<string | null>(nullable(Type.String({ maxLength: 64, description: "The organization's escalation policy for this monitor's incidents; null = none" })), null),
  /** Default: every region the operator declared (filled in by `monitorDefaults`). */
  regions: field<string[]>(Type.Array(Type.String({ minLength: 1, maxLength: 32 }), { minItems: 1, maxItems: 64, description: 'Regions to check from; default: every declared region' }), []),
  tags: field<string[]>(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 50 }), []),
};

export type CommonFields = { [K in keyof typeof COMMON_FIELDS]: (typeof COMMON_FIELDS)[K]['default'] };

/** Everything a client configures. */
export type MonitorConfig = { name: string; type: MonitorTypeName } & CommonFields & CheckFields;

/** Every configurable field after name and type, in the API's order, with its spec. */
export const MONITOR_FIELD_SPECS: { readonly [K in Exclude<keyof MonitorConfig, 'name' | 'type'>]: FieldSpec<MonitorConfig[K]> } = {
  ...CHECK_FIELD_SPECS,
  ...COMMON_FIELDS,
} as never;

/** Defaults for every field a client may omit (PUT resets omitted fields to these). */
export function monitorDefaults(declaredRegions: readonly string[]): Omit<MonitorConfig, 'name' | 'type'> {
  const common = Object.fromEntries(Object.entries(COMMON_FIELDS).map(([k, spec]) => [k, structuredClone(spec.default)])) as CommonFields;
  return { ...checkFieldDefaults(), ...common, regions: [...declaredRegions] };
}

/** The timeout a monitor gets when the client sends none: the default, but never longer than the interval. */
export function defaultTimeoutSeconds(intervalSeconds: number): number {
  return Math.max(COMMON_FIELDS.timeoutSeconds.limits.min, Math.min(COMMON_FIELDS.timeoutSeconds.default, intervalSeconds));
}

/** Fields that may be null (null, or omitted, means "not set"). */
export const NULLABLE_FIELDS = (Object.entries(MONITOR_FIELD_SPECS) as [keyof MonitorConfig, FieldSpec<unknown>][])
  .filter(([, spec]) => spec.default === null)
  .map(([name]) => name);

/**
 * Fields that belong to some types only and are refused (unless null) on the others: the
 * targets and a Job's schedule. Other types' settings are tolerated and stored with their
 * defaults, so a client may send back a whole monitor it read.
 */
export const EXCLUSIVE_FIELDS = ['url', 'hostname', 'port', 'cronExpression', 'periodSeconds'] as const;

export { MONITOR_TYPES, MONITOR_TYPE_NAMES, type MonitorTypeName };
