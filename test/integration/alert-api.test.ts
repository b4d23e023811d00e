/**
 * /api/alert-rules and /api/alerts over HTTP: CRUD, defaults, bad input (400 with fields,
 * nothing stored), other organizations' ids, scopes, and the alert records' filters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { insertChannel } from '../support/alert-fixtures.js';
import { AlertOutbox } from '../../services/alerting/deliveries/outbox.js';
import { DeliveryStore } from '../../services/alerting/deliveries/delivery-store.js';
import { createDeliveryWorker } from '../../services/alerting/deliveries/worker.js';
import { channelIdentityLoader } from '../../services/alerting/deliveries/unconfigured-sender.js';
import { ALERT_EVENT_TYPES } from '../../services/alerting/events.js';
import type { DecidedEvent } from '../../services/alerting/alert-decisions.js';
import { monitorDefaults } from '../../services/lib/monitors/model.js';
import { createLogger } from '../../services/lib/logger.js';
import { realService, uniqueName } from '../support/services.js';

const databaseUrl = realService('database');
let h: ApiHarness;
beforeAll(async () => { h = await startApiHarness({ databaseUrl }); });
afterAll(async () => h?.close());

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
const call = async (key: string, method: Method, url: string, body?: unknown) => {
  const res = await h.app.inject({ method, url, headers: { 'x-api-key': key }, ...(body === undefined ? {} : { payload: body as object }) });
  return { status: res.statusCode, json: res.body ? res.json() : undefined };
};
const ruleCount = async (orgId: string) => Number((await h.sql.query<{ n: string }>(`SELECT count(*) AS n FROM alert_rules WHERE org_id = $1`, [orgId])).rows[0].n);

describe('alert rules', () => {
  it('creates with defaults, reads, lists, replaces and deletes', async () => {
    const t = await h.tenant();
    const ch = await insertChannel(h.sql, t.orgId);
    const created = await call(t.key, 'POST', '/api/alert-rules', { name: 'everything', channelIds: [ch] });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      id: expect.stringMatching(/^rule_/), name: 'everything', enabled: true, monitorIds: null, tags: [], monitorTypes: [],
      events: [...ALERT_EVENT_TYPES], channelIds: [ch],
    });
    const id = created.json.id;
    expect((await call(t.key, 'GET', `/api/alert-rules/${id}`)).json).toEqual(created.json);
    expect((await call(t.key, 'GET', '/api/alert-rules')).json).toMatchObject({ totalCount: 1, items: [{ id }] });

    const m = await h.monitors.create(t.orgId, { ...monitorDefaults(['UsEast']), name: 'api', type: 'Website', url: 'https://x.test' });
    const put = await call(t.key, 'PUT', `/api/alert-rules/${id}`, {
      name: 'prod down', enabled: false, monitorIds: [m.id], tags: ['prod'], monitorTypes: ['Website'], events: ['monitor.down'], channelIds: [ch],
    });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ name: 'prod down', enabled: false, monitorIds: [m.id], tags: ['prod'], monitorTypes: ['Website'], events: ['monitor.down'] });

    expect((await call(t.key, 'DELETE', `/api/alert-rules/${id}`)).status).toBe(204);
    expect((await call(t.key, 'GET', `/api/alert-rules/${id}`)).status).toBe(404);
    expect((await call(t.key, 'DELETE', `/api/alert-rules/${id}`)).status).toBe(404);
  });

  it('refuses bad input with the field, storing nothing', async () => {
    const t = await h.tenant();
    const other = await h.tenant();
    const mine = await insertChannel(h.sql, t.orgId);
    const theirs = await insertChannel(h.sql, other.orgId);
    const theirMonitor = await h.monitors.create(other.orgId, { ...monitorDefaults(['UsEast']), name: 'x', type: 'Website', url: 'https://x.test' });
    const cases: Array<[string, unknown, string]> = [
      ['no channels', { name: 'r' }, 'channelIds'],
      ['empty channels', { name: 'r', channelIds: [] }, 'channelIds'],
      ['no name', { channelIds: [mine] }, 'name'],
      ['oversized name', { name: 'x'.repeat(101), channelIds: [mine] }, 'name'],
      ['unknown event', { name: 'r', channelIds: [mine], events: ['monitor.exploded'] }, 'events'],
      ['empty events', { name: 'r', channelIds: [mine], events: [] }, 'events'],
      ['unknown type', { name: 'r', channelIds: [mine], monitorTypes: ['Carrier pigeon'] }, 'monitorTypes'],
      ['unknown field', { name: 'r', channelIds: [mine], severity: 'high' }, ''],
      ['wrong type', { name: 'r', channelIds: [mine], enabled: 'yes' }, 'enabled'],
      ['another organization\'s channel', { name: 'r', channelIds: [mine, theirs] }, '/channelIds/1'],
      ['a channel that does not exist', { name: 'r', channelIds: ['ch_nope'] }, '/channelIds/0'],
      ['another organization\'s monitor', { name: 'r', channelIds: [mine], monitorIds: [theirMonitor.id] }, '/monitorIds/0'],
    ];
    for (const [what, body, field] of cases) {
      const res = await call(t.key, 'POST', '/api/alert-rules', body);
      expect(res.status, what).toBe(400);
      expect(res.json.code, what).toBe('VALIDATION_ERROR');
      expect(JSON.stringify(res.json.details ?? []), what).toContain(field);
    }
    expect(await ruleCount(t.orgId)).toBe(0);

    const ok = await call(t.key, 'POST', '/api/alert-rules', { name: 'r', channelIds: [mine] });
    const bad = await call(t.key, 'PUT', `/api/alert-rules/${ok.json.id}`, { name: 'changed', channelIds: [theirs] });
    expect(bad.status).toBe(400);
    expect((await call(t.key, 'GET', `/api/alert-rules/${ok.json.id}`)).json).toMatchObject({ name: 'r', channelIds: [mine] });
  });

  it('keeps organizations apart, and a deleted channel leaves every rule', async () => {
    const t = await h.tenant();
    const other = await h.tenant();
    const a = await insertChannel(h.sql, t.orgId);
    const b = await insertChannel(h.sql, t.orgId);
    const rule = (await call(t.key, 'POST', '/api/alert-rules', { name: 'r', channelIds: [a, b] })).json;
    expect((await call(other.key, 'GET', `/api/alert-rules/${rule.id}`)).status).toBe(404);
    expect((await call(other.key, 'PUT', `/api/alert-rules/${rule.id}`, { name: 'mine', channelIds: [await insertChannel(h.sql, other.orgId)] })).status).toBe(404);
    expect((await call(other.key, 'DELETE', `/api/alert-rules/${rule.id}`)).status).toBe(404);
    expect((await call(other.key, 'GET', '/api/alert-rules')).json).toEqual({ items: [], totalCount: 0 });

    await h.sql.query(`DELETE FROM alert_channels WHERE id = $1`, [a]);
    expect((await call(t.key, 'GET', `/api/alert-rules/${rule.id}`)).json.channelIds).toEqual([b]);
  });

  it('needs alert-rules:write to change and alert-rules:read to read', async () => {
    const reader = await h.tenant(['alert-rules:read']);
    expect((await call(reader.key, 'GET', '/api/alert-rules')).status).toBe(200);
    const res = await call(reader.key, 'POST', '/api/alert-rules', { name: 'r', channelIds: ['ch_x'] });
    expect(res.status).toBe(403);
    expect(res.json.code).toBe('INSUFFICIENT_SCOPE');
  });
});

describe('alert records', () => {
  it('lists deliveries with the document\'s filters and shows one with every attempt', async () => {
    const t = await h.tenant(['alerts:read']);
    const other = await h.tenant();
    const ch = await insertChannel(h.sql, t.orgId, 'ops hook');
    const mk = async (name: string) => h.monitors.create(t.orgId, { ...monitorDefaults(['UsEast']), name, type: 'Website', url: 'https://x.test', alertChannelIds: [ch] });
    const m1 = await mk(uniqueName('a'));
    const m2 = await mk(uniqueName('b'));
    const t0 = Date.parse('2026-06-01T12:00:00Z');
    const decided = (m: typeof m1, event: DecidedEvent['event'], type: string): DecidedEvent => ({
      event, orgId: t.orgId, monitor: { id: m.id, name: m.name, url: 'https://x.test', type: 'Website' },
      alert: { type, message: `${m.name} ${type}`, timestamp: new Date(t0).toISOString(), responseTimeMs: null },
    });
    const outbox = new AlertOutbox();
    await h.sql.transaction((tx) => outbox.enqueue(tx, m1, [decided(m1, 'monitor.down', 'Down')], t0));
    await h.sql.transaction((tx) => outbox.enqueue(tx, m2, [decided(m2, 'monitor.up', 'Recovered')], t0 + 60_000));
    // One attempt each: m1's fails (Retrying), m2's is sent.
    let clock = t0 + 60_000;
    const worker = createDeliveryWorker({
      store: new DeliveryStore(h.sql), loadChannel: channelIdentityLoader(h.sql), logger: createLogger('silent'), now: () => clock,
      deliverEvent: async (_c, e) => (e.event === 'monitor.down' ? { ok: false, statusCode: 500, error: 'HTTP 500' } : { ok: true, statusCode: 200, error: null }),
    });
    expect(await worker.drain()).toBe(2);
    clock += 1;

    const list = async (q: string) => (await call(t.key, 'GET', `/api/alerts${q}`)).json;
    expect((await list('')).totalCount).toBe(2);
    expect((await list(`?monitorId=${m1.id}`)).items.map((a: { monitorId: string }) => a.monitorId)).toEqual([m1.id]);
    expect((await list('?status=Retrying')).items.map((a: { type: string }) => a.type)).toEqual(['Down']);
    expect((await list('?status=Sent')).items.map((a: { type: string }) => a.type)).toEqual(['Recovered']);
    expect((await list('?type=Recovered')).items).toHaveLength(1);
    expect((await list('?type=P95')).totalCount).toBe(0);
    expect((await list(`?from=${new Date(t0 + 30_000).toISOString()}`)).items.map((a: { type: string }) => a.type)).toEqual(['Recovered']);
    expect((await list(`?to=${new Date(t0 + 30_000).toISOString()}`)).items.map((a: { type: string }) => a.type)).toEqual(['Down']);
    const page = await list('?limit=1&offset=1');
    expect(page.totalCount).toBe(2);
    expect(page.items).toHaveLength(1);
    expect(page.items[0].type).toBe('Down');

    const id = (await list(`?monitorId=${m1.id}`)).items[0].id;
    const one = await call(t.key, 'GET', `/api/alerts/${id}`);
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({
      id: expect.stringMatching(/^alr_/), monitorId: m1.id, type: 'Down', status: 'Retrying', message: `${m1.name} Down`,
      channel: { id: ch, name: 'ops hook', type: 'Webhook' },
      event: { id: expect.stringMatching(/^evt_/), type: 'monitor.down', payload: { event: 'monitor.down', monitor: { id: m1.id }, alert: { type: 'Down' } } },
      attemptCount: 1, nextAttemptAt: new Date(t0 + 60_000 + 30_000).toISOString(),
      attempts: [{ attempt: 1, at: new Date(t0 + 60_000).toISOString(), statusCode: 500, error: 'HTTP 500' }],
    });
    expect(one.json.event.payload.id).toBe(one.json.event.id);

    expect((await call(other.key, 'GET', `/api/alerts/${id}`)).status).toBe(404);
    expect((await call(other.key, 'GET', '/api/alerts')).json).toEqual({ items: [], totalCount: 0 });
  });

  it('refuses bad filters', async () => {
    const t = await h.tenant();
    for (const q of ['?status=Delivered', '?type=Exploded', '?limit=0', '?limit=501', '?offset=-1', '?from=yesterday', '?color=red']) {
      const res = await call(t.key, 'GET', `/api/alerts${q}`);
      expect(res.status, q).toBe(400);
    }
  });
});

describe('the monitor\'s P95 settings', () => {
  it('stores p95ThresholdMs and p95WindowSeconds with their defaults and limits', async () => {
    const t = await h.tenant();
    const base = { type: 'Website', url: 'https://x.test' };
    const plain = await call(t.key, 'POST', '/api/monitors', { name: uniqueName('p'), ...base });
    expect(plain.json).toMatchObject({ p95ThresholdMs: null, p95WindowSeconds: 300 });
    const set = await call(t.key, 'POST', '/api/monitors', { name: uniqueName('p'), ...base, p95ThresholdMs: 1500, p95WindowSeconds: 600 });
    expect(set.status).toBe(201);
    expect((await call(t.key, 'GET', `/api/monitors/${set.json.id}`)).json).toMatchObject({ p95ThresholdMs: 1500, p95WindowSeconds: 600 });
    for (const [field, value] of [['p95ThresholdMs', 0], ['p95ThresholdMs', 300_001], ['p95ThresholdMs', '1500'], ['p95WindowSeconds', 59], ['p95WindowSeconds', 86_401], ['p95WindowSeconds', null]] as const) {
      const res = await call(t.key, 'POST', '/api/monitors', { name: uniqueName('p'), ...base, [field]: value });
      expect(res.status, `${field} ${value}`).toBe(400);
      expect(JSON.stringify(res.json.details), `${field} ${value}`).toContain(field);
    }
  });
});
