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

  it('refuses types that have no checker yet, naming the supported ones', () => {
    try {
      toMonitorConfig({ name: 'x', type: 'Ping', hostname: 'h.test' }, rules);
      throw new Error('accepted');
    } catch (err) {
      expect((err as DomainError).details?.[0]).toEqual({ field: '/type', message: expect.stringContaining('Website, Port') });
    }
  });

  it('requires hostname and port for Port monitors', () => {
    expect(fieldsOf(() => toMonitorConfig({ name: 'x', type: 'Port' }, rules)).sort()).toEqual(['/hostname', '/port']);
    expect(fieldsOf(() => toMonitorConfig({ name: 'x', type: 'Port', hostname: 'bad host!', port: 22 }, rules))).toEqual(['/hostname']);
  });
});
