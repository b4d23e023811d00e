/**
 * Maintenance windows (issue 12): CRUD with the plan limit and bad input, start now and end
 * early, the Maintenance status, a mute window swallowing a failure (result stored, no
 * incident), and which monitors a pause window holds. The api's clock is the test's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { startAlertingHarness, type AlertingHarness } from '../support/alerting-harness.js';
import { MaintenanceCalendar } from '../../services/alerting/maintenance/calendar.js';
import { eventually, realService } from '../support/services.js';
import { insertChannel } from '../support/alert-fixtures.js';

const databaseUrl = realService('database');
const MIN = 60_000;
let clock = Math.ceil(Date.now() / 3_600_000) * 3_600_000;
let h: ApiHarness;
let alerting: AlertingHarness;
let base: string;
beforeAll(async () => {
  h = await startApiHarness({ databaseUrl, now: () => clock });
  alerting = await startAlertingHarness(h, () => clock);
  base = await h.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await alerting?.stop();
  await h?.close();
});

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
const call = async (key: string, method: Method, url: string, body?: unknown) => {
  const res = await h.app.inject({ method, url, headers: { 'x-api-key': key }, ...(body === undefined ? {} : { payload: body as object }) });
  return { status: res.statusCode, json: res.body ? res.json() : undefined };
};
const windowCount = async (orgId: string) => Number((await h.sql.query<{ n: string }>(`SELECT count(*) AS n FROM maintenance_windows WHERE org_id = $1`, [orgId])).rows[0].n);
const iso = (ms: number) => new Date(ms).toISOString();

describe('maintenance windows', () => {
  it('are created, read, replaced and deleted within the plan limit', async () => {
    const t = await h.tenant(['*'], 'base');
    const oneOff = { name: 'db upgrade', mode: 'mute', startsAt: iso(clock + 60 * MIN), endsAt: iso(clock + 120 * MIN), allMonitors: true };
    const created = await call(t.key, 'POST', '/api/maintenance-windows', oneOff);
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ id: expect.stringMatching(/^mw_/), mode: 'mute', active: false, nextStart: oneOff.startsAt, timezone: 'UTC', allMonitors: true, monitorIds: null });
    const weekly = { name: 'sundays', mode: 'pause', rrule: 'FREQ=WEEKLY;BYDAY=SU;BYHOUR=2;BYMINUTE=0;BYSECOND=0', durationMinutes: 60, timezone: 'Europe/Berlin', tags: ['db'] };
    expect((await call(t.key, 'POST', '/api/maintenance-windows', weekly)).json).toMatchObject({ rrule: weekly.rrule, nextStart: expect.any(String) });
    expect((await call(t.key, 'POST', '/api/maintenance-windows', { ...weekly, name: 'third' }))).toMatchObject({ status: 403, json: { code: 'PLAN_LIMIT_EXCEEDED' } });
    const put = await call(t.key, 'PUT', `/api/maintenance-windows/${created.json.id}`, { ...oneOff, name: 'renamed', cronExpression: '0 3 * * *', durationMinutes: 30, startsAt: null, endsAt: null });
    expect(put.json).toMatchObject({ name: 'renamed', cronExpression: '0 3 * * *', startsAt: null });
    expect((await call(t.key, 'GET', '/api/maintenance-windows')).json.totalCount).toBe(2);
    expect((await call(t.key, 'DELETE', `/api/maintenance-windows/${created.json.id}`)).status).toBe(204);
    expect((await call(t.key, 'GET', `/api/maintenance-windows/${created.json.id}`)).status).toBe(404);
  });

  it('refuses windows ending before they start, unknown time zones, RRULEs that never fire and other organizations\' monitors, storing nothing', async () => {
    const t = await h.tenant();
    const other = await h.tenant();
    const theirs = await call(other.key, 'POST', '/api/monitors', { name: 'theirs', type: 'Job', periodSeconds: 3600 });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ startsAt: iso(clock + 2 * MIN), endsAt: iso(clock + MIN), allMonitors: true }, '/endsAt'],
      [{ cronExpression: '0 2 * * *', durationMinutes: 60, timezone: 'Europe/Atlantis', allMonitors: true }, '/timezone'],
      [{ rrule: 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=31', durationMinutes: 60, allMonitors: true }, '/rrule'],
      [{ cronExpression: 'every sunday', durationMinutes: 60, allMonitors: true }, '/cronExpression'],
      [{ startsAt: iso(clock), endsAt: iso(clock + MIN), monitorIds: [theirs.json.id] }, '/monitorIds/0'],
      [{ startsAt: iso(clock), endsAt: iso(clock + MIN) }, '/monitorIds'],
      [{ startsAt: iso(clock), endsAt: iso(clock + MIN), allMonitors: true, mode: 'snooze' }, '/mode'],
    ];
    for (const [body, field] of cases) {
      const res = await call(t.key, 'POST', '/api/maintenance-windows', { name: 'x', mode: 'mute', ...body });
      expect(res.status, field).toBe(400);
      expect(res.json.details.map((d: { field: string }) => d.field), field).toContain(field);
    }
    expect(await windowCount(t.orgId)).toBe(0);
    const { json: theirWindow } = await call(other.key, 'POST', '/api/maintenance-windows', { name: 'theirs', mode: 'mute', startsAt: iso(clock), endsAt: iso(clock + MIN), allMonitors: true });
    for (const path of ['start', 'end']) expect((await call(t.key, 'POST', `/api/maintenance-windows/${theirWindow.id}/${path}`)).status).toBe(404);
    expect((await call(t.key, 'DELETE', `/api/maintenance-windows/${theirWindow.id}`)).status).toBe(404);
  });

  it('starts now and ends early; a monitor in a window in force reads Maintenance', async () => {
    const t = await h.tenant();
    const m = await call(t.key, 'POST', '/api/monitors', { name: 'web', type: 'Job', periodSeconds: 3600, tags: ['deploy'] });
    const other = await call(t.key, 'POST', '/api/monitors', { name: 'other', type: 'Job', periodSeconds: 3600 });
    const { json: w } = await call(t.key, 'POST', '/api/maintenance-windows', { name: 'deploys', mode: 'mute', cronExpression: '0 4 1 1 *', durationMinutes: 20, tags: ['deploy'] });
    expect((await call(t.key, 'GET', `/api/monitors/${m.json.id}`)).json.status).toBe('Pending');
    expect((await call(t.key, 'POST', `/api/maintenance-windows/${w.id}/end`))).toMatchObject({ status: 409 });

    const started = await call(t.key, 'POST', `/api/maintenance-windows/${w.id}/start`);
    expect(started.json).toMatchObject({ active: true, currentStart: iso(clock), currentEnd: iso(clock + 20 * MIN) });
    expect((await call(t.key, 'GET', `/api/monitors/${m.json.id}`)).json).toMatchObject({ status: 'Maintenance', maintenanceWindowId: w.id });
    expect((await call(t.key, 'GET', `/api/monitors/${other.json.id}`)).json).toMatchObject({ status: 'Pending', maintenanceWindowId: null });

    clock += 5 * MIN;
    expect((await call(t.key, 'POST', `/api/maintenance-windows/${w.id}/end`)).json).toMatchObject({ active: false });
    expect((await call(t.key, 'GET', `/api/monitors/${m.json.id}`)).json.status).toBe('Pending');
  });

  it('mute: a failure inside the window is stored but opens no incident and no alert, and uptime leaves it out; after the window it does', async () => {
    const t = await h.tenant();
    const channel = await insertChannel(h.sql, t.orgId);
    const m = (await call(t.key, 'POST', '/api/monitors', { name: 'batch', type: 'Job', periodSeconds: 3600, alertChannelIds: [channel] })).json;
    const pingUrl = (m.pingUrl as string).replace(/^https?:\/\/[^/]+/, base);
    const results = async (n: number) => eventually(async () => {
      const items = (await call(t.key, 'GET', `/api/monitors/${m.id}/results`)).json.items;
      return items?.length >= n ? items : undefined;
    }, { what: `${n} results stored` });
    await request(pingUrl, { method: 'POST' }).then((r) => r.body.text());
    await results(1);
    const { json: w } = await call(t.key, 'POST', '/api/maintenance-windows', { name: 'now', mode: 'mute', startsAt: iso(clock), endsAt: iso(clock + 10 * MIN), monitorIds: [m.id] });
    await alerting.calendar.refresh();
    clock += MIN;
    await request(`${pingUrl}/fail`, { method: 'POST' }).then((r) => r.body.text());
    const [stored] = await results(2);
    expect(stored).toMatchObject({ status: 'Down', inMaintenance: true });
    expect((await call(t.key, 'GET', `/api/monitors/${m.id}/incidents`)).json.totalCount).toBe(0);
    expect((await call(t.key, 'GET', `/api/alerts?monitorId=${m.id}`)).json.totalCount).toBe(0);
    expect(Number((await h.sql.query<{ n: string }>(`SELECT count(*) AS n FROM alert_events WHERE monitor_id = $1`, [m.id])).rows[0].n)).toBe(0);
    expect((await call(t.key, 'GET', `/api/monitors/${m.id}`)).json.status).toBe('Maintenance');
    // Uptime over the period: the success before the window only; the failure inside is not counted.
    expect((await call(t.key, 'GET', `/api/monitors/${m.id}/stats?period=24h`)).json).toMatchObject({ totalChecks: 1, failedChecks: 0, uptimePercentage: 100 });

    clock += MIN;
    await call(t.key, 'POST', `/api/maintenance-windows/${w.id}/end`);
    await alerting.calendar.refresh();
    clock += MIN;
    await request(`${pingUrl}/fail`, { method: 'POST' }).then((r) => r.body.text());
    await eventually(async () => (await call(t.key, 'GET', `/api/monitors/${m.id}/incidents`)).json.totalCount === 1, { what: 'an incident after the window' });
    const [after] = await results(3);
    expect(after).toMatchObject({ status: 'Down', inMaintenance: false });
    expect((await call(t.key, 'GET', `/api/alerts?monitorId=${m.id}`)).json.totalCount).toBeGreaterThan(0);
    expect((await call(t.key, 'GET', `/api/monitors/${m.id}/stats?period=24h`)).json).toMatchObject({ totalChecks: 2, failedChecks: 1, uptimePercentage: 50 });
    expect((await call(t.key, 'GET', `/api/monitors/${m.id}`)).json.uptimePercentage).toBe(50);
  });

  it('pause: the calendar holds the monitors a pause window covers, while it is in force', async () => {
    const t = await h.tenant();
    const tagged = await h.monitors.getById((await call(t.key, 'POST', '/api/monitors', { name: 'db', type: 'Job', periodSeconds: 3600, tags: ['db', 'eu'] })).json.id);
    const untagged = await h.monitors.getById((await call(t.key, 'POST', '/api/monitors', { name: 'web', type: 'Job', periodSeconds: 3600, tags: ['eu'] })).json.id);
    await call(t.key, 'POST', '/api/maintenance-windows', { name: 'db', mode: 'pause', startsAt: iso(clock + 10 * MIN), endsAt: iso(clock + 20 * MIN), tags: ['db', 'eu'] });
    await call(t.key, 'POST', '/api/maintenance-windows', { name: 'muted only', mode: 'mute', startsAt: iso(clock), endsAt: iso(clock + 30 * MIN), allMonitors: true });
    const calendar = new MaintenanceCalendar(h.sql);
    await calendar.refresh();
    expect(calendar.paused(tagged!, clock + 5 * MIN)).toBe(false);
    expect(calendar.paused(tagged!, clock + 15 * MIN)).toBe(true);
    expect(calendar.paused(untagged!, clock + 15 * MIN)).toBe(false);
    expect(calendar.paused(tagged!, clock + 20 * MIN)).toBe(false);
  });
});
