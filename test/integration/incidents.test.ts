/**
 * Incidents follow status changes: a monitor going Down opens one (with the error that took
 * it down), recovering resolves it. Driven through a Job monitor's pings over HTTP, so the
 * whole path runs: api → durable subject → ingest → results store → status evaluator.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { startAlertingHarness, type AlertingHarness } from '../support/alerting-harness.js';
import { eventually, realService } from '../support/services.js';

const databaseUrl = realService('database');
let clock = Math.ceil(Date.now() / 3_600_000) * 3_600_000;
let h: ApiHarness;
let alerting: AlertingHarness;
let base: string;
let tenant: { orgId: string; key: string };

beforeAll(async () => {
  h = await startApiHarness({ databaseUrl, now: () => clock });
  alerting = await startAlertingHarness(h, () => clock);
  base = await h.app.listen({ host: '127.0.0.1', port: 0 });
});
beforeEach(async () => {
  tenant = await h.tenant();
});
afterAll(async () => {
  await alerting?.stop();
  await h?.close();
});

async function api(path: string, init: { method?: 'GET' | 'POST' | 'DELETE'; body?: unknown; key?: string } = {}) {
  const res = await request(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers: { 'x-api-key': init.key ?? tenant.key, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.body.text();
  return { status: res.statusCode, json: text ? JSON.parse(text) : undefined };
}

async function job(name: string) {
  const res = await api('/api/monitors', { method: 'POST', body: { name, type: 'Job', periodSeconds: 3600 } });
  expect(res.status).toBe(201);
  return res.json as { id: string; pingUrl: string };
}

const ping = async (url: string) => (await request(url, { method: 'POST', body: 'nightly export: disk full' })).body.text();
const status = async (id: string) => (await api(`/api/monitors/${id}`)).json.status;

describe('incidents', () => {
  it('opens one when a monitor goes Down and resolves it when it recovers', async () => {
    const m = await job('export');
    const startedAt = clock;
    await ping(`${m.pingUrl}/fail`);
    await eventually(async () => (await status(m.id)) === 'Down');
    const [open] = (await api('/api/incidents')).json.items;
    expect(open).toMatchObject({
      monitorId: m.id, title: 'export is down', status: 'Open', cause: 'job reported failure: nightly export: disk full',
      startedAt: new Date(startedAt).toISOString(), resolvedAt: null, durationSeconds: null,
    });
    expect(open.regions).toEqual([expect.objectContaining({ region: 'Heartbeat', verdict: 'down' })]);

    // A second failure while Down opens no second incident.
    clock += 60_000;
    await ping(`${m.pingUrl}/fail`);
    clock += 240_000;
    await ping(m.pingUrl);
    await eventually(async () => (await status(m.id)) === 'Up');
    const all = (await api('/api/incidents')).json;
    expect(all.totalCount).toBe(1);
    expect(all.items[0]).toMatchObject({ id: open.id, status: 'Resolved', resolvedAt: new Date(clock).toISOString(), durationSeconds: 300 });
    expect((await api(`/api/incidents/${open.id}`)).json).toMatchObject({ id: open.id, status: 'Resolved' });
  });

  it('serves the recent ones as a plain array, as the document\'s Python example iterates them', async () => {
    const a = await job('recent a');
    const b = await job('recent b');
    await ping(`${a.pingUrl}/fail`);
    clock += 1_000;
    await ping(`${b.pingUrl}/fail`);
    await eventually(async () => (await api('/api/incidents/recent')).json.length === 2, { what: 'two recent incidents' });
    const recent = (await api('/api/incidents/recent')).json as Array<{ status: string; title: string }>;
    expect(recent.map((i) => `[${i.status}] ${i.title}`)).toEqual(['[Open] recent b is down', '[Open] recent a is down']);
  });

  it('filters by monitor, status and time, and pages', async () => {
    const a = await job('filter a');
    const b = await job('filter b');
    await ping(`${a.pingUrl}/fail`);
    await eventually(async () => (await status(a.id)) === 'Down');
    clock += 1_000;
    await ping(a.pingUrl);
    clock += 1_000;
    const bFailedAt = clock;
    await ping(`${b.pingUrl}/fail`);
    await eventually(async () => (await status(b.id)) === 'Down' && (await status(a.id)) === 'Up');
    expect((await api(`/api/incidents?monitorId=${a.id}`)).json.items.map((i: { status: string }) => i.status)).toEqual(['Resolved']);
    expect((await api('/api/incidents?status=Open')).json.items.map((i: { monitorId: string }) => i.monitorId)).toEqual([b.id]);
    expect((await api(`/api/incidents?from=${new Date(bFailedAt).toISOString()}`)).json.totalCount).toBe(1);
    const page = (await api('/api/incidents?limit=1&offset=1')).json;
    expect(page).toMatchObject({ totalCount: 2, items: [expect.objectContaining({ monitorId: a.id })] });
    expect((await api('/api/incidents?status=Closed')).status).toBe(400);
  });

  it('needs incidents:read, and never shows another organization\'s incident', async () => {
    const m = await job('scoped');
    await ping(`${m.pingUrl}/fail`);
    const [incident] = await eventually(async () => {
      const items = (await api('/api/incidents')).json.items;
      return items.length ? items : undefined;
    });
    const monitorsOnly = await h.tenant(['monitors:read']);
    expect((await api('/api/incidents', { key: monitorsOnly.key })).json.code).toBe('INSUFFICIENT_SCOPE');
    const other = await h.tenant(['incidents:read']);
    expect((await api(`/api/incidents/${incident.id}`, { key: other.key })).status).toBe(404);
    expect((await api('/api/incidents/recent', { key: other.key })).json).toEqual([]);
  });

  it('a pause ends the outage, and a pause and resume never leaves an incident open', async () => {
    const m = await job('paused outage');
    await ping(`${m.pingUrl}/fail`);
    await eventually(async () => (await api('/api/incidents?status=Open')).json.totalCount === 1);
    await api(`/api/monitors/${m.id}/pause`, { method: 'POST' });
    expect((await api('/api/incidents?status=Open')).json.totalCount).toBe(0);
    await api(`/api/monitors/${m.id}/resume`, { method: 'POST' });
    clock += 1_000;
    await ping(`${m.pingUrl}/fail`);
    await eventually(async () => (await api('/api/incidents')).json.totalCount === 2, { what: 'a new incident after the resume' });
    clock += 1_000;
    await ping(m.pingUrl);
    await eventually(async () => (await api('/api/incidents?status=Open')).json.totalCount === 0, { what: 'the new one resolved' });
  });

  it('keeps its evidence: error kind and phase per region, the first failing result and the results up to it', async () => {
    const m = await job('evidence');
    await ping(m.pingUrl);
    await eventually(async () => (await status(m.id)) === 'Up');
    clock += 60_000;
    await ping(`${m.pingUrl}/fail`);
    await eventually(async () => (await status(m.id)) === 'Down');
    const [listed] = (await api(`/api/monitors/${m.id}/incidents`)).json.items;
    const detail = (await api(`/api/incidents/${listed.id}`)).json;
    expect(detail).toMatchObject({ kind: 'Automatic', severity: 'Critical', firstFailingResultId: expect.any(String), updates: [] });
    expect(detail.regions).toEqual([expect.objectContaining({
      region: 'Heartbeat', verdict: 'down', errorKind: 'job_failed', errorPhase: 'heartbeat',
      firstFailingResultId: detail.firstFailingResultId, firstFailureAt: new Date(clock).toISOString(),
    })]);
    expect(detail.results.map((r: { id: string; status: string }) => r.status)).toEqual(['Down', 'Up']);
    expect(detail.results[0].id).toBe(detail.firstFailingResultId);
  });

  it('an automatic incident resolved by hand stays resolved; the recovery resolves nothing more and the next outage opens a new one', async () => {
    const m = await job('resolved by hand');
    await ping(`${m.pingUrl}/fail`);
    await eventually(async () => (await status(m.id)) === 'Down');
    const [open] = (await api('/api/incidents/active')).json;
    const resolved = await api(`/api/incidents/${open.id}/resolve`, { method: 'POST', body: { message: 'known; a fix is deploying' } });
    expect(resolved.json).toMatchObject({ status: 'Resolved', resolvedBy: expect.stringMatching(/^key_/) });
    clock += 1_000;
    await ping(m.pingUrl);
    await eventually(async () => (await status(m.id)) === 'Up');
    expect((await api(`/api/incidents/${open.id}`)).json).toMatchObject({ status: 'Resolved', resolvedAt: resolved.json.resolvedAt });
    clock += 1_000;
    await ping(`${m.pingUrl}/fail`);
    await eventually(async () => (await api('/api/incidents/active')).json.length === 1, { what: 'a new incident' });
    expect((await api(`/api/monitors/${m.id}/incidents`)).json.totalCount).toBe(2);
  });

  it('announces the end of an outage that a pause ends: incident.resolved goes to the monitor\'s channels', async () => {
    const channel = await api('/api/alert-channels', { method: 'POST', body: { name: 'ops hook', type: 'Webhook', webhookUrl: 'http://127.0.0.1:9/hook' } });
    expect(channel.status).toBe(201);
    const created = await api('/api/monitors', { method: 'POST', body: { name: 'paused and told', type: 'Job', periodSeconds: 3600, alertChannelIds: [channel.json.id] } });
    expect(created.status).toBe(201);
    const m = created.json as { id: string; pingUrl: string };
    await ping(`${m.pingUrl}/fail`);
    await eventually(async () => (await api(`/api/alerts?monitorId=${m.id}&type=IncidentCreated`)).json.totalCount === 1, { what: 'incident.created queued' });
    await api(`/api/monitors/${m.id}/pause`, { method: 'POST' });
    const resolved = (await api(`/api/alerts?monitorId=${m.id}&type=IncidentResolved`)).json;
    expect(resolved.totalCount).toBe(1);
    expect(resolved.items[0]).toMatchObject({ channel: { id: channel.json.id } });
    // A second pause has nothing to end and announces nothing.
    await api(`/api/monitors/${m.id}/pause`, { method: 'POST' });
    expect((await api(`/api/alerts?monitorId=${m.id}&type=IncidentResolved`)).json.totalCount).toBe(1);
  });

  it('refuses an instant JavaScript cannot represent with a 400, not a 500', async () => {
    const res = await api('/api/incidents?from=2026-06-30T23:59:60Z');
    expect(res.status).toBe(400);
    expect(res.json.details).toEqual([{ field: '/from', message: 'is not a representable instant' }]);
  });

  it('are deleted with their monitor', async () => {
    const m = await job('deleted with incidents');
    await ping(`${m.pingUrl}/fail`);
    await eventually(async () => (await api('/api/incidents')).json.totalCount === 1);
    expect((await api(`/api/monitors/${m.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await api('/api/incidents')).json.totalCount).toBe(0);
  });
});
