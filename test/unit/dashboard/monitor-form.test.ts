/**
 * The dashboard's monitor form (web/src/forms/monitor-form.ts): its checks before sending,
 * the body it builds, and that it flags the same fields the API's own input rules
 * (services/api/routes/monitors/input.ts, the check contracts) refuse, for the fields it shows.
 */
import { describe, expect, it } from 'vitest';
import { emptyForm, formFromMonitor, monitorBody, parseHeaders, type MonitorFormValues } from '../../../web/src/forms/monitor-form.js';
import { problemsByField } from '../../../web/src/forms/problems.js';
import { toMonitorConfig } from '../../../services/api/routes/monitors/input.js';
import { DomainError } from '../../../services/lib/errors.js';
import { MonitorBody } from '../../../services/api/routes/monitors/schema.js';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';

const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

// The request schema the API validates bodies with before its input rules run.
const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: false });
addFormats(ajv);
const schemaAccepts = ajv.compile(MonitorBody);

const REGIONS = ['UsEast', 'EuWest'];
const rules = { declaredRegions: REGIONS, minIntervalSeconds: 5, maxIntervalSeconds: 86_400 };
const website = (over: Partial<MonitorFormValues> = {}): MonitorFormValues => ({ ...emptyForm(REGIONS), name: 'Checkout', url: 'https://shop.example.com/health', ...over });

/** The top-level fields the API refuses for a body, or [] when it takes it. */
function apiRefuses(body: Record<string, unknown>): string[] {
  if (!schemaAccepts(body)) return [...new Set((schemaAccepts.errors ?? []).map((e) => String(e.instancePath.split('/')[1])))].sort();
  try {
    toMonitorConfig(body as MonitorBody, rules);
    return [];
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    return Object.keys(problemsByField(e.details ?? [])).sort();
  }
}

describe('the monitor form', () => {
  it('builds the API body of a Website monitor from its values', () => {
    const { body, problems } = monitorBody(website({ intervalSeconds: '30', timeoutSeconds: '10', keyword: 'ok', requestHeaders: 'Accept: text/plain\nX-Trace:  1 ', tags: 'prod, api, prod', p95ThresholdMs: '' }));
    expect(problems).toEqual([]);
    expect(body).toMatchObject({
      name: 'Checkout', type: 'Website', url: 'https://shop.example.com/health', intervalSeconds: 30, timeoutSeconds: 10, keyword: 'ok',
      requestHeaders: { Accept: 'text/plain', 'X-Trace': '1' }, tags: ['prod', 'api'], p95ThresholdMs: null, regions: REGIONS, requestBody: null,
    });
    expect(apiRefuses(body)).toEqual([]);
  });

  it.each([
    ['a blank name', { name: '  ' }, ['name']],
    ['no URL', { url: '' }, ['url']],
    ['a relative URL', { url: '/health' }, ['url']],
    ['an ftp URL', { url: 'ftp://files.example.com/' }, ['url']],
    ['credentials in the URL', { url: 'https://u:p@example.com/' }, ['url']],
    ['an interval that is not a number', { intervalSeconds: 'soon' }, ['intervalSeconds']],
    ['a timeout over the interval', { intervalSeconds: '10', timeoutSeconds: '20' }, ['timeoutSeconds']],
    ['a status code out of range', { expectedStatusCode: '700' }, ['expectedStatusCode']],
    ['too many redirects', { maxRedirects: '21' }, ['maxRedirects']],
    ['a body on HEAD', { httpMethod: 'HEAD', requestBody: 'x' }, ['requestBody']],
    ['a header without a colon', { requestHeaders: 'Accept text/plain' }, ['requestHeaders']],
    ['a header name with a space', { requestHeaders: 'X Bad: 1' }, ['requestHeaders']],
    ['no region', { regions: [] }, ['regions']],
    ['a failure threshold of 0', { failureThreshold: '0' }, ['failureThreshold']],
  ] as const)('flags %s at the field, as the API does', (_what, over, fields) => {
    const { body, problems } = monitorBody(website(over as Partial<MonitorFormValues>));
    expect(Object.keys(problemsByField(problems)).sort()).toEqual([...fields]);
    // The API refuses the same body at the same field (a header line without a colon never reaches it).
    if (over !== undefined && !('requestHeaders' in over && !String(over.requestHeaders).includes(':'))) {
      expect(apiRefuses(body)).toEqual(expect.arrayContaining([...fields]));
    }
  });

  it('leaves to the API what only it knows, and shows its answer at the field', () => {
    // The agent manages Connection itself: the form lets it through, the API names the field.
    const { body, problems } = monitorBody(website({ requestHeaders: 'Connection: close' }));
    expect(problems).toEqual([]);
    expect(apiRefuses(body)).toEqual(['requestHeaders']);
    expect(problemsByField([{ field: '/requestHeaders', message: 'header "Connection" is managed by the agent' }, { field: '/requestHeaders', message: 'second' }, { field: '/assertions/2/target', message: 'bad' }]))
      .toEqual({ requestHeaders: 'header "Connection" is managed by the agent', assertions: 'bad' });
  });

  it('checks the target fields of the other types', () => {
    expect(Object.keys(problemsByField(monitorBody({ ...website(), type: 'Port', hostname: 'db.internal', port: '70000' }).problems))).toEqual(['port']);
    expect(Object.keys(problemsByField(monitorBody({ ...website(), type: 'Ping', hostname: '' }).problems))).toEqual(['hostname']);
    expect(Object.keys(problemsByField(monitorBody({ ...website(), type: 'Job' }).problems))).toEqual(['cronExpression']);
    const port = monitorBody({ ...website(), type: 'Port', hostname: 'db.internal', port: '5432' });
    expect(port.problems).toEqual([]);
    expect(port.body).not.toHaveProperty('url');
    expect(apiRefuses(port.body)).toEqual([]);
  });

  it('builds every type\'s own settings, which the API takes, and flags what it would refuse', () => {
    const base = (over: Partial<MonitorFormValues>) => ({ ...emptyForm(REGIONS), name: 'x', ...over });
    const cases: Array<[Partial<MonitorFormValues>, Record<string, unknown>]> = [
      [{ type: 'Ping', hostname: 'db.example.com', pingCount: '5', pingMaxPacketLossPercent: '20' }, { pingCount: 5, pingIntervalMs: 500, pingTimeoutMs: 2000, pingMaxPacketLossPercent: 20 }],
      [{ type: 'Dns', hostname: 'example.com', dnsRecordType: 'MX', dnsExpectedValues: '10 mx1.example.com\n\n20 mx2.example.com', dnsMatchMode: 'Equals' }, { dnsRecordType: 'MX', dnsExpectedValues: ['10 mx1.example.com', '20 mx2.example.com'], dnsMatchMode: 'Equals', dnsResolver: null, dnsExpectedRcode: 'NOERROR' }],
      [{ type: 'Domain', hostname: 'example.com', domainExpiryWarningDays: '45' }, { domainExpiryWarningDays: 45 }],
      [{ type: 'Job', cronExpression: '0 3 * * *', timezone: 'Europe/Berlin', graceSeconds: '600' }, { cronExpression: '0 3 * * *', timezone: 'Europe/Berlin', graceSeconds: 600, periodSeconds: null }],
      [{ type: 'Website', url: 'https://x.example.com/', regionQuorum: '2', p95ThresholdMs: '800', p95WindowSeconds: '600' }, { regionQuorum: 2, p95ThresholdMs: 800, p95WindowSeconds: 600 }],
    ];
    for (const [values, expected] of cases) {
      const { body, problems } = monitorBody(base(values));
      expect(problems, values.type).toEqual([]);
      expect(body, values.type).toMatchObject(expected);
      expect(apiRefuses(body), values.type).toEqual([]);
    }
    const bad: Array<[Partial<MonitorFormValues>, string]> = [
      [{ type: 'Ping', hostname: 'db.example.com', pingCount: '11' }, 'pingCount'],
      [{ type: 'Ping', hostname: 'db.example.com', pingIntervalMs: '100' }, 'pingIntervalMs'],
      [{ type: 'Domain', hostname: 'example.com', domainExpiryWarningDays: '0' }, 'domainExpiryWarningDays'],
      [{ type: 'Job', periodSeconds: '30' }, 'periodSeconds'],
      [{ type: 'Website', url: 'https://x.example.com/', regionQuorum: '3' }, 'regionQuorum'],
      [{ type: 'Website', url: 'https://x.example.com/', p95WindowSeconds: '59' }, 'p95WindowSeconds'],
    ];
    for (const [values, field] of bad) {
      const { body, problems } = monitorBody(base(values));
      expect(Object.keys(problemsByField(problems)), field).toEqual([field]);
      // The same value sent as it is: the API refuses that field too.
      const raw = { ...body, [field]: Number(values[field as keyof MonitorFormValues]) };
      expect(apiRefuses(raw), field).toContain(field);
    }
  });

  it('edits a monitor without resetting the settings it does not show', () => {
    const stored = {
      id: 'mon_1', name: 'Checkout', type: 'Website', url: 'https://shop.example.com/', status: 'Up', uptimePercentage: 100, lastCheckedAt: null, createdAt: 'x', updatedAt: 'x',
      unknownRegions: [], maintenanceWindowId: null, pingToken: null, pingUrl: null, hostname: null, port: null, httpMethod: 'GET', expectedStatusCode: 200,
      requestHeaders: { Accept: 'text/html' }, requestBody: null, followRedirects: true, maxRedirects: 5, keyword: null, keywordAbsent: false, ignoreTlsErrors: false,
      sslExpiryWarningDays: 14, assertions: [{ source: 'JsonPath', property: '$.ok', operator: 'Equals', target: 'true' }], intervalSeconds: 60, timeoutSeconds: 30,
      failureThreshold: 2, recoveryThreshold: 1, regionQuorum: 1, alertOnDown: true, alertOnRecovered: true, p95ThresholdMs: null, p95WindowSeconds: 300,
      alertChannelIds: [], escalationPolicyId: null, regions: ['UsEast'], tags: ['shop'],
    };
    const values = formFromMonitor(stored);
    expect(values).toMatchObject({ name: 'Checkout', requestHeaders: 'Accept: text/html', tags: 'shop', failureThreshold: '2', regions: ['UsEast'] });
    const { body, problems } = monitorBody({ ...values, name: 'Checkout EU' }, stored);
    expect(problems).toEqual([]);
    expect(body).toMatchObject({ name: 'Checkout EU', assertions: stored.assertions, regionQuorum: 1, p95WindowSeconds: 300 });
    for (const readOnly of ['id', 'status', 'uptimePercentage', 'createdAt', 'pingUrl']) expect(body).not.toHaveProperty(readOnly);
    expect(apiRefuses(body)).toEqual([]);
  });

  it('builds typed assertions and checks them as the API does', () => {
    const ok = monitorBody(website({ assertions: [
      { source: 'StatusCode', property: 'ignored', operator: 'Between', target: '200-299' },
      { source: 'JsonPath', property: '$.status', operator: 'Equals', target: 'ok' },
      { source: 'Header', property: 'Content-Type', operator: 'Exists', target: '' },
    ] }));
    expect(ok.problems).toEqual([]);
    expect(ok.body.assertions).toEqual([
      { source: 'StatusCode', property: null, operator: 'Between', target: '200-299' },
      { source: 'JsonPath', property: '$.status', operator: 'Equals', target: 'ok' },
      { source: 'Header', property: 'Content-Type', operator: 'Exists', target: null },
    ]);
    expect(apiRefuses(ok.body)).toEqual([]);
    for (const bad of [
      { source: 'JsonPath', property: '', operator: 'Equals', target: 'ok' },
      { source: 'JsonPath', property: 'status', operator: 'Equals', target: 'ok' },
      { source: 'Body', property: '', operator: 'Contains', target: '' },
    ]) {
      const r = monitorBody(website({ assertions: [bad] }));
      expect(r.problems.map((p) => p.field), JSON.stringify(bad)).toEqual(['/assertions/0']);
      expect(apiRefuses(r.body), JSON.stringify(bad)).toEqual(['assertions']);
    }
    // Exists takes no target: a value typed before switching to it (its input then hidden) is dropped, not refused.
    expect(monitorBody(website({ assertions: [{ source: 'Header', property: 'X-Id', operator: 'Exists', target: 'stale' }] })).body.assertions).toEqual([{ source: 'Header', property: 'X-Id', operator: 'Exists', target: null }]);
    // A pattern that does not compile is the API's to find; its pointer names the row.
    const pattern = monitorBody(website({ assertions: [{ source: 'Body', property: '', operator: 'Matches', target: '(' }] }));
    expect(pattern.problems).toEqual([]);
    expect(apiRefuses(pattern.body)).toEqual(['assertions']);
  });

  it('parses header lines', () => {
    const problems: Array<{ field: string; message: string }> = [];
    expect(parseHeaders('A: 1\n\n B : two:parts \n', problems)).toEqual({ A: '1', B: 'two:parts' });
    expect(problems).toEqual([]);
  });
});
