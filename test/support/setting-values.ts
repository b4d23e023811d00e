/**
 * Values to try for every setting of every check type, shared by the tests that carry each
 * one somewhere and compare (setting-round-trip: REST → store → job → agent; the scheduler's
 * snapshot test: monitor → snapshot → job).
 */
import type { MonitorTypeName } from '../../contracts/checks/index.js';
import type { FieldSpec } from '../../contracts/checks/contract.js';

/** The least a monitor of each type needs besides the setting under test. */
export const SETTING_BASE: Record<MonitorTypeName, Record<string, unknown>> = {
  Website: { url: 'https://example.test/health' },
  Port: { hostname: 'db.example.test', port: 5432 },
  Ping: { hostname: 'host.example.test' },
  Dns: { hostname: 'www.example.test' },
  Domain: { hostname: 'example.com' },
  Job: { cronExpression: '0 2 * * *' },
};

/** Values a schema alone does not suggest: texts, records, lists, and the other half of a pair. */
export const SETTING_SAMPLES: Record<MonitorTypeName, Record<string, unknown[]>> = {
  Website: {
    url: ['http://192.0.2.10:8080/path?q=1', 'https://[2001:db8::1]/'],
    requestHeaders: [{}, { 'X-Trace': 'a b', Authorization: 'Bearer t' }],
    requestBody: ['', '{"ping":true}'],
    keyword: ['a', 'k'.repeat(1024)],
    assertions: [[], [
      { source: 'StatusCode', property: null, operator: 'In', target: '200,204' },
      { source: 'Header', property: 'content-type', operator: 'Exists', target: null },
      { source: 'JsonPath', property: '$.status', operator: 'Equals', target: '' },
    ]],
  },
  Port: { hostname: ['192.0.2.1', '[2001:db8::1]', 'a.b'] },
  Ping: { hostname: ['192.0.2.1', '2001:db8::1'] },
  Dns: {
    hostname: ['_sip._tcp.example.test.'],
    dnsResolver: ['127.0.0.1:5353', '[::1]:53', 'ns1.example.test'],
    dnsExpectedValues: [[], ['192.0.2.1'], Array.from({ length: 50 }, (_, i) => `192.0.2.${i}`)],
  },
  Domain: { hostname: ['bücher.example', 'www.example.co.uk'] },
  Job: {
    cronExpression: ['@daily', '*/5 * * * 1-5'],
    timezone: ['Europe/Berlin'],
    periodSeconds: [],
  },
};

/**
 * Values worth trying for one field: its limits, every enum value, both booleans, null when
 * `withNull`, then `samples` (what the schema alone does not suggest).
 */
export function settingValues(spec: FieldSpec<unknown> & { limits?: { min: number; max: number } }, withNull: boolean, samples: readonly unknown[] = []): unknown[] {
  const schema = spec.schema as { enum?: unknown[]; type?: string };
  const values: unknown[] = [];
  if (spec.limits) values.push(spec.limits.min, spec.limits.max);
  if (schema.enum) values.push(...schema.enum);
  if (schema.type === 'boolean') values.push(true, false);
  if (withNull) values.push(null);
  values.push(...samples);
  return values;
}
