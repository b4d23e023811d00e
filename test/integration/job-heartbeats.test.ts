/**
 * Job monitors end to end on the control-plane side: pings over real HTTP to the api, the
 * heartbeat results through ingest's intake into the results store, the status evaluator,
 * and the lateness watchdog driven by a controllable clock (no sleeps: the clock is moved
 * and the watchdog asked for one pass).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { eventually, realService } from '../support/services.js';
import { startAlertingHarness, type AlertingHarness } from '../support/alerting-harness.js';
import type { HeartbeatWatchdog } from '../../services/heartbeats/watchdog.js';
import { pino } from 'pino';
import { buildApp } from '../../services/api/app.js';
import { loadConfig } from '../../services/lib/config.js';
import { subjectsFor } from '../../services/lib/subjects.js';
import { HeartbeatStore } from '../../services/heartbeats/heartbeat-store.js';
import { IncidentStore } from '../../services/alerting/incident-store.js';
import { PlanQuotas } from '../../services/lib/tenancy/quotas.js';
import { TeamStore } from '../../services/lib/tenancy/teams.js';

const databaseUrl = realService('database');
const HOUR = 3_600_000;
const MINUTE = 60_000;
/**
 * Test time starts at the next whole UTC day after the real now: results carry a retention
 * TTL from their time, so they must not lie in the past; cron slots need known boundaries.
 */
const DAY0 = Math.ceil(Date.now() / (24 * HOUR)) * 24 * HOUR;
const at = (dayOffset: number, hours: number, minutes = 0, seconds = 0) =>
  DAY0 + dayOffset * 24 * HOUR + hours * HOUR + minutes * MINUTE + seconds * 1000;
const iso = (ms: number) => new Date(ms).toISOString();

let clock = at(0, 10, 10);
let h: ApiHarness;
let base: string;
let watchdog: HeartbeatWatchdog;
let alerting: AlertingHarness;
let tenant: { orgId: string; key: string };

beforeAll(async () => {
  h = await startApiHarness({ databaseUrl, now: () => clock });
  alerting = await startAlertingHarness(h, () => clock);
  watchdog = alerting.watchdog;
  base = await h.app.listen({ host: '127.0.0.1', port: 0 });
});

// A tenant per test: creating monitors is rate limited per key (10 an hour, as documented).
beforeEach(async () => {
  tenant = await h.tenant();
});

afterAll(async () => {
  await alerting?.stop();
  await h?.close();
});

async function api(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, key = tenant.key) {
  const res = await request(`${base}${path}`, {
    method,
    headers: { 'x-api-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  return { status: res.statusCode, json: text ? JSON.parse(text) : undefined };
}

async function ping(url: string, init: { method?: 'GET' | 'HEAD' | 'POST'; body?: string; contentType?: string } = {}) {
  const res = await request(url, {
    method: init.method ?? 'GET',
    body: init.body,
    headers: { 'user-agent': 'curl/8.5.0', ...(init.contentType ? { 'content-type': init.contentType } : {}) },
  });
  return { status: res.statusCode, text: await res.body.text() };
}

async function createJob(name: string, schedule: Record<string, unknown> = { cronExpression: '0 * * * *' }) {
  const res = await api('POST', '/api/monitors', { name, type: 'Job', graceSeconds: 300, ...schedule });
  expect(res.status).toBe(201);
  return res.json as { id: string; pingToken: string; pingUrl: string; status: string };
}

const results = async (id: string) => (await api('GET', `/api/monitors/${id}/results?limit=100`)).json.items as Array<Record<string, any>>;
const status = async (id: string) => (await api('GET', `/api/monitors/${id}`)).json.status as string;
const pings = async (id: string) => (await api('GET', `/api/monitors/${id}/pings`)).json as { items: Array<Record<string, any>>; totalCount: number };

describe('Job monitors: ping token and URL', () => {
  it('shows a unique ping token and URL in the monitor details, by name or number type', async () => {
    const a = await createJob('token a');
    const b = (await api('POST', '/api/monitors', { name: 'token b', type: 8, periodSeconds: 3600 })).json;
    expect(a.pingToken).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(a.pingToken).not.toBe(b.pingToken);
    expect(a.pingUrl).toBe(`${base}/ping/${a.pingToken}`);
    expect(b.type).toBe('Job');
    expect(a.status).toBe('Pending');
    // Other types have none.
    const site = (await api('POST', '/api/monitors', { name: 'no token', type: 'Website', url: 'https://h.test' })).json;
    expect(site).toMatchObject({ pingToken: null, pingUrl: null });
  });

  it('keeps the token across a full replace (PUT)', async () => {
    const job = await createJob('token kept');
    const replaced = (await api('PUT', `/api/monitors/${job.id}`, { name: 'token kept', type: 'Job', periodSeconds: 600 })).json;
    expect(replaced.pingToken).toBe(job.pingToken);
    expect(replaced.periodSeconds).toBe(600);
  });

  it('refuses check now on a Job monitor with a clear 400', async () => {
    const job = await createJob('no check now');
    const res = await api('POST', `/api/monitors/${job.id}/check`);
    expect(res.status).toBe(400);
    expect(res.json.message).toMatch(/pings/);
  });
});

describe('Job monitors: pings', () => {
  it('takes GET, HEAD and POST without auth; each success is an Up result and the monitor turns Up', async () => {
    const job = await createJob('three methods');
    expect(await ping(job.pingUrl)).toEqual({ status: 200, text: 'OK' });
    clock += 1_000;
    expect((await ping(job.pingUrl, { method: 'HEAD' })).status).toBe(200);
    clock += 1_000;
    expect((await ping(job.pingUrl, { method: 'POST', body: 'backup done: 42 tables\nsecond line', contentType: 'text/plain' })).status).toBe(200);
    const history = await pings(job.id);
    expect(history.totalCount).toBe(3);
    expect(history.items.map((p) => p.method)).toEqual(['POST', 'HEAD', 'GET']);
    expect(history.items[0]).toMatchObject({ kind: 'Success', message: 'backup done: 42 tables\nsecond line', userAgent: 'curl/8.5.0', exitCode: null });
    const items = await eventually(async () => ((await results(job.id)).length === 3 ? results(job.id) : undefined), { what: 'three results' });
    expect(items.every((r) => r.status === 'Up' && r.region === 'Heartbeat')).toBe(true);
    await eventually(async () => (await status(job.id)) === 'Up', { what: 'monitor Up' });
  });

  it('measures the runtime from start to finish and records it as the response time', async () => {
    const job = await createJob('runtime');
    await ping(`${job.pingUrl}/start`);
    clock += 42_000;
    await ping(job.pingUrl);
    const history = await pings(job.id);
    expect(history.items.map((p) => p.kind)).toEqual(['Success', 'Start']);
    expect(history.items[0]!.runtimeMs).toBe(42_000);
    const [result] = await eventually(async () => ((await results(job.id)).length ? results(job.id) : undefined));
    expect(result).toMatchObject({ status: 'Up', responseTimeMs: 42_000 });
  });

  it('a /fail or a non-zero exit code is a Down result with the log excerpt; /0 is a success', async () => {
    const job = await createJob('failures');
    await ping(`${job.pingUrl}/fail`, { method: 'POST', body: 'disk full\nmore' });
    await eventually(async () => (await status(job.id)) === 'Down', { what: 'Down after /fail' });
    clock += 1_000;
    await ping(`${job.pingUrl}/3`);
    clock += 1_000;
    await ping(`${job.pingUrl}/0`);
    await eventually(async () => (await status(job.id)) === 'Up', { what: 'Up after /0' });
    const items = await results(job.id);
    const errors = items.filter((r) => r.status === 'Down').map((r) => r.error);
    expect(errors).toEqual(expect.arrayContaining([
      { kind: 'job_failed', phase: 'heartbeat', message: 'job reported failure: disk full' },
      { kind: 'job_failed', phase: 'heartbeat', message: 'job failed with exit code 3' },
    ]));
    expect((await pings(job.id)).items.map((p) => [p.kind, p.exitCode])).toEqual([['Success', 0], ['Fail', 3], ['Fail', null]]);
  });

  it('keeps at most 10 KiB of a body and counts the rest', async () => {
    const job = await createJob('big body');
    const body = 'x'.repeat(50_000);
    expect((await ping(job.pingUrl, { method: 'POST', body, contentType: 'application/octet-stream' })).status).toBe(200);
    const [p] = (await pings(job.id)).items;
    expect(p!.message).toHaveLength(10 * 1024);
    expect(p!.messageBytes).toBe(50_000);
  });

  it('reads a large log to its end without holding it, and stores binary output it cannot keep verbatim', async () => {
    const job = await createJob('odd bodies');
    const big = Buffer.alloc(3 * 1024 * 1024, 'y');
    expect((await ping(job.pingUrl, { method: 'POST', body: big.toString(), contentType: 'application/octet-stream' })).status).toBe(200);
    clock += 1_000;
    expect((await ping(`${job.pingUrl}/fail`, { method: 'POST', body: 'exit\u0000code\u00003', contentType: 'application/octet-stream' })).status).toBe(200);
    const [binary, large] = (await pings(job.id)).items;
    expect(large).toMatchObject({ messageBytes: 3 * 1024 * 1024 });
    expect(large!.message).toHaveLength(10 * 1024);
    expect(binary!.message).toBe('exit\uFFFDcode\uFFFD3');
  });

  it('keeps the newest pings of a monitor when pruning', async () => {
    const job = await createJob('pruned');
    for (let i = 0; i < 5; i++) {
      clock += 1_000;
      await ping(job.pingUrl, { method: 'POST', body: `run ${i}`, contentType: 'text/plain' });
    }
    expect(await new HeartbeatStore(h.sql).prunePings(3)).toBeGreaterThanOrEqual(2);
    const history = await pings(job.id);
    expect(history.items.map((p) => p.message)).toEqual(['run 4', 'run 3', 'run 2']);
  });

  it('answers 404 for an unknown token and 400 for a malformed one or an exit code out of range, storing nothing', async () => {
    const unknown = await ping(`${base}/ping/AAAAAAAAAAAAAAAAAAAAAA`);
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.text)).toMatchObject({ code: 'NOT_FOUND' });
    expect((await ping(`${base}/ping/short`)).status).toBe(400);
    const job = await createJob('bad exit');
    expect((await ping(`${job.pingUrl}/256`)).status).toBe(400);
    expect((await pings(job.id)).totalCount).toBe(0);
  });

  it('records every ping of a burst exactly once', async () => {
    const job = await createJob('burst');
    const replies = await Promise.all(Array.from({ length: 200 }, () => ping(job.pingUrl)));
    expect(replies.every((r) => r.status === 200)).toBe(true);
    expect((await pings(job.id)).totalCount).toBe(200);
    await eventually(async () => (await results(job.id)).length === 100, { what: '100 newest results' });
  });

  it('a paused Job monitor keeps its ping history but produces no results', async () => {
    const job = await createJob('paused');
    await api('POST', `/api/monitors/${job.id}/pause`);
    expect((await ping(job.pingUrl)).status).toBe(200);
    expect((await pings(job.id)).totalCount).toBe(1);
    clock += 10 * 3_600_000;
    await watchdog.tick();
    expect(await results(job.id)).toEqual([]);
    expect(await status(job.id)).toBe('Paused');
  });

  it('another organization cannot read the ping history', async () => {
    const job = await createJob('private pings');
    const other = await h.tenant();
    expect((await api('GET', `/api/monitors/${job.id}/pings`, undefined, other.key)).status).toBe(404);
  });

  it('deleting the monitor deletes its pings, and its token stops working', async () => {
    const job = await createJob('deleted');
    await ping(job.pingUrl);
    expect((await api('DELETE', `/api/monitors/${job.id}`)).status).toBe(204);
    const { rows } = await h.sql.query<{ n: string | number }>('SELECT count(*) AS n FROM job_pings WHERE monitor_id = $1', [job.id]);
    expect(Number(rows[0]!.n)).toBe(0);
    expect((await ping(job.pingUrl)).status).toBe(404);
  });
});

describe('Job monitors: lateness, server-side', () => {
  it('turns Down exactly when no ping arrived by the expected time + grace, once per missed slot', async () => {
    clock = at(1, 10, 10);
    const job = await createJob('late hourly');
    await ping(job.pingUrl);
    await eventually(async () => (await status(job.id)) === 'Up');
    // Next expected 11:00, grace 300 s: late from 11:05:00.
    clock = at(1, 11, 4, 59);
    await watchdog.tick();
    clock = at(1, 11, 5);
    await watchdog.tick();
    await eventually(async () => (await status(job.id)) === 'Down', { what: 'Down when late' });
    clock = at(1, 11, 30);
    await watchdog.tick();
    const down = (await results(job.id)).filter((r) => r.status === 'Down');
    expect(down).toHaveLength(1);
    expect(down[0]!.error).toEqual({ kind: 'heartbeat_missed', phase: 'heartbeat', message: `no ping by ${iso(at(1, 11))} + 300 s grace` });
    // A late ping brings it back.
    await ping(job.pingUrl);
    await eventually(async () => (await status(job.id)) === 'Up', { what: 'Up after a late ping' });
  });

  it('uses the plain period when there is no cron expression', async () => {
    clock = at(2, 0);
    const job = await createJob('late period', { periodSeconds: 3600, graceSeconds: 60 });
    clock = at(2, 1, 0, 59);
    await watchdog.tick();
    expect(await status(job.id)).toBe('Pending');
    clock = at(2, 1, 1);
    await watchdog.tick();
    await eventually(async () => (await status(job.id)) === 'Down', { what: 'Down when the period passed' });
  });

  it('reports a run that started and did not finish within the grace time as running too long', async () => {
    clock = at(3, 2);
    const job = await createJob('overrun', { cronExpression: '0 2 * * *', graceSeconds: 600 });
    await ping(`${job.pingUrl}/start`);
    clock = at(3, 2, 9, 59);
    await watchdog.tick();
    expect(await results(job.id)).toEqual([]);
    clock = at(3, 2, 10);
    await watchdog.tick();
    await eventually(async () => (await status(job.id)) === 'Down', { what: 'Down when running too long' });
    const [r] = await results(job.id);
    expect(r!.error).toMatchObject({ kind: 'running_too_long', phase: 'heartbeat' });
    // The run still finishes: its runtime is measured from the start.
    clock = at(3, 2, 15);
    await ping(job.pingUrl);
    expect((await pings(job.id)).items[0]!.runtimeMs).toBe(15 * 60_000);
  });

  it('a monitor that becomes a Job again starts a new clock instead of reporting the old one late', async () => {
    clock = at(5, 0);
    const job = await createJob('type switch', { periodSeconds: 3600, graceSeconds: 0 });
    expect((await api('PUT', `/api/monitors/${job.id}`, { name: 'type switch', type: 'Website', url: 'https://h.test' })).status).toBe(200);
    clock = at(5, 10);
    expect((await api('PUT', `/api/monitors/${job.id}`, { name: 'type switch', type: 'Job', periodSeconds: 3600, graceSeconds: 0 })).status).toBe(200);
    await watchdog.tick();
    expect(await results(job.id)).toEqual([]);
    clock = at(5, 11);
    await watchdog.tick();
    await eventually(async () => (await results(job.id)).length === 1, { what: 'missed one hour after the switch' });
  });

  it('resuming restarts the clock from the resume, not from before the pause', async () => {
    clock = at(4, 0);
    const job = await createJob('resumed', { periodSeconds: 3600, graceSeconds: 0 });
    await api('POST', `/api/monitors/${job.id}/pause`);
    clock = at(4, 5);
    await api('POST', `/api/monitors/${job.id}/resume`);
    clock = at(4, 5, 59, 59);
    await watchdog.tick();
    expect(await results(job.id)).toEqual([]);
    clock = at(4, 6);
    await watchdog.tick();
    await eventually(async () => (await results(job.id)).length === 1, { what: 'one missed result' });
  });
});

describe('Job monitors: the ping token stays out of the logs', () => {
  it('logs ping requests with the token masked', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const app = await buildApp({
      config: loadConfig('dev', {}), logger, sql: h.sql, monitors: h.monitors, heartbeats: new HeartbeatStore(h.sql), incidents: new IncidentStore(h.sql),
      apiKeys: h.apiKeys, quotas: new PlanQuotas(h.sql), teams: new TeamStore(h.sql), orgs: h.orgs, results: h.results, hotState: h.hotState,
      bus: h.bus, subjects: subjectsFor('test'),
    });
    try {
      const job = await createJob('quiet token');
      const res = await app.inject({ method: 'GET', url: `/ping/${job.pingToken}/start` });
      expect(res.statusCode).toBe(200);
      const logged = lines.join('');
      expect(logged).toContain('/ping/[redacted]/start');
      expect(logged).not.toContain(job.pingToken);
    } finally {
      await app.close();
    }
  });
});
