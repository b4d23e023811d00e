import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { HeartbeatStore } from '../../services/heartbeats/heartbeat-store.js';
import { IncidentStore } from '../../services/alerting/incident-store.js';
import { buildApp } from '../../services/api/app.js';
import { loadConfig } from '../../services/lib/config.js';
import { createLogger } from '../../services/lib/logger.js';
import { subjectsFor } from '../../services/lib/subjects.js';
import { PlanQuotas } from '../../services/lib/tenancy/quotas.js';
import { TeamStore } from '../../services/lib/tenancy/teams.js';
import { startApiHarness, type ApiHarness } from '../support/api-harness.js';

/** Monitors aimed at addresses the agents refuse are refused at creation (server settings: private targets off). */
let h: ApiHarness;
/** The same stores behind an api whose operator allows private targets. */
let open: FastifyInstance;
beforeAll(async () => {
  h = await startApiHarness({ env: { PHAROS_ALLOW_PRIVATE_TARGETS: 'false' } });
  open = await buildApp({
    config: loadConfig('dev', { PHAROS_REGIONS: 'UsEast,EuWest', PHAROS_ALLOW_PRIVATE_TARGETS: 'true' }), logger: createLogger('silent'), sql: h.sql, monitors: h.monitors,
    heartbeats: new HeartbeatStore(h.sql), incidents: new IncidentStore(h.sql), apiKeys: h.apiKeys, quotas: new PlanQuotas(h.sql), teams: new TeamStore(h.sql),
    orgs: h.orgs, results: h.results, hotState: h.hotState, bus: h.bus, subjects: subjectsFor('open'),
  });
});
afterAll(async () => {
  await open?.close();
  await h?.close();
});

const send = (app: FastifyInstance, method: 'POST' | 'PUT', url: string, key: string, payload: object) =>
  app.inject({ method, url, headers: { 'x-api-key': key }, payload });

const refusals: Array<{ body: object; field: string; range: string }> = [
  { body: { type: 'Website', url: 'http://127.0.0.1:8080/health' }, field: '/url', range: '127.0.0.0/8' },
  { body: { type: 'Website', url: 'http://169.254.169.254/latest/meta-data/' }, field: '/url', range: '169.254.169.254/32' },
  { body: { type: 'Website', url: 'https://[::1]/' }, field: '/url', range: '::1/128' },
  { body: { type: 'Website', url: 'http://localhost:3000/' }, field: '/url', range: '127.0.0.0/8' },
  { body: { type: 'Port', hostname: '10.0.0.1', port: 5432 }, field: '/hostname', range: '10.0.0.0/8' },
  { body: { type: 'Port', hostname: '[::1]', port: 22 }, field: '/hostname', range: '::1/128' },
  { body: { type: 'Ping', hostname: '169.254.169.254' }, field: '/hostname', range: '169.254.169.254/32' },
  { body: { type: 'Ping', hostname: 'localhost' }, field: '/hostname', range: '127.0.0.0/8' },
  { body: { type: 'Dns', hostname: 'example.com', dnsResolver: '10.0.0.1:53' }, field: '/dnsResolver', range: '10.0.0.0/8' },
  { body: { type: 'Dns', hostname: 'example.com', dnsResolver: '[::1]:53' }, field: '/dnsResolver', range: '::1/128' },
];

describe('monitor targets the agents would refuse', () => {
  for (const { body, field, range } of refusals) {
    it(`refuses ${JSON.stringify(body)} with 400 on ${field} naming ${range}, and stores nothing`, async () => {
      const { key, orgId } = await h.tenant();
      const res = await send(h.app, 'POST', '/api/monitors', key, { name: 'target', ...body });
      expect(res.statusCode).toBe(400);
      const err = res.json();
      expect(err.code).toBe('VALIDATION_ERROR');
      expect(err.details).toEqual([{ field, message: expect.stringContaining(range) }]);
      expect((await h.monitors.list(orgId, { limit: 10, offset: 0 })).totalCount).toBe(0);
    });
  }

  it('refuses on update and on upsert too, leaving the monitor as it was', async () => {
    const { key, orgId } = await h.tenant();
    const created = await send(h.app, 'POST', '/api/monitors', key, { name: 'public', type: 'Port', hostname: '93.184.215.14', port: 443 });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    const replaced = await send(h.app, 'PUT', `/api/monitors/${id}`, key, { name: 'public', type: 'Port', hostname: '127.0.0.1', port: 443 });
    expect(replaced.statusCode).toBe(400);
    expect(replaced.json().details[0]).toMatchObject({ field: '/hostname', message: expect.stringContaining('loopback') });
    const upserted = await send(h.app, 'PUT', '/api/monitors/by-name/public', key, { name: 'x', type: 'Port', hostname: '10.0.0.1', port: 443 });
    expect(upserted.statusCode).toBe(400);
    expect(await h.monitors.get(orgId, id)).toMatchObject({ hostname: '93.184.215.14', updatedAt: new Date(created.json().updatedAt) });
  });

  it('accepts public literals, names that do not resolve, and a Dns monitor that only asks about a private name', async () => {
    const { key } = await h.tenant();
    for (const body of [
      { type: 'Website', url: 'https://93.184.215.14/' },
      { type: 'Port', hostname: 'only-in-the-agents-network.invalid', port: 443 },
      { type: 'Website', url: 'https://status.internal.example.test/health' },
      { type: 'Dns', hostname: 'localhost', dnsRecordType: 'A' },
    ]) {
      const res = await send(h.app, 'POST', '/api/monitors', key, { name: JSON.stringify(body).slice(0, 90), ...body });
      expect(res.statusCode, JSON.stringify(body)).toBe(201);
    }
  });

  it('accepts private targets where the operator allows them, but never cloud metadata', async () => {
    const { key } = await h.tenant();
    expect((await send(open, 'POST', '/api/monitors', key, { name: 'lan', type: 'Port', hostname: '10.0.0.1', port: 22 })).statusCode).toBe(201);
    expect((await send(open, 'POST', '/api/monitors', key, { name: 'local', type: 'Website', url: 'http://localhost:3000/' })).statusCode).toBe(201);
    const metadata = await send(open, 'POST', '/api/monitors', key, { name: 'imds', type: 'Website', url: 'http://169.254.169.254/' });
    expect(metadata.statusCode).toBe(400);
    expect(metadata.json().details[0]).toMatchObject({ field: '/url', message: expect.stringContaining('metadata') });
  });
});
