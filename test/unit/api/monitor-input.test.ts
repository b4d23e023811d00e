import { describe, expect, it } from 'vitest';
import { toMonitorConfig } from '../../../services/api/routes/monitors/input.js';
import { DomainError } from '../../../services/lib/errors.js';

const rules = { declaredRegions: ['UsEast', 'EuWest'], minIntervalSeconds: 5, maxIntervalSeconds: 86400 };

function fieldsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    return ((err as DomainError).details ?? []).map((d) => d.field);
  }
  throw new Error('expected a validation error');
}

describe('monitor input', () => {
  it('fills the Enori defaults for omitted fields', () => {
    const c = toMonitorConfig({ name: 'Production API', type: 'Website', url: 'https://api.example.test/health' }, rules);
    expect(c).toMatchObject({
      intervalSeconds: 60, timeoutSeconds: 30, httpMethod: 'GET', expectedStatusCode: 200,
      alertOnDown: true, alertOnRecovered: true, regions: ['UsEast', 'EuWest'], tags: [], failureThreshold: 1,
    });
  });

  it('clamps the default timeout to a shorter interval', () => {
    expect(toMonitorConfig({ name: 'fast', type: 'Website', url: 'https://x.test', intervalSeconds: 5 }, rules).timeoutSeconds).toBe(5);
  });

  it('accepts the numeric type value and answers with the name', () => {
    expect(toMonitorConfig({ name: 'db', type: 2, hostname: 'db.internal', port: 5432 }, rules).type).toBe('Port');
  });

  it('refuses non-http URLs, missing URLs and credentials in URLs', () => {
    expect(fieldsOf(() => toMonitorConfig({ name: 'x', type: 'Website', url: 'ftp://x.test/' }, rules))).toEqual(['/url']);
    expect(fieldsOf(() => toMonitorConfig({ name: 'x', type: 'Website' }, rules))).toEqual(['/url']);
    expect(fieldsOf(() => toMonitorConfig({ name: 'x', type: 'Website', url: 'not a url' }, rules))).toEqual(['/url']);
    expect(fieldsOf(() => toMonitorConfig({ name: 'x', type: 'Website', url: 'https://u:p@x.test/' }, rules))).toEqual(['/url']);
  });

  it('refuses out-of-range intervals and timeouts longer than the interval', () => {
    expect(fieldsOf(() => toMonitorConfig({ name: 'x', type: 'Website', url: 'https://x.test', intervalSeconds: 4 }, rules))).toEqual(['/intervalSeconds']);
    expect(fieldsOf(() => toMonitorConfig({ name: 'x', type: 'Website', url: 'https://x.test', intervalSeconds: 86401 }, rules))).toEqual(['/intervalSeconds']);
    expect(fieldsOf(() => toMonitorConfig({ name: 'x', type: 'Website', url: 'https://x.test', intervalSeconds: 10, timeoutSeconds: 20 }, rules))).toEqual(['/timeoutSeconds']);
  });

  it('refuses unknown regions and a quorum larger than the regions', () => {
    expect(fieldsOf(() => toMonitorConfig({ name: 'x', type: 'Website', url: 'https://x.test', regions: ['Mars'] }, rules))).toEqual(['/regions']);
    expect(fieldsOf(() => toMonitorConfig({ name: 'x', type: 'Website', url: 'https://x.test', regions: ['UsEast'], regionQuorum: 2 }, rules))).toEqual(['/regionQuorum']);
  });

  it('accepts every type with its own target fields and defaults', () => {
    expect(toMonitorConfig({ name: 'p', type: 'Ping', hostname: 'h.test' }, rules)).toMatchObject({ type: 'Ping', pingCount: 3, pingMaxPacketLossPercent: 50 });
    expect(toMonitorConfig({ name: 'd', type: 4, hostname: 'h.test', dnsRecordType: 'MX' }, rules)).toMatchObject({ type: 'Dns', dnsRecordType: 'MX', dnsResolver: null, dnsMatchMode: 'Contains' });
    expect(toMonitorConfig({ name: 'r', type: 'Domain', hostname: 'example.test' }, rules)).toMatchObject({ type: 'Domain', domainExpiryWarningDays: 30 });
    expect(toMonitorConfig({ name: 'j', type: 'Job', cronExpression: '0 2 * * *', timezone: 'Europe/Berlin' }, rules)).toMatchObject({ type: 'Job', graceSeconds: 300, periodSeconds: null });
    expect(toMonitorConfig({ name: 'w', type: 'Website', url: 'https://x.test' }, rules)).toMatchObject({ sslExpiryWarningDays: 14, assertions: [] });
  });

  it("reports the agent checker's own rules against the field they concern", () => {
    expect(fieldsOf(() => toMonitorConfig({ name: 'd', type: 'Dns', hostname: 'h.test', dnsResolver: 'not a resolver!' }, rules))).toEqual(['/dnsResolver']);
    const badRegex = { source: 'Body' as const, operator: 'Matches' as const, target: '(unclosed' };
    const jsonWithoutPath = { source: 'JsonPath' as const, operator: 'Equals' as const, target: 'ok' };
    expect(fieldsOf(() => toMonitorConfig({ name: 'w', type: 'Website', url: 'https://x.test', assertions: [
      { source: 'StatusCode', operator: 'In', target: '200,204' }, badRegex, jsonWithoutPath,
    ] }, rules))).toEqual(['/assertions/1', '/assertions/2']);
  });

  it('keeps each type to its own target and schedule fields', () => {
    expect(fieldsOf(() => toMonitorConfig({ name: 'j', type: 'Job', cronExpression: '* * * * *', url: 'https://x.test', hostname: 'h.test' }, rules)).sort()).toEqual(['/hostname', '/url']);
    expect(fieldsOf(() => toMonitorConfig({ name: 'p', type: 'Port', hostname: 'h.test', port: 22, periodSeconds: 60 }, rules))).toEqual(['/periodSeconds']);
  });

  it('requires hostname and port for Port monitors', () => {
    expect(fieldsOf(() => toMonitorConfig({ name: 'x', type: 'Port' }, rules)).sort()).toEqual(['/hostname', '/port']);
    expect(fieldsOf(() => toMonitorConfig({ name: 'x', type: 'Port', hostname: 'bad host!', port: 22 }, rules))).toEqual(['/hostname']);
  });
});
