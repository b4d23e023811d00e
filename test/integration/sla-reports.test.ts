/**
 * Monthly SLA reports (issue 13): figures per monitor and region from the results store,
 * incidents clipped to the month with downtime and mean time to resolve, JSON and CSV, the
 * plan's reports per month, bad input storing nothing, and other organizations' reports and
 * monitors out of reach. The api's clock is the test's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { realService } from '../support/services.js';
import { NO_DETAILS, type StoredResult } from '../../services/lib/results/types.js';

const databaseUrl = realService('database');
const MIN = 60_000;
// October 2026 is reported; the clock sits in November unless a test moves it.
const OCT = Date.UTC(2026, 9, 1);
const NOV = Date.UTC(2026, 10, 1);
let clock = NOV + 2 * 24 * 60 * MIN;
let h: ApiHarness;

beforeAll(async () => {
  h = await startApiHarness({ databaseUrl, now: () => clock });
});
afterAll(async () => h?.close());

type Method = 'GET' | 'POST' | 'DELETE';
const call = async (key: string, method: Method, url: string, body?: unknown, headers: Record<string, string> = {}) => {
  const res = await h.app.inject({ method, url, headers: { 'x-api-key': key, ...headers }, ...(body === undefined ? {} : { payload: body as object }) });
  const json = res.headers['content-type']?.toString().startsWith('application/json') && res.body ? res.json() : undefined;
  return { status: res.statusCode, json, body: res.body, headers: res.headers };
};
const reportRows = async (orgId: string) => Number((await h.sql.query<{ n: string }>(`SELECT count(*) AS n FROM sla_reports WHERE org_id = $1`, [orgId])).rows[0].n);

let seq = 0;
function results(orgId: string, monitorId: string, region: string, startMs: number, statuses: Array<StoredResult['status']>, totalMs: (i: number) => number): StoredResult[] {
  return statuses.map((status, i) => {
    const id = `${monitorId}.${region}.${startMs + i * MIN}.${(seq += 1)}`;
    return {
      ...NO_DETAILS, resultId: id, jobId: id, orgId, monitorId, region, agentId: 'a1', type: 'Job',
      scheduledAtMs: startMs + i * MIN, startedAtMs: startMs + i * MIN, status,
      errorKind: status === 'up' ? '' : 'timeout', errorPhase: '', errorMessage: '',
      dnsMs: 0, connectMs: 0, tlsMs: 0, ttfbMs: 0, transferMs: 0, totalMs: totalMs(i), statusCode: 0, tlsNotAfterMs: 0, retentionDays: 90,
    };
  });
}

/**
 * Manual incidents opened and resolved at the given instants of the api's clock, replayed in
 * time order (the rate limiter's clock must not run backwards for a key).
 */
async function incidents(key: string, list: Array<{ monitorId: string | null; title: string; fromMs: number; toMs: number | null }>): Promise<void> {
  const events = list.flatMap((i) => [{ at: i.fromMs, i, open: true }, ...(i.toMs === null ? [] : [{ at: i.toMs, i, open: false }])]).sort((a, b) => a.at - b.at);
  const ids = new Map<object, string>();
  for (const e of events) {
    clock = e.at;
    if (e.open) ids.set(e.i, (await call(key, 'POST', '/api/incidents', { title: e.i.title, monitorId: e.i.monitorId })).json.id);
    else expect((await call(key, 'POST', `/api/incidents/${ids.get(e.i)}/resolve`, {})).status).toBe(200);
  }
}

describe('SLA reports', () => {
  it('report a month per monitor and region, with its incidents, downtime and mean time to resolve, as JSON and CSV', async () => {
    const t = await h.tenant(['*'], 'business');
    clock = OCT - 60 * MIN;
    const api = (await call(t.key, 'POST', '/api/monitors', { name: 'api', type: 'Job', periodSeconds: 3600 })).json;
    const web = (await call(t.key, 'POST', '/api/monitors', { name: '=HYPERLINK("http://x"),web', type: 'Job', periodSeconds: 3600 })).json;
    const quiet = (await call(t.key, 'POST', '/api/monitors', { name: 'quiet', type: 'Job', periodSeconds: 3600 })).json;
    // api: UsEast 8 up + 2 down (total_ms 1..10), EuWest 10 up (total_ms 101..110); skipped and
    // missed slots, a check in maintenance and results outside October count nowhere.
    await h.results.insertResults([
      ...results(t.orgId, api.id, 'UsEast', OCT + 60 * MIN, ['up', 'up', 'up', 'up', 'down', 'up', 'up', 'up', 'up', 'down'], (i) => i + 1),
      ...results(t.orgId, api.id, 'EuWest', OCT + 120 * MIN, Array(10).fill('up'), (i) => 101 + i),
      ...results(t.orgId, api.id, 'UsEast', OCT + 300 * MIN, ['skipped', 'missed'], () => 9_999),
      ...results(t.orgId, api.id, 'UsEast', OCT - 5 * MIN, ['down', 'down'], () => 9_999),
      ...results(t.orgId, api.id, 'UsEast', NOV, ['down'], () => 9_999),
      // Taken in a maintenance window: left out like everywhere else.
      ...results(t.orgId, api.id, 'UsEast', OCT + 400 * MIN, ['down'], () => 9_999).map((r) => ({ ...r, inMaintenance: true })),
      ...results(t.orgId, web.id, 'UsEast', OCT + 10 * 24 * 60 * MIN, ['up', 'down', 'down', 'up'], () => 50),
    ]);
    // api: one incident from September into October (20 min of it in October; not in the
    // mean, which is of October's incidents), and two overlapping ones (10:00–10:30 and
    // 10:20–11:00 → 60 min covered). web: one still open at the month's end.
    await incidents(t.key, [
      { monitorId: api.id, title: 'carried over', fromMs: OCT - 40 * MIN, toMs: OCT + 20 * MIN },
      { monitorId: api.id, title: 'first', fromMs: OCT + 600 * MIN, toMs: OCT + 630 * MIN },
      { monitorId: api.id, title: 'second', fromMs: OCT + 620 * MIN, toMs: OCT + 660 * MIN },
      { monitorId: web.id, title: 'still open', fromMs: NOV - 90 * MIN, toMs: null },
      { monitorId: api.id, title: 'in november', fromMs: NOV + 60 * MIN, toMs: NOV + 70 * MIN },
      { monitorId: null, title: 'org-wide', fromMs: OCT + 900 * MIN, toMs: OCT + 915 * MIN },
    ]);
    clock = NOV + 2 * 24 * 60 * MIN;

    const created = await call(t.key, 'POST', '/api/reports', {});
    expect(created.status).toBe(201);
    const report = created.json;
    expect(report).toMatchObject({
      id: expect.stringMatching(/^rpt_/), month: '2026-10', complete: true,
      periodStart: '2026-10-01T00:00:00.000Z', periodEnd: '2026-11-01T00:00:00.000Z', createdAt: new Date(clock).toISOString(),
    });
    expect(report.monitors.map((m: { name: string }) => m.name)).toEqual(['=HYPERLINK("http://x"),web', 'api', 'quiet']);
    const [w, a, q] = report.monitors;
    expect(a).toMatchObject({ monitorId: api.id, totalChecks: 20, failedChecks: 2, uptimePercentage: 90, incidentCount: 3, downtimeSeconds: 80 * 60, meanTimeToResolveSeconds: 35 * 60 });
    expect(a.p95ResponseTimeMs).toBeCloseTo(109.05, 6); // total_ms 1..10 and 101..110, linear interpolation
    expect(a.regions).toEqual([
      { region: 'EuWest', uptimePercentage: 100, totalChecks: 10, failedChecks: 0, avgResponseTimeMs: 105.5, p95ResponseTimeMs: expect.closeTo(109.55, 6) },
      { region: 'UsEast', uptimePercentage: 80, totalChecks: 10, failedChecks: 2, avgResponseTimeMs: 5.5, p95ResponseTimeMs: expect.closeTo(9.55, 6) },
    ]);
    expect(w).toMatchObject({ monitorId: web.id, totalChecks: 4, failedChecks: 2, uptimePercentage: 50, incidentCount: 1, downtimeSeconds: 90 * 60, meanTimeToResolveSeconds: null });
    expect(q).toMatchObject({ monitorId: quiet.id, totalChecks: 0, uptimePercentage: null, p95ResponseTimeMs: null, regions: [], incidentCount: 0, downtimeSeconds: 0 });
    expect(report.incidents.map((i: { title: string }) => i.title)).toEqual(['carried over', 'first', 'second', 'org-wide', 'still open']);
    expect(report.incidents.find((i: { title: string }) => i.title === 'still open')).toMatchObject({ resolvedAt: null, durationSeconds: 90 * 60 });
    expect(report.summary).toEqual({
      monitorCount: 3, uptimePercentage: (20 / 24) * 100, totalChecks: 24, failedChecks: 4, incidentCount: 5,
      downtimeSeconds: 170 * 60, meanTimeToResolveSeconds: Math.round((30 + 40 + 15) * 60 / 3),
    });

    // Kept as generated: later results do not change it.
    await h.results.insertResults(results(t.orgId, api.id, 'UsEast', OCT + 2000 * MIN, ['down'], () => 1));
    expect((await call(t.key, 'GET', `/api/reports/${report.id}`)).json).toEqual(report);
    const list = await call(t.key, 'GET', '/api/reports');
    expect(list.json.totalCount).toBe(1);
    expect(list.json.items[0]).toEqual({ id: report.id, month: '2026-10', periodStart: report.periodStart, periodEnd: report.periodEnd, complete: true, createdAt: report.createdAt, summary: report.summary });

    // CSV by ?format=csv or by Accept; quoted by RFC 4180, formula-looking names defused.
    const csv = await call(t.key, 'GET', `/api/reports/${report.id}?format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe(`attachment; filename="pharos-sla-2026-10-${report.id}.csv"`);
    const lines = csv.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe('month,monitor_id,monitor_name,type,region,uptime_percentage,total_checks,failed_checks,avg_response_time_ms,p95_response_time_ms,incident_count,downtime_seconds,mean_time_to_resolve_seconds');
    expect(lines).toContain(`2026-10,${web.id},"'=HYPERLINK(""http://x""),web",Job,all,50,4,2,50,50,1,5400,`);
    expect(lines).toContain(`2026-10,${api.id},api,Job,all,90,20,2,55.5,109.05,3,4800,2100`);
    expect(lines).toContain(`2026-10,${api.id},api,Job,UsEast,80,10,2,5.5,9.55,,,`);
    expect(lines).toContain(`2026-10,${quiet.id},quiet,Job,all,,0,0,,,0,0,`);
    expect(lines).toHaveLength(1 + 3 + 2 + 1); // header, one "all" row per monitor, api's two regions, web's one
    const byAccept = await call(t.key, 'GET', `/api/reports/${report.id}`, undefined, { accept: 'text/csv' });
    expect(byAccept.body).toBe(csv.body);
    expect((await call(t.key, 'GET', `/api/reports/${report.id}?format=json`, undefined, { accept: 'text/csv' })).json).toEqual(report);
  });

  it('reports the month in progress up to now, and chosen monitors only', async () => {
    const t = await h.tenant(['*'], 'business');
    clock = NOV + MIN;
    const a = (await call(t.key, 'POST', '/api/monitors', { name: 'a', type: 'Job', periodSeconds: 3600 })).json;
    const b = (await call(t.key, 'POST', '/api/monitors', { name: 'b', type: 'Job', periodSeconds: 3600 })).json;
    await h.results.insertResults([...results(t.orgId, a.id, 'UsEast', NOV + MIN, ['up', 'down'], () => 1), ...results(t.orgId, b.id, 'UsEast', NOV + MIN, ['up'], () => 1)]);
    await incidents(t.key, [{ monitorId: null, title: 'org-wide', fromMs: NOV + 5 * MIN, toMs: NOV + 6 * MIN }]);
    clock = NOV + 2 * 24 * 60 * MIN;
    const { status, json } = await call(t.key, 'POST', '/api/reports', { month: '2026-11', monitorIds: [a.id] });
    expect(status).toBe(201);
    expect(json).toMatchObject({ month: '2026-11', complete: false, periodEnd: new Date(clock).toISOString(), summary: { monitorCount: 1, totalChecks: 2, incidentCount: 0 } });
    expect(json.monitors.map((m: { monitorId: string }) => m.monitorId)).toEqual([a.id]);
  });

  it('count against the plan\'s reports per month, deleted ones included, until the next month', async () => {
    const t = await h.tenant(['*'], 'base');
    clock = NOV + 3 * 24 * 60 * MIN;
    const ids: string[] = [];
    for (const month of ['2026-10', '2026-09', '2026-11']) {
      const res = await call(t.key, 'POST', '/api/reports', { month });
      expect(res.status, month).toBe(201);
      ids.push(res.json.id);
    }
    expect((await call(t.key, 'DELETE', `/api/reports/${ids[0]}`)).status).toBe(204);
    expect((await call(t.key, 'GET', `/api/reports/${ids[0]}`)).status).toBe(404);
    expect((await call(t.key, 'DELETE', `/api/reports/${ids[0]}`)).status).toBe(404);
    const refused = await call(t.key, 'POST', '/api/reports', {});
    expect(refused).toMatchObject({ status: 403, json: { code: 'PLAN_LIMIT_EXCEEDED', message: 'Your Base plan allows 3 reports per month. Upgrade to Pro for up to 10.' } });
    expect((await call(t.key, 'GET', '/api/reports')).json.totalCount).toBe(2);
    clock = Date.UTC(2026, 11, 1);
    expect((await call(t.key, 'POST', '/api/reports', {})).json).toMatchObject({ month: '2026-11', complete: true });
  });

  it('refuse bad input with the field, storing nothing', async () => {
    const t = await h.tenant(['*'], 'business');
    const other = await h.tenant(['*'], 'business');
    const theirs = (await call(other.key, 'POST', '/api/monitors', { name: 'theirs', type: 'Job', periodSeconds: 3600 })).json;
    clock = NOV + 2 * 24 * 60 * MIN;
    const cases: Array<[unknown, string]> = [
      [{ month: '2026-13' }, '/month'],
      [{ month: '2026-1' }, '/month'],
      [{ month: '2026-12' }, '/month'],
      [{ month: '2026-10', monitorIds: [theirs.id] }, '/monitorIds/0'],
      [{ monitorIds: [] }, '/monitorIds'],
      [{ month: '2026-10', period: 'month' }, '/period'],
    ];
    for (const [body, field] of cases) {
      const res = await call(t.key, 'POST', '/api/reports', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.details.map((d: { field: string }) => d.field), JSON.stringify(body)).toContain(field);
    }
    expect((await call(t.key, 'GET', '/api/reports/rpt_x?format=xml')).status).toBe(400);
    expect(await reportRows(t.orgId)).toBe(0);
  });

  it('keep each organization\'s reports its own, behind the reports scopes', async () => {
    const t = await h.tenant(['*'], 'business');
    const other = await h.tenant(['*'], 'business');
    const mine = (await call(t.key, 'POST', '/api/monitors', { name: 'mine', type: 'Job', periodSeconds: 3600 })).json;
    const theirs = (await call(other.key, 'POST', '/api/reports', {})).json;
    for (const [method, url] of [['GET', `/api/reports/${theirs.id}`], ['GET', `/api/reports/${theirs.id}?format=csv`], ['DELETE', `/api/reports/${theirs.id}`]] as const) {
      expect((await call(t.key, method, url)).status, `${method} ${url}`).toBe(404);
    }
    expect((await call(t.key, 'GET', '/api/reports')).json).toEqual({ items: [], totalCount: 0 });
    const mineReport = (await call(t.key, 'POST', '/api/reports', {})).json;
    expect(mineReport.monitors.map((m: { monitorId: string }) => m.monitorId)).toEqual([mine.id]);
    expect(theirs.monitors).toEqual([]);

    const reader = (await call(t.key, 'POST', '/api/keys', { name: 'reader', scopes: ['reports:read'] })).json;
    expect((await call(reader.key, 'GET', `/api/reports/${mineReport.id}`)).status).toBe(200);
    expect((await call(reader.key, 'POST', '/api/reports', {})).status).toBe(403);
    expect((await call(reader.key, 'DELETE', `/api/reports/${mineReport.id}`)).status).toBe(403);
    const monitorsOnly = (await call(t.key, 'POST', '/api/keys', { name: 'mon', scopes: ['monitors:read'] })).json;
    expect((await call(monitorsOnly.key, 'GET', '/api/reports')).status).toBe(403);
  });
});
