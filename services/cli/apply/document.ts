import { parse, stringify, YAMLParseError } from 'yaml';
import { MONITOR_FIELD_SPECS } from '../../../contracts/monitor.js';
import type { MonitorSpec } from './monitor-config.js';

export const API_VERSION = 'pharos/v1';

/** Top-level keys; `channels` and `statusPages` are reserved so a later version can add them without breaking files. */
const TOP_LEVEL = ['apiVersion', 'kind', 'monitors'] as const;
const RESERVED = ['channels', 'statusPages'];
/** The API body's fields: an unknown one is caught here, before anything is sent. */
const BODY_FIELDS = new Set(['name', 'type', ...Object.keys(MONITOR_FIELD_SPECS)]);

export interface MonitorsDocument {
  apiVersion: typeof API_VERSION;
  monitors: MonitorSpec[];
}

/** Everything wrong with a file, reported at once so one edit can fix it all. */
export class DocumentError extends Error {
  constructor(readonly source: string, readonly problems: string[]) {
    super(`${source}: ${problems.join('; ')}`);
    this.name = 'DocumentError';
  }
}

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkMonitor(entry: unknown, index: number, seen: Map<string, number>, problems: string[]): MonitorSpec | null {
  const where = `monitors[${index}]`;
  if (!isMapping(entry)) {
    problems.push(`${where}: must be a mapping of monitor fields`);
    return null;
  }
  if (typeof entry.name !== 'string' || !entry.name.trim()) {
    problems.push(`${where}: name is required (a non-blank string); monitors are matched by name`);
    return null;
  }
  const label = `${where} "${entry.name}"`;
  const name = entry.name.trim();
  // The API trims names, so "a" and "a " would be the same monitor.
  const first = seen.get(name);
  if (first !== undefined) problems.push(`${label}: duplicate name (also monitors[${first}])`);
  else seen.set(name, index);
  if (entry.type === undefined) problems.push(`${label}: type is required`);
  for (const key of Object.keys(entry)) {
    if (!BODY_FIELDS.has(key)) problems.push(`${label}: unknown field "${key}" (fields are the API body's, camelCase)`);
  }
  return entry as MonitorSpec;
}

/** Parses and checks a monitors file (YAML, so JSON too); the API validates field values. */
export function parseDocument(text: string, source: string): MonitorsDocument {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    throw new DocumentError(source, [err instanceof YAMLParseError ? err.message : String(err)]);
  }
  if (!isMapping(raw)) throw new DocumentError(source, [`must be a mapping with apiVersion: ${API_VERSION} and monitors: [...]`]);
  const problems: string[] = [];
  for (const key of Object.keys(raw)) {
    if (RESERVED.includes(key)) problems.push(`"${key}" is not supported yet by ${API_VERSION}`);
    else if (!(TOP_LEVEL as readonly string[]).includes(key)) problems.push(`unknown top-level key "${key}"; allowed: ${TOP_LEVEL.join(', ')}`);
  }
  if (raw.apiVersion !== API_VERSION) problems.push(`apiVersion must be ${API_VERSION} (got ${JSON.stringify(raw.apiVersion ?? null)})`);
  if (raw.kind !== undefined && raw.kind !== 'Monitors') problems.push(`kind, when given, must be Monitors (got ${JSON.stringify(raw.kind)})`);
  const list = raw.monitors ?? [];
  const monitors: MonitorSpec[] = [];
  if (!Array.isArray(list)) problems.push('monitors must be a list');
  else {
    const seen = new Map<string, number>();
    list.forEach((entry, i) => {
      const spec = checkMonitor(entry, i, seen, problems);
      if (spec) monitors.push(spec);
    });
  }
  if (problems.length) throw new DocumentError(source, problems);
  return { apiVersion: API_VERSION, monitors };
}

/** The file `export` writes, readable by `parseDocument`. */
export function serialiseDocument(monitors: MonitorSpec[]): string {
  return stringify({ apiVersion: API_VERSION, kind: 'Monitors', monitors }, { lineWidth: 0 });
}
