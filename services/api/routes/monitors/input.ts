import { isIP } from 'node:net';
import { validationError, type FieldError } from '../../../lib/errors.js';
import {
  AGENT_CHECKED_TYPES, MONITOR_TYPES, monitorDefaults,
  type Monitor, type MonitorConfig, type MonitorTypeName,
} from '../../../lib/monitors/model.js';
import { buildCheckJob } from '../../../lib/monitors/check-job.js';
import { createCheckers } from '../../../../probe-agent/checks/registry.js';
import { scheduleProblem } from '../../../heartbeats/schedule.js';
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

const HOSTNAME = /^(?=.{1,253}$)([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)*\.?$/;

function checkUrl(url: string | null | undefined, errors: FieldError[]): void {
  if (!url) {
    errors.push({ field: '/url', message: 'is required for Website monitors' });
    return;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    errors.push({ field: '/url', message: 'must be an absolute http(s) URL' });
    return;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') errors.push({ field: '/url', message: 'must use http or https' });
  else if (parsed.username || parsed.password) errors.push({ field: '/url', message: 'must not carry credentials; use requestHeaders' });
}

/** Which target fields each type needs; the others must stay unset. */
const TARGET_FIELDS: Record<MonitorTypeName, ReadonlyArray<'url' | 'hostname' | 'port'>> = {
  Website: ['url'],
  Port: ['hostname', 'port'],
  Ping: ['hostname'],
  Dns: ['hostname'],
  Domain: ['hostname'],
  Job: [],
};

function checkTarget(config: MonitorConfig, errors: FieldError[]): void {
  const needed = TARGET_FIELDS[config.type];
  for (const k of ['url', 'hostname', 'port'] as const) {
    if (!needed.includes(k) && config[k] !== null) errors.push({ field: `/${k}`, message: `is not used by ${config.type} monitors` });
  }
  if (needed.includes('url')) checkUrl(config.url, errors);
  if (needed.includes('hostname')) {
    if (!config.hostname) errors.push({ field: '/hostname', message: `is required for ${config.type} monitors` });
    else if (config.type === 'Domain' ? !HOSTNAME.test(config.hostname) || !config.hostname.includes('.') || isIP(config.hostname) !== 0 : !HOSTNAME.test(config.hostname) && isIP(config.hostname) === 0) {
      errors.push({ field: '/hostname', message: config.type === 'Domain' ? 'must be a registered domain name such as example.com' : 'must be a hostname or an IP address' });
    }
  }
  if (needed.includes('port') && config.port === null) errors.push({ field: '/port', message: `is required for ${config.type} monitors` });
}

function checkJobSchedule(config: MonitorConfig, errors: FieldError[]): void {
  if ((config.cronExpression === null) === (config.periodSeconds === null)) {
    errors.push({ field: '/cronExpression', message: 'Job monitors need exactly one of cronExpression and periodSeconds' });
    return;
  }
  if (config.cronExpression !== null) {
    const problem = scheduleProblem(config.cronExpression, config.timezone);
    if (problem) errors.push({ field: `/${problem.field}`, message: problem.message });
  }
}

/** The agent's own rules for the settings (one source of truth), reported against the field they name. */
const checkers = createCheckers();

function checkerProblems(config: MonitorConfig): FieldError[] {
  const probe = { ...config, id: 'mon_validate', orgId: 'org_validate', pingToken: null, paused: false, revision: 1 } as Monitor;
  const settings = buildCheckJob(probe, config.regions[0] ?? 'validate', 0).settings!;
  const problems = (checkers[settings.$case].validate as (s: typeof settings.value) => string[])(settings.value);
  return problems.map((message) => {
    const subject = /^([A-Za-z]+)(?:\[(\d+)\])?/.exec(message);
    const field = subject && subject[1]! in config ? `/${subject[1]}${subject[2] !== undefined ? `/${subject[2]}` : ''}` : '/';
    return { field, message };
  });
}

/**
 * Turns a validated request body into a full monitor configuration: omitted fields take
 * their defaults (so PUT resets them, as the Enori document says), and the rules that a
 * JSON schema cannot express are checked here, each reported against its field.
 */
export function toMonitorConfig(body: MonitorBody, rules: MonitorInputRules): MonitorConfig {
  const errors: FieldError[] = [];
  const type = monitorTypeName(body.type);
  const defaults = monitorDefaults(rules.declaredRegions);
  const config: MonitorConfig = {
    ...defaults,
    ...Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)),
    name: body.name.trim(),
    type,
  } as MonitorConfig;
  // Nullable fields sent as null mean "default".
  for (const k of ['url', 'hostname', 'port', 'requestBody', 'keyword', 'regionQuorum', 'dnsResolver', 'cronExpression', 'periodSeconds'] as const) {
    if (config[k] === undefined) (config as unknown as Record<string, unknown>)[k] = null;
  }
  if (!config.name) errors.push({ field: '/name', message: 'must not be blank' });

  const { minIntervalSeconds: min, maxIntervalSeconds: max } = rules;
  if (config.intervalSeconds < min || config.intervalSeconds > max) {
    errors.push({ field: '/intervalSeconds', message: `must be from ${min} to ${max} seconds` });
  }
  if (body.timeoutSeconds === undefined) {
    // The default timeout (30 s) never outlasts a shorter interval.
    config.timeoutSeconds = Math.max(1, Math.min(config.timeoutSeconds, config.intervalSeconds));
  } else if (config.timeoutSeconds > config.intervalSeconds && config.intervalSeconds >= min) {
    errors.push({ field: '/timeoutSeconds', message: 'must not exceed intervalSeconds' });
  }

  checkTarget(config, errors);
  if (type === 'Job') checkJobSchedule(config, errors);
  else {
    for (const k of ['cronExpression', 'periodSeconds'] as const) {
      if (config[k] !== null) errors.push({ field: `/${k}`, message: `is only used by Job monitors` });
    }
  }
  config.assertions = config.assertions.map((a) => ({ source: a.source, property: a.property ?? null, operator: a.operator, target: a.target ?? null }));
  if (type === 'Ping') {
    const spanMs = (config.pingCount - 1) * config.pingIntervalMs + config.pingTimeoutMs;
    if (spanMs > config.timeoutSeconds * 1000) {
      errors.push({ field: '/timeoutSeconds', message: `must cover the echo requests: (pingCount − 1) × pingIntervalMs + pingTimeoutMs = ${spanMs} ms` });
    }
  }
  if (errors.length === 0 && AGENT_CHECKED_TYPES.includes(type)) errors.push(...checkerProblems(config));

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
