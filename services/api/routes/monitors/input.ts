import { validationError, type FieldError } from '../../../lib/errors.js';
import { CHECK_CONTRACTS, MONITOR_TYPES, fieldsOf, type MonitorTypeName } from '../../../../contracts/checks/index.js';
import { EXCLUSIVE_FIELDS, NULLABLE_FIELDS, defaultTimeoutSeconds, monitorDefaults, type MonitorConfig } from '../../../../contracts/monitor.js';
import type { MonitorBody } from './schema.js';

export interface MonitorInputRules {
  declaredRegions: readonly string[];
  minIntervalSeconds: number;
  maxIntervalSeconds: number;
}

const TYPE_BY_NUMBER = new Map<number, MonitorTypeName>(Object.entries(MONITOR_TYPES).map(([k, v]) => [v, k as MonitorTypeName]));

export function monitorTypeName(input: string | number): MonitorTypeName {
  return typeof input === 'number' ? TYPE_BY_NUMBER.get(input)! : (input as MonitorTypeName);
}

/**
 * Turns a validated request body into a full monitor configuration: omitted fields take
 * their defaults (so PUT resets them, as the Enori document says). The rules a JSON schema
 * cannot express are the check type's contract (the same rules the agent applies), plus the
 * monitor-wide ones here, each reported against its field.
 */
export function toMonitorConfig(body: MonitorBody, rules: MonitorInputRules): MonitorConfig {
  const errors: FieldError[] = [];
  const type = monitorTypeName(body.type);
  const contract = CHECK_CONTRACTS[type];
  const config = {
    ...monitorDefaults(rules.declaredRegions),
    ...Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)),
    name: body.name.trim(),
    type,
  } as MonitorConfig;
  // Nullable fields sent as null mean "default".
  for (const k of NULLABLE_FIELDS) if (config[k] === undefined) (config as Record<string, unknown>)[k] = null;
  if (!config.name) errors.push({ field: '/name', message: 'must not be blank' });

  const { minIntervalSeconds: min, maxIntervalSeconds: max } = rules;
  if (config.intervalSeconds < min || config.intervalSeconds > max) {
    errors.push({ field: '/intervalSeconds', message: `must be from ${min} to ${max} seconds` });
  }
  if (body.timeoutSeconds === undefined) {
    config.timeoutSeconds = defaultTimeoutSeconds(config.intervalSeconds);
  } else if (config.timeoutSeconds > config.intervalSeconds && config.intervalSeconds >= min) {
    errors.push({ field: '/timeoutSeconds', message: 'must not exceed intervalSeconds' });
  }

  for (const k of EXCLUSIVE_FIELDS) {
    if (!(k in contract.fields) && config[k] !== null) {
      errors.push({ field: `/${k}`, message: type !== 'Job' && (k === 'cronExpression' || k === 'periodSeconds') ? 'is only used by Job monitors' : `is not used by ${type} monitors` });
    }
  }
  config.assertions = config.assertions.map((a) => ({ source: a.source, property: a.property ?? null, operator: a.operator, target: a.target ?? null }));
  const own = fieldsOf(type, config);
  errors.push(...(contract.validate as (f: typeof own, b: { timeoutSeconds: number }) => FieldError[])(own, { timeoutSeconds: config.timeoutSeconds }));

  const unknown = config.regions.filter((r) => !rules.declaredRegions.includes(r));
  if (unknown.length) {
    errors.push({ field: '/regions', message: `unknown region(s) ${unknown.join(', ')}; declared: ${rules.declaredRegions.join(', ')}` });
  }
  config.regions = [...new Set(config.regions)];
  config.tags = [...new Set(config.tags)];
  if (config.regionQuorum !== null && config.regionQuorum > config.regions.length) {
    errors.push({ field: '/regionQuorum', message: `must not exceed the number of regions (${config.regions.length})` });
  }
  if (errors.length) throw validationError(errors.map((e) => `${e.field} ${e.message}`).join('; '), errors);
  return config;
}
