import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { HeartbeatStore } from '../../services/heartbeats/heartbeat-store.js';
import { IncidentStore } from '../../services/alerting/incident-store.js';
import { buildApp } from '../../services/api/app.js';
import { loadConfig } from '../../services/lib/config.js';
import { createLogger } from '../../services/lib/logger.js';
import { subjectsFor } from '../../services/lib/subjects.js';
import { openRedisHotState } from '../../services/lib/adapters/redis/hot-state.js';
import type { HotState } from '../../services/lib/ports/hot-state.js';
import { PlanQuotas } from '../../services/lib/tenancy/quotas.js';
import { TeamStore } from '../../services/lib/tenancy/teams.js';
import { startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { realService, uniqueName } from '../support/services.js';

/** The operator API's brake on wrong keys (5 answered, then one try a minute per address), on a driven clock. */
const OPERATOR = 'operator-key-for-tests-0123456789';
const WRONG = 'wrong-operator-key-0123456789';
let clock = 1_900_000_000_000;
const now = () => clock;
let h: ApiHarness;
beforeAll(async () => { h = await startApiHarness({ now, env: { PHAROS_OPERATOR_KEY: OPERATOR } }); });
afterAll(async () => h?.close());

const op = (app: FastifyInstance, key: string | undefined, from: string) =>
  app.inject({ method: 'GET', url: '/admin/orgs', remoteAddress: from, headers: key ? { 'x-operator-key': key } : {} });

async function scenario(app: FastifyInstance, from: string, elsewhere: string): Promise<void> {
  for (let i = 0; i < 5; i++) expect((await op(app, WRONG, from)).statusCode, `wrong key ${i}`).toBe(401);
  const refused = await op(app, WRONG, from);
  expect(refused.statusCode).toBe(429);
  expect(refused.headers['retry-after']).toBe('60');
  expect(refused.json()).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringContaining('60 s') });
  // While locked out even the right key is refused, so a 200 cannot confirm a guess.
  const right = await op(app, OPERATOR, from);
  expect(right.statusCode).toBe(429);
  expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
  // Other addresses are not affected.
  expect((await op(app, OPERATOR, elsewhere)).statusCode).toBe(200);

  clock += 60_000;
  expect((await op(app, OPERATOR, from)).statusCode).toBe(200);
  // Slowed down: one more wrong key is answered, the next is refused again.
  expect((await op(app, WRONG, from)).statusCode).toBe(401);
  expect((await op(app, WRONG, from)).statusCode).toBe(429);
  clock += 59_000;
  expect((await op(app, OPERATOR, from)).statusCode).toBe(429);
  clock += 1_000;
  expect((await op(app, OPERATOR, from)).statusCode).toBe(200);
}

describe('operator key brake (in memory)', () => {
  it('answers a few wrong keys, then 429 with Retry-After per address; the right key works after the window', async () => {
    await scenario(h.app, '198.51.100.7', '198.51.100.8');
  });

  it('does not count requests without a key, nor right keys', async () => {
    const from = '198.51.100.9';
    for (let i = 0; i < 10; i++) expect((await op(h.app, undefined, from)).statusCode).toBe(401);
    for (let i = 0; i < 10; i++) expect((await op(h.app, OPERATOR, from)).statusCode).toBe(200);
    for (let i = 0; i < 5; i++) expect((await op(h.app, WRONG, from)).statusCode).toBe(401);
    expect((await op(h.app, WRONG, from)).statusCode).toBe(429);
  });
});

const redisUrl = realService('redis');
if (redisUrl) {
  describe('operator key brake across api processes sharing Redis', () => {
    it('locks an address out on every instance', async () => {
      const prefix = `${uniqueName('op')}:`;
      const config = loadConfig('dev', { PHAROS_REGIONS: 'UsEast,EuWest', PHAROS_OPERATOR_KEY: OPERATOR });
      const hotStates: HotState[] = [];
      const apps: FastifyInstance[] = [];
      try {
        for (let i = 0; i < 2; i++) {
          const hotState = await openRedisHotState({ url: redisUrl, prefix });
          hotStates.push(hotState);
          apps.push(await buildApp({
            config, logger: createLogger('silent'), sql: h.sql, monitors: h.monitors, heartbeats: new HeartbeatStore(h.sql), incidents: new IncidentStore(h.sql),
            apiKeys: h.apiKeys, quotas: new PlanQuotas(h.sql), teams: new TeamStore(h.sql), orgs: h.orgs, results: h.results, hotState, bus: h.bus, subjects: subjectsFor('op'), now,
          }));
        }
        const from = '203.0.113.5';
        for (let i = 0; i < 5; i++) expect((await op(apps[i % 2], WRONG, from)).statusCode).toBe(401);
        expect((await op(apps[1], WRONG, from)).statusCode).toBe(429);
        expect((await op(apps[0], OPERATOR, from)).statusCode).toBe(429);
        clock += 60_000;
        expect((await op(apps[0], OPERATOR, from)).statusCode).toBe(200);
        expect((await op(apps[1], OPERATOR, from)).statusCode).toBe(200);
      } finally {
        for (const app of apps) await app.close();
        for (const s of hotStates) await s.close();
      }
    });
  });
}
