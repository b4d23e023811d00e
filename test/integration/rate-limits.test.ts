import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeartbeatStore } from '../../services/heartbeats/heartbeat-store.js';
import { IncidentStore } from '../../services/alerting/incident-store.js';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../services/api/app.js';
import { loadConfig } from '../../services/lib/config.js';
import { createLogger } from '../../services/lib/logger.js';
import { subjectsFor } from '../../services/lib/subjects.js';
import { openRedisHotState } from '../../services/lib/adapters/redis/hot-state.js';
import { PlanQuotas } from '../../services/lib/tenancy/quotas.js';
import { TeamStore } from '../../services/lib/tenancy/teams.js';
import { startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { realService, uniqueName } from '../support/services.js';

/** Per-key limits from the Enori table (Base, Pro, Business), driven by a controllable clock (no waiting). */
let clock = 1_800_000_000_000;
const now = () => clock;
let h: ApiHarness;
beforeAll(async () => { h = await startApiHarness({ now }); });
afterAll(async () => h?.close());

const body = (name: string) => ({ name, type: 'Website', url: 'https://status.example.test/health' });
const inject = (app: FastifyInstance, method: string, url: string, key: string, payload?: unknown) =>
  app.inject({ method: method as 'GET', url, headers: { 'x-api-key': key }, payload: payload as object | undefined });

/** A key of an organization on a document plan (Business: room for the monitors these tests create). */
const documentTenant = () => h.tenant(['*'], 'business');

describe('rate limits (embedded, in memory)', () => {
  it('allows 10 monitor creations per hour per key, with headers, then 429 with Retry-After', async () => {
    const { key, orgId } = await documentTenant();
    for (let i = 0; i < 10; i++) {
      const res = await inject(h.app, 'POST', '/api/monitors', key, body(`m${i}`));
      expect(res.statusCode).toBe(201);
      expect(res.headers['x-ratelimit-limit']).toBe('10');
      expect(res.headers['x-ratelimit-remaining']).toBe(String(9 - i));
      expect(Number(res.headers['x-ratelimit-reset'])).toBeGreaterThan(clock / 1000);
    }
    const refused = await inject(h.app, 'POST', '/api/monitors', key, body('m10'));
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ code: 'RATE_LIMITED', error: expect.any(String), message: expect.stringContaining('10') });
    expect(refused.headers).toMatchObject({ 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': '0', 'retry-after': '360' });
    expect((await h.monitors.list(orgId, { limit: 100, offset: 0 })).totalCount).toBe(10);
    // Another key has its own allowance; this key gets one more after 6 minutes.
    expect((await inject(h.app, 'POST', '/api/monitors', (await h.tenant()).key, body('other'))).statusCode).toBe(201);
    clock += 360_000;
    expect((await inject(h.app, 'POST', '/api/monitors', key, body('m11'))).statusCode).toBe(201);
    expect((await inject(h.app, 'POST', '/api/monitors', key, body('m12'))).statusCode).toBe(429);
  });

  it('allows 5 checks now per minute', async () => {
    const { key } = await documentTenant();
    const m = (await inject(h.app, 'POST', '/api/monitors', key, body('c'))).json();
    for (let i = 0; i < 5; i++) expect((await inject(h.app, 'POST', `/api/monitors/${m.id}/check`, key)).statusCode).toBe(202);
    const refused = await inject(h.app, 'POST', `/api/monitors/${m.id}/check`, key);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('12');
    clock += 12_000;
    expect((await inject(h.app, 'POST', `/api/monitors/${m.id}/check`, key)).statusCode).toBe(202);
  });

  it('allows 200 reads and 100 other calls per minute, counted separately', async () => {
    const { key } = await documentTenant();
    for (let i = 0; i < 200; i++) {
      const res = await inject(h.app, 'GET', '/api/monitors', key);
      expect(res.statusCode, `read ${i}`).toBe(200);
    }
    const refused = await inject(h.app, 'GET', '/api/monitors', key);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['x-ratelimit-limit']).toBe('200');
    // Writes have their own allowance of 100 a minute.
    for (let i = 0; i < 100; i++) expect((await inject(h.app, 'DELETE', '/api/keys/key_nothing', key)).statusCode, `write ${i}`).toBe(404);
    const write = await inject(h.app, 'DELETE', '/api/keys/key_nothing', key);
    expect(write.statusCode).toBe(429);
    expect(write.headers['x-ratelimit-limit']).toBe('100');
  });
});

describe('creation through upsert', () => {
  it('counts a creation by PUT /api/monitors/by-name against the create-monitor limit, shared with POST', async () => {
    const { key, orgId } = await documentTenant();
    for (let i = 0; i < 5; i++) expect((await inject(h.app, 'POST', '/api/monitors', key, body(`p${i}`))).statusCode).toBe(201);
    for (let i = 0; i < 5; i++) {
      const res = await inject(h.app, 'PUT', `/api/monitors/by-name/u${i}`, key, body(`u${i}`));
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-ratelimit-limit']).toBe('10');
      expect(res.headers['x-ratelimit-remaining']).toBe(String(4 - i));
    }
    const refused = await inject(h.app, 'PUT', '/api/monitors/by-name/u5', key, body('u5'));
    expect(refused.statusCode).toBe(429);
    expect(refused.json().code).toBe('RATE_LIMITED');
    expect(refused.headers['retry-after']).toBe('360');
    expect((await h.monitors.getByName(orgId, 'u5'))).toBeNull();
    expect((await inject(h.app, 'POST', '/api/monitors', key, body('p5'))).statusCode).toBe(429);
  });

  it('does not count an upsert that updates or changes nothing', async () => {
    const { key } = await documentTenant();
    expect((await inject(h.app, 'PUT', '/api/monitors/by-name/same', key, body('same'))).statusCode).toBe(200);
    for (let i = 0; i < 12; i++) {
      const changed = { ...body('same'), intervalSeconds: 60 + (i % 2) * 60 };
      const res = await inject(h.app, 'PUT', '/api/monitors/by-name/same', key, changed);
      expect(res.statusCode, `update ${i}`).toBe(200);
      expect(res.headers['x-ratelimit-limit']).toBe('100');
    }
    // Nine creations are still left of the ten.
    for (let i = 0; i < 9; i++) expect((await inject(h.app, 'POST', '/api/monitors', key, body(`n${i}`))).statusCode).toBe(201);
    expect((await inject(h.app, 'POST', '/api/monitors', key, body('n9'))).statusCode).toBe(429);
  });
});

describe('rate limits by plan', () => {
  it('does not throttle the self-hosted unlimited plan to 10 creations an hour, by POST or upsert', async () => {
    const { key, orgId } = await h.tenant(['*'], 'unlimited');
    for (let i = 0; i < 30; i++) {
      const res = i % 2 === 0
        ? await inject(h.app, 'POST', '/api/monitors', key, body(`bulk${i}`))
        : await inject(h.app, 'PUT', `/api/monitors/by-name/bulk${i}`, key, body(`bulk${i}`));
      expect(res.statusCode, `creation ${i}`).toBeLessThan(300);
      expect(res.headers['x-ratelimit-limit']).toBe('1000');
    }
    expect((await h.monitors.list(orgId, { limit: 100, offset: 0 })).totalCount).toBe(30);
  });

  it('applies a plan change to the next request of the organization\'s keys', async () => {
    const { key, orgId } = await h.tenant(['*'], 'unlimited');
    expect((await inject(h.app, 'GET', '/api/monitors', key)).headers['x-ratelimit-limit']).toBe('2000');
    await h.orgs.setPlan(orgId, 'pro', {});
    expect((await inject(h.app, 'GET', '/api/monitors', key)).headers['x-ratelimit-limit']).toBe('200');
  });
});

const redisUrl = realService('redis');
if (redisUrl) {
  describe('rate limits across two api instances sharing Redis', () => {
    it('counts one allowance for a key whichever instance it calls', async () => {
      const prefix = `${uniqueName('rl')}:`;
      const config = loadConfig('dev', { PHAROS_REGIONS: 'UsEast,EuWest' });
      const logger = createLogger('silent');
      const instances = await Promise.all([0, 1].map(async () => {
        const hotState = await openRedisHotState({ url: redisUrl, prefix });
        const app = await buildApp({ config, logger, sql: h.sql, monitors: h.monitors, heartbeats: new HeartbeatStore(h.sql), incidents: new IncidentStore(h.sql), apiKeys: h.apiKeys, quotas: new PlanQuotas(h.sql), teams: new TeamStore(h.sql), orgs: h.orgs, results: h.results, hotState, bus: h.bus, subjects: subjectsFor('rl'), now });
        return { app, hotState };
      }));
      try {
        const { key } = await documentTenant();
        const m = (await inject(instances[0].app, 'POST', '/api/monitors', key, body('shared'))).json();
        const codes: number[] = [];
        for (let i = 0; i < 6; i++) codes.push((await inject(instances[i % 2].app, 'POST', `/api/monitors/${m.id}/check`, key)).statusCode);
        expect(codes).toEqual([202, 202, 202, 202, 202, 429]);
        clock += 12_000;
        expect((await inject(instances[1].app, 'POST', `/api/monitors/${m.id}/check`, key)).statusCode).toBe(202);
        expect((await inject(instances[0].app, 'POST', `/api/monitors/${m.id}/check`, key)).statusCode).toBe(429);
      } finally {
        for (const i of instances) {
          await i.app.close();
          await i.hotState.close();
        }
      }
    });
  });
}
