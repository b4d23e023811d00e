import { isIP } from 'node:net';
import { validationError, type FieldError } from '../../../lib/errors.js';
import {
  MONITOR_TYPES, SUPPORTED_MONITOR_TYPES, monitorDefaults,
  type MonitorConfig, type MonitorTypeName,
} from '../../../lib/monitors/model.js';
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

/**
 * Turns a validated request body into a full monitor configuration: omitted fields take
 * their defaults (so PUT resets them, as the Enori document says), and the rules that a
 * JSON schema cannot express are checked here, each reported against its field.
 */
export function toMonitorConfig(body: MonitorBody, rules: MonitorInputRules): MonitorConfig {
  const errors: FieldError[] = [];
  const type = monitorTypeName(body.type);
  if (!SUPPORTED_MONITOR_TYPES.includes(type)) {
    errors.push({ field: '/type', message: `${type} monitors are not supported yet; supported: ${SUPPORTED_MONITOR_TYPES.join(', ')}` });
  }
  const defaults = monitorDefaults(rules.declaredRegions);
  const config: MonitorConfig = {
    ...defaults,
    ...Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)),
    name: body.name.trim(),
    type,
  } as MonitorConfig;
  // Nullable fields sent as null mean "default".
  for (const k of ['url', 'hostname', 'port', 'requestBody', 'keyword', 'regionQuorum'] as const) {
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

  if (type === 'Website') {
    checkUrl(config.url, errors);
    for (const k of ['hostname', 'port'] as const) if (config[k] !== null) errors.push({ field: `/${k}`, message: 'is not used by Website monitors' });
  } else if (type === 'Port') {
    if (!config.hostname) errors.push({ field: '/hostname', message: 'is required for Port monitors' });
    else if (!HOSTNAME.test(config.hostname) && isIP(config.hostname) === 0) errors.push({ field: '/hostname', message: 'must be a hostname or an IP address' });
    if (config.port === null) errors.push({ field: '/port', message: 'is required for Port monitors' });
    if (config.url !== null) errors.push({ field: '/url', message: 'is not used by Port monitors' });
  }

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
