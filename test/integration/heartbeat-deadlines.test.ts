/**
 * The lateness deadlines the heartbeat store tells a watchdog of (issue 18: in `pharos dev`
 * the watchdog sleeps until the next deadline instead of querying every second, so every
 * write that sets a deadline must announce it, and the next deadline must be the earliest of
 * the active clocks). Monitors are created and pinged over the api, as users do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { realService } from '../support/services.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
// Whole UTC hours in the future, so cron slots have known boundaries.
const T0 = Math.ceil(Date.now() / (24 * HOUR)) * 24 * HOUR + 10 * HOUR;
let clock = T0 + 10 * MINUTE;
let h: ApiHarness;
let base: string;
let key: string;

beforeAll(async () => {
  h = await startApiHarness({ databaseUrl: realService('database'), now: () => clock });
  base = await h.app.listen({ host: '127.0.0.1', port: 0 });
  ({ key } = await h.tenant());
});
afterAll(async () => { await h?.close(); });

async function api(method: 'POST' | 'PUT', path: string, body?: unknown) {
  const res = await request(`${base}${path}`, {
    method, headers: { 'x-api-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  return { status: res.statusCode, json: (text ? JSON.parse(text) : {}) as { id: string; pingUrl: string } };
}

describe('heartbeat deadlines', () => {
  it('announces the deadline of each committed write, and the next deadline is the earliest active one', async () => {
    const announced: number[] = [];
    const off = h.heartbeats.onDeadlineSet((atMs) => announced.push(atMs));
    try {
      expect(await h.heartbeats.nextDeadline()).toBeNull();
      // Hourly at :00 with 5 min grace, created at 10:10: late from 11:05.
      const hourly = await api('POST', '/api/monitors', { name: 'hourly', type: 'Job', cronExpression: '0 * * * *', graceSeconds: 300 });
      expect(hourly.status).toBe(201);
      expect(announced).toEqual([T0 + HOUR + 5 * MINUTE]);
      expect(await h.heartbeats.nextDeadline()).toBe(T0 + HOUR + 5 * MINUTE);

      // A daily job's clock is later: the earliest stays the hourly one.
      const daily = await api('POST', '/api/monitors', { name: 'daily', type: 'Job', cronExpression: '0 3 * * *', graceSeconds: 600 });
      expect(daily.status).toBe(201);
      expect(announced).toHaveLength(2);
      expect(await h.heartbeats.nextDeadline()).toBe(T0 + HOUR + 5 * MINUTE);

      // A start ping sets a run deadline (10:10 + 10 min grace), earlier than either; the
      // answer comes once the ping is stored, and the announcement with it.
      const start = await request(`${daily.json.pingUrl}/start`);
      expect(start.statusCode).toBe(200);
      await start.body.dump();
      expect(announced.at(-1)).toBe(T0 + 20 * MINUTE);
      expect(await h.heartbeats.nextDeadline()).toBe(T0 + 20 * MINUTE);

      // A paused monitor has no deadline: the hourly one is next again once the daily one is paused.
      expect((await api('POST', `/api/monitors/${daily.json.id}/pause`)).status).toBeLessThan(300);
      expect(await h.heartbeats.nextDeadline()).toBe(T0 + HOUR + 5 * MINUTE);
    } finally {
      off();
    }
    // Unsubscribed: later writes are not announced to it.
    const before = announced.length;
    expect((await api('POST', '/api/monitors', { name: 'after', type: 'Job', periodSeconds: 3600, graceSeconds: 60 })).status).toBe(201);
    expect(announced).toHaveLength(before);
  });
});
