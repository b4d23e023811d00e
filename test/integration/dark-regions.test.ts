/**
 * Regions that go dark (issue 12): a region whose agents all stopped reporting is unknown —
 * the monitor detail lists it, GET /api/regions shows it Unavailable, a monitor whose every
 * region is dark reads Unknown, and the status evaluator leaves its stale verdict out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { AgentPresence } from '../../services/lib/agent-presence.js';
import { createDarkRegions } from '../../services/alerting/dark-regions.js';
import { realService } from '../support/services.js';

const databaseUrl = realService('database');
let h: ApiHarness;
beforeAll(async () => { h = await startApiHarness({ databaseUrl }); });
afterAll(async () => h?.close());

const call = async (key: string, url: string) => {
  const res = await h.app.inject({ method: 'GET', url, headers: { 'x-api-key': key } });
  return { status: res.statusCode, json: res.json() };
};

describe('dark regions', () => {
  it('are listed as unknown on the monitor; a monitor whose every region is dark reads Unknown', async () => {
    // The harness declares UsEast and EuWest; only UsEast has an agent.
    await new AgentPresence(h.hotState, 60_000, Date.now).registered('UsEast', { agentId: 'agt_dark_test', hostname: 'h', version: '1' });
    const t = await h.tenant();
    const create = async (name: string, regions: string[]) => {
      const res = await h.app.inject({ method: 'POST', url: '/api/monitors', headers: { 'x-api-key': t.key }, payload: { name, type: 'Website', url: 'https://dark.example.test', regions } });
      expect(res.statusCode).toBe(201);
      const id = res.json().id as string;
      await h.sql.query(`INSERT INTO monitor_status (monitor_id, org_id, status) VALUES ($1, $2, 'Up')`, [id, t.orgId]);
      return id;
    };
    const both = await create('both', ['UsEast', 'EuWest']);
    const euOnly = await create('eu only', ['EuWest']);
    expect((await call(t.key, `/api/monitors/${both}`)).json).toMatchObject({ status: 'Up', unknownRegions: ['EuWest'] });
    expect((await call(t.key, `/api/monitors/${euOnly}`)).json).toMatchObject({ status: 'Unknown', unknownRegions: ['EuWest'] });
    const regions = (await call(t.key, '/api/regions')).json.items;
    expect(regions).toEqual(expect.arrayContaining([
      expect.objectContaining({ name: 'UsEast', status: 'Available' }), expect.objectContaining({ name: 'EuWest', status: 'Unavailable' }),
    ]));
    expect(await createDarkRegions(h.hotState, ['UsEast', 'EuWest'])()).toEqual(new Set(['EuWest']));
  });
});
