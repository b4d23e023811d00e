import { MONITOR_TYPES, type MonitorTypeName } from '../../../contracts/checks/index.js';
import { NULLABLE_FIELDS, defaultTimeoutSeconds, monitorDefaults, type MonitorConfig } from '../../../contracts/monitor.js';

/** One monitor as written in a file: exactly the API body (name and type required). */
export type MonitorSpec = { name: string; type: string | number } & Record<string, unknown>;

/** The configuration fields of a monitor as the API answers it (no id, status or timestamps). */
export type RemoteMonitor = MonitorConfig & { id: string; updatedAt?: string };

/** Config field names in the API's order; export writes them in this order. */
export const CONFIG_FIELDS = ['name', 'type', ...Object.keys(monitorDefaults([]))] as (keyof MonitorConfig)[];

const TYPE_BY_NUMBER = new Map<number, string>(Object.entries(MONITOR_TYPES).map(([k, v]) => [v, k]));

/**
 * What the API will store for this body, from the same contracts as its input rules
 * (contracts/monitor.ts; services/api/routes/monitors/input.ts):
 * PUT replaces the whole configuration, so every omitted field means its default — and
 * comparing full configurations is the only way a plan can show a field being reset.
 * Invalid values are passed through untouched; the API reports them.
 */
export function desiredConfig(spec: MonitorSpec, declaredRegions: readonly string[]): MonitorConfig {
  const defaults = monitorDefaults(declaredRegions);
  const given = Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined));
  const config = { ...defaults, ...given } as Record<string, unknown>;
  config.name = spec.name.trim();
  config.type = typeof spec.type === 'number' ? TYPE_BY_NUMBER.get(spec.type) ?? spec.type : spec.type;
  for (const k of NULLABLE_FIELDS) if (config[k] === undefined) config[k] = null;
  if (spec.timeoutSeconds === undefined && typeof config.intervalSeconds === 'number') {
    config.timeoutSeconds = defaultTimeoutSeconds(config.intervalSeconds);
  }
  for (const k of ['regions', 'tags'] as const) if (Array.isArray(config[k])) config[k] = [...new Set(config[k] as unknown[])];
  if (Array.isArray(config.assertions)) {
    // The API stores an assertion's omitted property or target as null.
    config.assertions = (config.assertions as Array<Record<string, unknown>>).map((a) => ({
      source: a.source, property: a.property ?? null, operator: a.operator, target: a.target ?? null,
    }));
  }
  return config as unknown as MonitorConfig;
}

/** Only the configuration of an API monitor, so status, uptime and timestamps never show as drift. */
export function remoteConfig(m: RemoteMonitor): MonitorConfig {
  return Object.fromEntries(CONFIG_FIELDS.map((k) => [k, m[k]])) as unknown as MonitorConfig;
}

/** Key order never matters (request headers are an object), array order does (the API keeps it). */
export function sameValue(a: unknown, b: unknown): boolean {
  const canonical = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canonical);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).sort(([x], [y]) => x.localeCompare(y)).map(([k, x]) => [k, canonical(x)]));
    return v;
  };
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/** Fields whose desired value differs from the actual one, in the API's field order. */
export function changedFields(desired: MonitorConfig, actual: MonitorConfig): (keyof MonitorConfig)[] {
  return CONFIG_FIELDS.filter((k) => !sameValue(desired[k], actual[k]));
}

/**
 * The shortest spec that produces this configuration: fields equal to their default are
 * left out, so an exported file stays readable and `desiredConfig` of it gives it back.
 */
export function minimalSpec(config: MonitorConfig, declaredRegions: readonly string[]): MonitorSpec {
  const defaults: Record<string, unknown> = { ...monitorDefaults(declaredRegions), timeoutSeconds: defaultTimeoutSeconds(config.intervalSeconds) };
  const spec: Record<string, unknown> = { name: config.name, type: config.type as MonitorTypeName };
  for (const k of CONFIG_FIELDS) {
    if (k === 'name' || k === 'type') continue;
    if (!sameValue(config[k], defaults[k])) spec[k] = config[k];
  }
  return spec as MonitorSpec;
}
