import { describe, expect, it } from 'vitest';
import { canonicalRecord, changedFields, hashRecord, valueAt } from '../../../services/encrata/snapshot.js';
import { judge } from '../../../services/encrata/worker.js';
import { nextRunAfter } from '../../../services/encrata/model.js';
import { normaliseTarget } from '../../../services/encrata/targets.js';
import { dmarcOf, spfOf } from '../../../services/encrata/enrichment/email.js';
import { matchScore } from '../../../services/encrata/enrichment/company.js';

describe('canonical snapshots', () => {
  it('sorts keys and set-like arrays, drops volatile fields, so reordering hashes the same', () => {
    const a = canonicalRecord('domain', { dns: { ns: ['b.test', 'a.test'], soa: { serial: 1, primary_ns: 'a.test' } }, http: { status: 200, elapsed_ms: 12 } });
    const b = canonicalRecord('domain', { http: { elapsed_ms: 99, status: 200 }, dns: { soa: { primary_ns: 'a.test', serial: 2 }, ns: ['a.test', 'b.test'] } });
    expect(a).toEqual({ dns: { ns: ['a.test', 'b.test'], soa: { primary_ns: 'a.test' } }, http: { status: 200 } });
    expect(hashRecord(a)).toBe(hashRecord(b));
    expect(hashRecord(a)).not.toBe(hashRecord(canonicalRecord('domain', { dns: { ns: ['a.test'] } })));
  });

  it('reports exactly the tracked pointers that changed, with kinds', () => {
    const before = { mx: { hosts: ['10 a'] }, dmarc: { policy: 'reject' }, spf: { all: '-all' } };
    const after = { mx: { hosts: ['10 b'] }, dmarc: { policy: 'reject' }, gravatar: { present: true } };
    expect(changedFields(before, after, ['/mx/hosts', '/dmarc/policy', '/spf/all', '/gravatar/present'])).toEqual([
      { field: '/mx/hosts', kind: 'changed', before: ['10 a'], after: ['10 b'] },
      { field: '/spf/all', kind: 'removed', before: '-all' },
      { field: '/gravatar/present', kind: 'added', after: true },
    ]);
    expect(changedFields(before, after, ['/dmarc/policy'])).toEqual([]);
    // a section the last run could not answer is a baseline when it answers
    expect(changedFields(before, after, ['/gravatar/present'], ['gravatar'])).toEqual([]);
    expect(valueAt({ 'a/b': { 'c~d': 1 } }, '/a~1b/c~0d')).toBe(1);
  });

  it('an inconclusive section keeps its last value: no write, no change', () => {
    const prevRecord = canonicalRecord('email', { gravatar: { present: true }, mx: { hosts: ['10 a'] } });
    const previous = { target: 'x@a.test', hash: hashRecord(prevRecord), record: prevRecord, inconclusive: [], enrichedAtMs: 0, changedAtMs: 0 };
    const verdict = judge('email', ['/gravatar/present', '/mx/hosts'], 'x@a.test', { record: { gravatar: null, mx: { hosts: ['10 a'] } }, inconclusive: [{ section: 'gravatar', reason: 'HTTP 429' }] }, previous);
    expect(verdict.changes).toEqual([]);
    expect(verdict.record.gravatar).toEqual({ present: true });
    expect(verdict.write?.inconclusive).toEqual(['gravatar']);
    const same = judge('email', ['/mx/hosts'], 'x@a.test', { record: { gravatar: { present: true }, mx: { hosts: ['10 a'] } }, inconclusive: [] }, previous);
    expect(same.write).toBeNull();
  });
});

describe('schedule and targets', () => {
  it('next runs: 7 and 14 days, calendar months clamped to the month end', () => {
    const t = Date.parse('2026-01-31T12:00:00Z');
    expect(new Date(nextRunAfter('weekly', t)).toISOString()).toBe('2026-02-07T12:00:00.000Z');
    expect(new Date(nextRunAfter('biweekly', t)).toISOString()).toBe('2026-02-14T12:00:00.000Z');
    expect(new Date(nextRunAfter('monthly', t)).toISOString()).toBe('2026-02-28T12:00:00.000Z');
    expect(new Date(nextRunAfter('quarterly', t)).toISOString()).toBe('2026-04-30T12:00:00.000Z');
  });

  it.each([
    ['email', 'Satya@Microsoft.COM', 'satya@microsoft.com'],
    ['email', '"john doe"@example.com', 'john doe@example.com'],
    ['phone', '+44 20 7946 0958', '+442079460958'],
    ['phone', '0044 20 7946 0958', '+442079460958'],
    ['domain', 'Bücher.example.', 'xn--bcher-kva.example'],
    ['ip', '2001:DB8::1', '2001:db8::1'],
    ['ip', '::ffff:192.0.2.1', '192.0.2.1'],
    ['company', '  Acme   Corp ', 'Acme Corp'],
  ] as const)('%s %j → %j', (type, input, normal) => {
    expect(normaliseTarget(type, input)).toEqual({ ok: true, value: normal });
  });

  it.each([
    ['email', 'no-at-sign'], ['email', 'a@localhost'], ['email', 'A <a@b.com>'], ['phone', '650 253 0000'], ['phone', '+1 12'],
    ['domain', 'example.com/path'], ['domain', '192.0.2.1'], ['ip', '192.168.1'], ['ip', 'fe80::1%eth0'], ['darkweb', '   '],
  ] as const)('%s %j is refused', (type, input) => {
    expect(normaliseTarget(type, input).ok).toBe(false);
  });
});

describe('parsers', () => {
  it('SPF and DMARC', () => {
    expect(spfOf(['google-site-verification=x', 'v=spf1 include:_spf.Example.com ~all'])).toMatchObject({ present: true, valid: true, all: '~all', includes: ['_spf.example.com'] });
    expect(spfOf(['v=spf1 -all', 'v=spf1 ~all'])).toMatchObject({ present: true, valid: false });
    expect(spfOf([])).toMatchObject({ present: false });
    expect(dmarcOf(['v=DMARC1; p=quarantine; pct=25; rua=mailto:a@x.test,mailto:b@x.test'])).toMatchObject({ valid: true, policy: 'quarantine', subdomain_policy: 'quarantine', pct: 25, rua: ['mailto:a@x.test', 'mailto:b@x.test'] });
    expect(dmarcOf(['v=DMARC1; p=bogus'])).toMatchObject({ present: true, valid: false });
  });

  it('company match scores ignore case, punctuation and legal forms', () => {
    expect(matchScore('Acme', 'ACME, Inc.')).toBe(1);
    expect(matchScore('Globex', 'Globex GmbH')).toBe(1);
    expect(matchScore('Acme', 'Acne Ltd')).toBeLessThan(1);
    expect(matchScore('Acme', 'Initech LLC')).toBeLessThan(0.5);
  });
});

describe('the encrata work subject', () => {
  it('no region may be named encrata (its jobs subject is the Encrata work queue)', async () => {
    const { loadConfig } = await import('../../../services/lib/config.js');
    expect(() => loadConfig('dev', { PHAROS_REGIONS: 'UsEast,encrata' })).toThrow(/reserved/);
    expect(() => loadConfig('agent', { PHAROS_REGION: 'encrata' })).toThrow(/reserved/);
    expect(loadConfig('dev', { PHAROS_REGIONS: 'UsEast' }).regions).toEqual(['UsEast']);
  });
});
