/**
 * The incident routes people drive (issue 12): create a manual incident, acknowledge, post
 * timeline updates, resolve, the active list, statistics and a monitor's incidents; each
 * change's event in the outbox; bad input and other organizations' ids refused with
 * nothing stored. The api's clock is the test's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { eventsOf, insertChannel } from '../support/alert-fixtures.js';
import { monitorDefaults } from '../../services/lib/monitors/model.js';
import { realService } from '../support/services.js';

const databaseUrl = realService('database');
let clock = Date.parse('2026-03-24T14:00:00Z');
let h: ApiHarness;
beforeAll(async () => { h = await startApiHarness({ databaseUrl, now: () => clock }); });
afterAll(async () => h?.close());

type Method = 'GET' | 'POST';
const call = async (key: string, method: Method, url: string, body?: unknown) => {
  const res = await h.app.inject({ method, url, headers: { 'x-api-key': key }, ...(body === undefined ? {} : { payload: body as object }) });
  return { status: res.statusCode, json: res.body ? res.json() : undefined };
};
const keyIdOf = async (orgId: string) => (await h.sql.query<{ id: string }>(`SELECT id FROM api_keys WHERE org_id = $1`, [orgId])).rows[0].id;
const count = async (table: string, orgId: string) => Number((await h.sql.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE org_id = $1`, [orgId])).rows[0].n);

async function monitorWithChannel(orgId: string, name = 'Production API') {
  const ch = await insertChannel(h.sql, orgId);
  return h.monitors.create(orgId, { ...monitorDefaults(['UsEast']), name, type: 'Website', url: 'https://api.example.test', alertChannelIds: [ch] });
}

describe('manual incidents', () => {
  it('are created, acknowledged, updated and resolved, each change announced through the outbox', async () => {
    const t = await h.tenant();
    const keyId = await keyIdOf(t.orgId);
    const m = await monitorWithChannel(t.orgId);
    const created = await call(t.key, 'POST', '/api/incidents', { title: 'Checkout errors', message: 'Customers report 500s', monitorId: m.id, severity: 'Critical' });
    expect(created.status).toBe(201);
    const id = created.json.id;
    expect(created.json).toMatchObject({
      id: expect.stringMatching(/^inc_/), kind: 'Manual', monitorId: m.id, severity: 'Critical', title: 'Checkout errors', message: 'Customers report 500s',
      status: 'Open', startedAt: new Date(clock).toISOString(), acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null,
    });
    expect((await call(t.key, 'GET', '/api/incidents/active')).json.map((i: { id: string }) => i.id)).toEqual([id]);

    clock += 60_000;
    const acked = await call(t.key, 'POST', `/api/incidents/${id}/acknowledge`);
    expect(acked.status).toBe(200);
    expect(acked.json).toMatchObject({ acknowledgedAt: new Date(clock).toISOString(), acknowledgedBy: keyId, status: 'Open' });
    const again = await call(t.key, 'POST', `/api/incidents/${id}/acknowledge`);
    expect(again).toMatchObject({ status: 409, json: { code: 'CONFLICT', message: expect.stringContaining(keyId) } });

    clock += 60_000;
    const update = await call(t.key, 'POST', `/api/incidents/${id}/updates`, { status: 'Identified', message: 'A bad deploy; rolling back' });
    expect(update.status).toBe(201);
    expect(update.json).toMatchObject({ id: expect.stringMatching(/^upd_/), status: 'Identified', message: 'A bad deploy; rolling back', createdBy: keyId });

    clock += 180_000;
    const resolved = await call(t.key, 'POST', `/api/incidents/${id}/resolve`, { message: 'Rolled back' });
    expect(resolved.json).toMatchObject({ status: 'Resolved', resolvedAt: new Date(clock).toISOString(), resolvedBy: keyId, durationSeconds: 300 });

    const detail = (await call(t.key, 'GET', `/api/incidents/${id}`)).json;
    expect(detail.updates.map((u: { status: string; message: string }) => `${u.status}: ${u.message}`)).toEqual([
      'Investigating: Customers report 500s', 'Identified: A bad deploy; rolling back', 'Resolved: Rolled back',
    ]);
    expect(detail.results).toEqual([]);
    expect((await call(t.key, 'GET', '/api/incidents/active')).json).toEqual([]);
    expect((await eventsOf(h.sql, m.id)).map((e) => e.type)).toEqual(['incident.created', 'incident.acknowledged', 'incident.updated', 'incident.resolved']);
    const { rows: [payload] } = await h.sql.query<{ payload: { incident: { update?: unknown; severity: string } } }>(`SELECT payload FROM alert_events WHERE monitor_id = $1 AND type = 'incident.updated'`, [m.id]);
    expect(payload.payload.incident).toMatchObject({ severity: 'Critical', update: { status: 'Identified', message: 'A bad deploy; rolling back' } });
  });

  it('refuses acknowledging or updating a resolved incident and resolving twice, storing nothing', async () => {
    const t = await h.tenant();
    const m = await monitorWithChannel(t.orgId);
    const { json: incident } = await call(t.key, 'POST', '/api/incidents', { title: 'Slow logins', monitorId: m.id });
    expect(incident.severity).toBe('Major');
    // An update with status Resolved resolves it.
    expect((await call(t.key, 'POST', `/api/incidents/${incident.id}/updates`, { status: 'Resolved', message: 'Fixed' })).status).toBe(201);
    expect((await call(t.key, 'GET', `/api/incidents/${incident.id}`)).json.status).toBe('Resolved');
    const before = { events: (await eventsOf(h.sql, m.id)).length, updates: await count('incident_updates', t.orgId) };
    for (const [path, body] of [['resolve', undefined], ['acknowledge', undefined], ['updates', { status: 'Monitoring', message: 'x' }]] as const) {
      const res = await call(t.key, 'POST', `/api/incidents/${incident.id}/${path}`, body);
      expect(res.status, path).toBe(409);
      expect(res.json.code).toBe('CONFLICT');
    }
    expect({ events: (await eventsOf(h.sql, m.id)).length, updates: await count('incident_updates', t.orgId) }).toEqual(before);
  });

  it('refuses bad bodies and another organization\'s incidents and monitors with a 4xx, storing nothing', async () => {
    const t = await h.tenant();
    const other = await h.tenant();
    const theirs = await monitorWithChannel(other.orgId);
    const { json: theirIncident } = await call(other.key, 'POST', '/api/incidents', { title: 'theirs', monitorId: theirs.id });

    const foreignMonitor = await call(t.key, 'POST', '/api/incidents', { title: 'x', monitorId: theirs.id });
    expect(foreignMonitor).toMatchObject({ status: 400, json: { details: [{ field: '/monitorId' }] } });
    expect((await call(t.key, 'POST', '/api/incidents', { title: 'x', severity: 'Apocalyptic' })).json.details[0].field).toBe('/severity');
    expect((await call(t.key, 'POST', '/api/incidents', { title: '' })).status).toBe(400);
    expect((await call(t.key, 'POST', '/api/incidents', { message: 'no title' })).status).toBe(400);
    for (const path of ['acknowledge', 'resolve']) expect((await call(t.key, 'POST', `/api/incidents/${theirIncident.id}/${path}`)).status).toBe(404);
    expect((await call(t.key, 'POST', `/api/incidents/${theirIncident.id}/updates`, { status: 'Identified', message: 'x' })).status).toBe(404);
    expect((await call(t.key, 'GET', `/api/incidents/${theirIncident.id}`)).status).toBe(404);
    expect((await call(t.key, 'GET', `/api/monitors/${theirs.id}/incidents`)).status).toBe(404);
    const mine = await call(t.key, 'POST', '/api/incidents', { title: 'mine' });
    expect((await call(t.key, 'POST', `/api/incidents/${mine.json.id}/updates`, { status: 'Fixed', message: 'x' })).json.details[0].field).toBe('/status');
    expect((await call(t.key, 'POST', `/api/incidents/${mine.json.id}/updates`, { status: 'Identified', message: '' })).status).toBe(400);

    expect(await count('incidents', t.orgId)).toBe(1);
    expect(await count('incident_updates', t.orgId)).toBe(1);
    expect((await call(other.key, 'GET', `/api/incidents/${theirIncident.id}`)).json).toMatchObject({ status: 'Open', acknowledgedAt: null });
  });

  it('need incidents:write to change and incidents:read to read', async () => {
    const reader = await h.tenant(['incidents:read']);
    const res = await call(reader.key, 'POST', '/api/incidents', { title: 'x' });
    expect(res).toMatchObject({ status: 403, json: { code: 'INSUFFICIENT_SCOPE' } });
    expect((await call(reader.key, 'GET', '/api/incidents/active')).status).toBe(200);
    const writer = await h.tenant(['incidents:write']);
    expect((await call(writer.key, 'POST', '/api/incidents', { title: 'x' })).status).toBe(201);
    expect((await call(writer.key, 'GET', '/api/incidents/stats')).status).toBe(403);
  });

  it('an incident about no monitor announces each change to the rules that select every monitor, and only those', async () => {
    const t = await h.tenant();
    const everyMonitor = await insertChannel(h.sql, t.orgId, 'all');
    const tagged = await insertChannel(h.sql, t.orgId, 'prod only');
    const downOnly = await insertChannel(h.sql, t.orgId, 'downs');
    const rule = async (body: object) => expect((await call(t.key, 'POST', '/api/alert-rules', { name: 'r', ...body })).status).toBe(201);
    await rule({ channelIds: [everyMonitor] });
    await rule({ channelIds: [tagged], tags: ['prod'] });
    await rule({ channelIds: [downOnly], events: ['monitor.down'] });
    await rule({ channelIds: [everyMonitor], monitorTypes: ['Website'] });

    const res = await call(t.key, 'POST', '/api/incidents', { title: 'Payment provider outage', message: 'Upstream', monitorId: null, severity: 'Minor' });
    expect(res.json).toMatchObject({ monitorId: null, severity: 'Minor' });
    const id = res.json.id;
    clock += 60_000;
    expect((await call(t.key, 'POST', `/api/incidents/${id}/acknowledge`)).status).toBe(200);
    expect((await call(t.key, 'POST', `/api/incidents/${id}/updates`, { status: 'Monitoring', message: 'Provider recovering' })).status).toBe(201);
    expect((await call(t.key, 'POST', `/api/incidents/${id}/resolve`)).status).toBe(200);

    const { rows } = await h.sql.query<{ type: string; monitor_id: string | null; channel_id: string; payload: { monitor: unknown; incident: { id: string } } }>(
      `SELECT e.type, e.monitor_id, d.channel_id, e.payload FROM alert_events e JOIN alert_deliveries d ON d.event_id = e.id
        WHERE e.org_id = $1 ORDER BY e.created_at, e.id`, [t.orgId],
    );
    expect(rows.map((r) => `${r.type}:${r.channel_id}`)).toEqual(
      ['incident.created', 'incident.acknowledged', 'incident.updated', 'incident.resolved'].map((e) => `${e}:${everyMonitor}`),
    );
    for (const r of rows) expect(r).toMatchObject({ monitor_id: null, payload: { monitor: null, incident: { id } } });
    const alerts = await call(t.key, 'GET', '/api/alerts');
    expect(alerts.status).toBe(200);
    expect(alerts.json.items.map((a: { monitorId: string | null; type: string }) => `${a.type}:${a.monitorId}`).sort()).toEqual(
      ['IncidentAcknowledged:null', 'IncidentCreated:null', 'IncidentResolved:null', 'IncidentUpdated:null'],
    );
  });

  it('an incident about no monitor in an organization without such rules is kept and announces nothing', async () => {
    const t = await h.tenant();
    await call(t.key, 'POST', '/api/alert-rules', { name: 'prod', channelIds: [await insertChannel(h.sql, t.orgId)], tags: ['prod'] });
    const res = await call(t.key, 'POST', '/api/incidents', { title: 'Payment provider outage', monitorId: null });
    expect(res.status).toBe(201);
    expect(await count('alert_events', t.orgId)).toBe(0);
  });
});

describe('incident statistics and a monitor\'s incidents', () => {
  it('counts, means to acknowledge and to resolve, per day and per monitor', async () => {
    const t = await h.tenant();
    const a = await monitorWithChannel(t.orgId, 'a');
    const b = await monitorWithChannel(t.orgId, 'b');
    const day1 = Date.parse('2026-05-01T10:00:00Z');
    const day2 = Date.parse('2026-05-02T10:00:00Z');
    const open = async (monitorId: string, at: number) => { clock = at; return (await call(t.key, 'POST', '/api/incidents', { title: 't', monitorId })).json.id as string; };
    const act = async (id: string, path: string, at: number) => { clock = at; expect((await call(t.key, 'POST', `/api/incidents/${id}/${path}`)).status).toBe(200); };

    const i1 = await open(a.id, day1);
    await act(i1, 'acknowledge', day1 + 60_000);
    await act(i1, 'resolve', day1 + 600_000);
    const i2 = await open(a.id, day2);
    await act(i2, 'acknowledge', day2 + 180_000);
    await act(i2, 'resolve', day2 + 1_200_000);
    await open(b.id, day2 + 3_600_000);

    const res = await call(t.key, 'GET', `/api/incidents/stats?from=2026-05-01T00:00:00Z&to=2026-05-03T00:00:00Z&period=day`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      from: '2026-05-01T00:00:00.000Z', to: '2026-05-03T00:00:00.000Z', period: 'day',
      totalCount: 3, openCount: 1, resolvedCount: 2, acknowledgedCount: 2, meanTimeToAcknowledgeSeconds: 120, meanTimeToResolveSeconds: 900,
      periods: [
        { start: '2026-05-01T00:00:00.000Z', totalCount: 1, meanTimeToAcknowledgeSeconds: 60, meanTimeToResolveSeconds: 600 },
        { start: '2026-05-02T00:00:00.000Z', totalCount: 2, openCount: 1, meanTimeToAcknowledgeSeconds: 180, meanTimeToResolveSeconds: 1200 },
      ],
    });
    expect(res.json.monitors).toEqual([
      expect.objectContaining({ monitorId: a.id, totalCount: 2, meanTimeToResolveSeconds: 900 }),
      expect.objectContaining({ monitorId: b.id, totalCount: 1, meanTimeToAcknowledgeSeconds: null, meanTimeToResolveSeconds: null }),
    ]);
    const onlyB = (await call(t.key, 'GET', `/api/incidents/stats?from=2026-05-01T00:00:00Z&to=2026-05-03T00:00:00Z&monitorId=${b.id}`)).json;
    expect(onlyB.totalCount).toBe(1);
    const backwards = await call(t.key, 'GET', '/api/incidents/stats?from=2026-05-03T00:00:00Z&to=2026-05-01T00:00:00Z');
    expect(backwards).toMatchObject({ status: 400, json: { details: [{ field: '/from' }] } });
    expect((await call(t.key, 'GET', '/api/incidents/stats?period=hour')).status).toBe(400);

    const ofA = (await call(t.key, 'GET', `/api/monitors/${a.id}/incidents?limit=1`)).json;
    expect(ofA).toMatchObject({ totalCount: 2, items: [{ id: i2 }] });
    expect((await call(t.key, 'GET', `/api/monitors/${b.id}/incidents?status=Resolved`)).json).toEqual({ items: [], totalCount: 0 });
  });
});
