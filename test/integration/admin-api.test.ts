import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeartbeatStore } from '../../services/heartbeats/heartbeat-store.js';
import { IncidentStore } from '../../services/alerting/incident-store.js';
import type { FastifyInstance } from 'fastify';
import { startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { buildApp } from '../../services/api/app.js';
import { loadConfig } from '../../services/lib/config.js';
import { createLogger } from '../../services/lib/logger.js';
import { subjectsFor } from '../../services/lib/subjects.js';
import { PlanQuotas } from '../../services/lib/tenancy/quotas.js';
import { TeamStore } from '../../services/lib/tenancy/teams.js';
import { failingOn } from '../support/failing-sql.js';
import { AgentPresence } from '../../services/lib/agent-presence.js';

const OPERATOR = 'operator-key-for-tests-0123456789';
let h: ApiHarness;
/** The same stores behind an api whose operator never configured a key. */
let plain: FastifyInstance;
beforeAll(async () => {
  h = await startApiHarness({ env: { PHAROS_OPERATOR_KEY: OPERATOR } });
  plain = await buildApp({
    config: loadConfig('dev', {}), logger: createLogger('silent'), sql: h.sql, monitors: h.monitors, heartbeats: new HeartbeatStore(h.sql), incidents: new IncidentStore(h.sql), apiKeys: h.apiKeys, quotas: new PlanQuotas(h.sql),
    teams: new TeamStore(h.sql), orgs: h.orgs, results: h.results, hotState: h.hotState, bus: h.bus, subjects: subjectsFor('plain'),
  });
});
afterAll(async () => {
  await plain?.close();
  await h?.close();
});

const op = (method: string, url: string, key: string | undefined, payload?: object) =>
  h.app.inject({ method: method as 'GET', url, headers: key ? { 'x-operator-key': key } : {}, payload });

describe('operator admin API', () => {
  it('shows the operator every agent present in each region; a tenant key does not reach it', async () => {
    await new AgentPresence(h.hotState, 20_000, Date.now).registered('UsEast', { agentId: 'agent-op', hostname: 'vm-op', version: '9.9.9' });
    const res = await op('GET', '/admin/regions', OPERATOR);
    expect(res.statusCode).toBe(200);
    const local = res.json().items.find((r: { name: string }) => r.name === 'UsEast');
    expect(local).toMatchObject({ status: 'Available', agents: [expect.objectContaining({ agentId: 'agent-op', hostname: 'vm-op', version: '9.9.9' })] });
    const tenant = await h.tenant(['*']);
    expect((await h.app.inject({ method: 'GET', url: '/admin/regions', headers: { 'x-operator-key': tenant.key } })).statusCode).toBe(401);
  });

  it('creates an organization with a plan and its first admin key, lists it, changes its plan', async () => {
    const created = await op('POST', '/admin/orgs', OPERATOR, { name: 'Acme', plan: 'base' });
    expect(created.statusCode).toBe(201);
    const { organization, adminKey } = created.json();
    expect(organization).toMatchObject({ id: expect.stringMatching(/^org_/), name: 'Acme', plan: 'base', addons: {} });
    // The tenant's key works on the tenant API and sees the plan's limits.
    const keys = await h.app.inject({ method: 'GET', url: '/api/keys', headers: { 'x-api-key': adminKey } });
    expect(keys.statusCode).toBe(200);
    expect((await op('GET', '/admin/orgs', OPERATOR)).json().items.map((o: { name: string }) => o.name)).toContain('Acme');
    const changed = await op('PUT', `/admin/orgs/${organization.id}/plan`, OPERATOR, { plan: 'pro', addons: { extraMonitors: 5 } });
    expect(changed.json()).toMatchObject({ plan: 'pro', addons: { extraMonitors: 5 } });
    expect((await op('PUT', '/admin/orgs/org_missing/plan', OPERATOR, { plan: 'pro' })).statusCode).toBe(404);
    expect((await op('POST', '/admin/orgs', OPERATOR, { name: 'x', plan: 'gold' })).statusCode).toBe(400);
  });

  it('creates the organization and its key in one transaction: a failed key insert leaves no organization', async () => {
    const broken = await buildApp({
      config: loadConfig('dev', { PHAROS_OPERATOR_KEY: OPERATOR }), logger: createLogger('silent'), sql: failingOn(h.sql, /INSERT INTO api_keys/),
      monitors: h.monitors, heartbeats: new HeartbeatStore(h.sql), incidents: new IncidentStore(h.sql), apiKeys: h.apiKeys, quotas: new PlanQuotas(h.sql),
      teams: new TeamStore(h.sql), orgs: h.orgs, results: h.results, hotState: h.hotState, bus: h.bus, subjects: subjectsFor('broken'),
    });
    try {
      const res = await broken.inject({ method: 'POST', url: '/admin/orgs', headers: { 'x-operator-key': OPERATOR }, payload: { name: 'Half-made', plan: 'base' } });
      expect(res.statusCode).toBe(500);
      expect((await h.orgs.list()).map((o) => o.name)).not.toContain('Half-made');
    } finally {
      await broken.close();
    }
  });

  it('refuses a missing or wrong operator key, and any tenant key', async () => {
    expect((await op('GET', '/admin/orgs', undefined)).statusCode).toBe(401);
    expect((await op('GET', '/admin/orgs', 'wrong-operator-key-0123456789')).statusCode).toBe(401);
    const { key } = await h.tenant(['*']);
    const res = await h.app.inject({ method: 'GET', url: '/admin/orgs', headers: { 'x-api-key': key, authorization: `Bearer ${key}` } });
    expect(res.statusCode).toBe(401);
  });

  it('does not exist when no operator key is configured', async () => {
    expect((await plain.inject({ method: 'GET', url: '/admin/orgs', headers: { 'x-operator-key': OPERATOR } })).statusCode).toBe(404);
  });
});
