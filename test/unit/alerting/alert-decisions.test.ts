import { describe, expect, it } from 'vitest';
import { decideDegradation, decideSslExpiring, decideTransitionEvents, certificateKey } from '../../../services/alerting/alert-decisions.js';
import { ResponseTimeWindows, p95 } from '../../../services/alerting/degradation/response-time-window.js';
import { channelsFor, ruleMatches, type RuleSelector } from '../../../services/alerting/rules/match.js';
import type { StatusTransition } from '../../../services/alerting/status-machine.js';
import type { Incident } from '../../../services/alerting/incident-store.js';
import type { AlertEventType } from '../../../services/alerting/events.js';

const monitor = {
  id: 'mon_1', orgId: 'org_1', name: 'Production API', type: 'Website' as const, url: 'https://api.example.com', hostname: null,
  alertOnDown: true, alertOnRecovered: true, sslExpiryWarningDays: 14, p95ThresholdMs: null as number | null, p95WindowSeconds: 300, tags: ['prod', 'api'], alertChannelIds: ['ch_own'],
};
const at = Date.parse('2026-03-24T14:30:00Z');
const trigger = { atMs: at, responseTimeMs: 5230 };
const transition = (from: StatusTransition['from'], to: StatusTransition['to']): StatusTransition => ({
  from, to, atMs: at, evidence: [{ region: 'UsEast', verdict: to === 'Down' ? 'down' : 'up', consecutiveFailures: to === 'Down' ? 3 : 0, lastError: to === 'Down' ? 'HTTP 503 Service Unavailable' : '', errorKind: '', errorPhase: '', firstFailingResultId: null, firstFailureAtMs: null }],
});
const incident: Incident = {
  id: 'inc_1', orgId: 'org_1', monitorId: 'mon_1', title: 'Production API is down', status: 'Open', cause: 'HTTP 503 Service Unavailable',
  startedAt: new Date(at), resolvedAt: null, evidence: [], kind: 'Automatic', severity: 'Critical', message: '',
  acknowledgedAt: null, acknowledgedBy: null, resolvedBy: null, createdBy: null, firstFailingResultId: null,
};
const none = { opened: null, resolved: null };

describe('which events a status change decides', () => {
  const cases: Array<[string, StatusTransition, Partial<typeof monitor>, { opened: Incident | null; resolved: Incident | null }, AlertEventType[]]> = [
    ['Up → Down with an incident opened', transition('Up', 'Down'), {}, { opened: incident, resolved: null }, ['monitor.down', 'incident.created']],
    ['Pending → Down', transition('Pending', 'Down'), {}, none, ['monitor.down']],
    ['Up → Down, alertOnDown off', transition('Up', 'Down'), { alertOnDown: false }, { opened: incident, resolved: null }, ['incident.created']],
    ['Down → Up with the incident resolved', transition('Down', 'Up'), {}, { opened: null, resolved: { ...incident, status: 'Resolved', resolvedAt: new Date(at) } }, ['monitor.up', 'incident.resolved']],
    ['Down → Up, alertOnRecovered off', transition('Down', 'Up'), { alertOnRecovered: false }, none, []],
    ['Pending → Up (new or resumed monitor)', transition('Pending', 'Up'), {}, none, []],
    ['Up → Down when an incident was already open', transition('Up', 'Down'), {}, none, ['monitor.down']],
  ];
  it.each(cases)('%s', (_name, t, over, incidents, expected) => {
    expect(decideTransitionEvents({ ...monitor, ...over }, t, incidents, trigger).map((e) => e.event)).toEqual(expected);
  });

  it('carries the document\'s payload (and the incident where it applies)', () => {
    const [down, created] = decideTransitionEvents(monitor, transition('Up', 'Down'), { opened: incident, resolved: null }, trigger);
    expect(down).toEqual({
      event: 'monitor.down', orgId: 'org_1',
      monitor: { id: 'mon_1', name: 'Production API', url: 'https://api.example.com', type: 'Website' },
      alert: { type: 'Down', message: 'HTTP 503 Service Unavailable', timestamp: '2026-03-24T14:30:00.000Z', responseTimeMs: 5230 },
    });
    expect(created.alert.type).toBe('IncidentCreated');
    expect(created.incident).toMatchObject({ id: 'inc_1', status: 'Open', resolvedAt: null });
  });
});

describe('monitor.ssl_expiring, once per certificate', () => {
  const cert = { notAfterMs: at + 5 * 86_400_000, subject: 'CN=api.example.com', fingerprint: 'AA:BB', expiringSoon: true };
  it('fires for an expiring certificate not yet notified', () => {
    const d = decideSslExpiring(monitor, cert, null, trigger);
    expect(d?.event.event).toBe('monitor.ssl_expiring');
    expect(d?.event.alert).toMatchObject({ type: 'SslExpiring', message: expect.stringContaining('in 5 days') });
    expect(d?.key).toBe(certificateKey(cert));
  });
  it('stays quiet for the certificate already notified, and fires again for a renewed one that is also expiring', () => {
    expect(decideSslExpiring(monitor, cert, certificateKey(cert), trigger)).toBeNull();
    const renewed = { ...cert, fingerprint: 'CC:DD', notAfterMs: cert.notAfterMs + 86_400_000 };
    expect(decideSslExpiring(monitor, renewed, certificateKey(cert), trigger)?.key).toBe(certificateKey(renewed));
  });
  it.each([
    ['not expiring soon', { ...cert, expiringSoon: false }, monitor],
    ['no certificate', null, monitor],
    ['warnings off', cert, { ...monitor, sslExpiryWarningDays: 0 }],
    ['not a Website', cert, { ...monitor, type: 'Port' as never }],
  ])('stays quiet when %s', (_n, c, m) => {
    expect(decideSslExpiring(m, c, null, trigger)).toBeNull();
  });
});

describe('alert rule matching', () => {
  const rule = (over: Partial<RuleSelector> = {}): RuleSelector => ({
    enabled: true, monitorIds: null, tags: [], monitorTypes: [], events: ['monitor.down', 'monitor.up'], ...over,
  });
  const cases: Array<[string, RuleSelector, AlertEventType, boolean]> = [
    ['all monitors', rule(), 'monitor.down', true],
    ['disabled', rule({ enabled: false }), 'monitor.down', false],
    ['event not selected', rule(), 'incident.created', false],
    ['by id, listed', rule({ monitorIds: ['mon_1'] }), 'monitor.down', true],
    ['by id, not listed', rule({ monitorIds: ['mon_2'] }), 'monitor.down', false],
    ['by id, empty list', rule({ monitorIds: [] }), 'monitor.down', false],
    ['tags, all present', rule({ tags: ['prod', 'api'] }), 'monitor.down', true],
    ['tags, one missing (AND)', rule({ tags: ['prod', 'db'] }), 'monitor.down', false],
    ['type matches', rule({ monitorTypes: ['Website', 'Port'] }), 'monitor.up', true],
    ['type does not match', rule({ monitorTypes: ['Port'] }), 'monitor.up', false],
    ['selectors narrow together', rule({ monitorIds: ['mon_1'], tags: ['prod'], monitorTypes: ['Port'] }), 'monitor.down', false],
  ];
  it.each(cases)('%s', (_n, r, e, expected) => {
    expect(ruleMatches(r, monitor, e)).toBe(expected);
  });

  it('sends to the monitor\'s own channels plus every matching rule\'s, each once', () => {
    const rules = [
      { ...rule(), channelIds: ['ch_a', 'ch_own'] },
      { ...rule({ tags: ['prod'] }), channelIds: ['ch_a', 'ch_b'] },
      { ...rule({ enabled: false }), channelIds: ['ch_off'] },
      { ...rule({ events: ['incident.created'] }), channelIds: ['ch_inc'] },
    ];
    expect(channelsFor(monitor, rules, 'monitor.down')).toEqual(['ch_own', 'ch_a', 'ch_b']);
    expect(channelsFor(monitor, rules, 'incident.created')).toEqual(['ch_own', 'ch_inc']);
  });
});

describe('monitor.degraded', () => {
  const m = { ...monitor, p95ThresholdMs: 1000, p95WindowSeconds: 300 };
  const cases: Array<[string, typeof m, string, boolean, number | null, boolean, boolean]> = [
    // name, monitor, status, was degraded, p95, → degraded, fires
    ['crosses the threshold', m, 'Up', false, 1001, true, true],
    ['at the threshold', m, 'Up', false, 1000, false, false],
    ['stays above: no second event', m, 'Up', true, 1500, true, false],
    ['between 80 % and the threshold: stays degraded', m, 'Up', true, 850, true, false],
    ['below 80 %: clears', m, 'Up', true, 799, false, false],
    ['too few samples keep what was', m, 'Up', true, null, true, false],
    ['Down ends it', m, 'Down', true, 5000, false, false],
    ['threshold off', { ...m, p95ThresholdMs: null as never }, 'Up', false, 5000, false, false],
  ];
  it.each(cases)('%s', (_n, mon, status, was, p95Ms, degraded, fires) => {
    const d = decideDegradation(mon, status, was, p95Ms, trigger);
    expect(d.degraded).toBe(degraded);
    expect(d.event?.event ?? null).toBe(fires ? 'monitor.degraded' : null);
  });
});

describe('response time window', () => {
  it('computes a nearest-rank P95 over the window, counts a result once, and stays bounded', () => {
    const w = new ResponseTimeWindows({ maxMonitors: 2, maxSamples: 100 });
    const add = (id: string, n: number, atMs: number, ms: number) => w.observe('mon_1', 60_000, { resultId: `${id}${n}`, atMs, ms });
    for (let i = 0; i < 4; i++) expect(add('a', i, i * 1000, 100)).toBeNull();
    expect(add('a', 4, 4000, 900)).toBe(900);
    expect(add('a', 4, 4000, 900), 'the same result again').toBe(900);
    for (let i = 5; i < 40; i++) add('a', i, i * 1000, 100);
    expect(add('a', 40, 40_000, 100)).toBe(100);
    expect(add('b', 0, 200_000, 300), 'older samples leave the window').toBeNull();
    w.observe('mon_2', 60_000, { resultId: 'x', atMs: 0, ms: 1 });
    w.observe('mon_3', 60_000, { resultId: 'y', atMs: 0, ms: 1 });
    expect(w.size).toBe(2);
    expect(p95([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20])).toBe(19);
  });
});
