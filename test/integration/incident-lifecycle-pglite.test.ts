/**
 * Incident updates, acknowledgement and resolution on PGlite, the embedded default of
 * `pharos dev`: it has one connection, so a read outside the lifecycle's open transaction
 * waited for it forever (posting an update hung the request). The other incident suites run
 * on Postgres, whose pool hid it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../support/api-harness.js';

let h: ApiHarness;
beforeAll(async () => { h = await startApiHarness(); });
afterAll(async () => h?.close());

describe('incident lifecycle on PGlite', () => {
  it('takes updates, an acknowledgement and a resolution of an incident about a monitor', async () => {
    const t = await h.tenant();
    const post = (url: string, payload: object) => h.app.inject({ method: 'POST', url, headers: { 'x-api-key': t.key }, payload });
    const monitor = (await post('/api/monitors', { name: 'pglite-web', type: 'Website', url: 'https://example.com' })).json();
    const incident = (await post('/api/incidents', { title: 'Slow pages', monitorId: monitor.id })).json();
    expect((await post(`/api/incidents/${incident.id}/updates`, { status: 'Identified', message: 'A cache node is down.' })).statusCode).toBe(201);
    expect((await post(`/api/incidents/${incident.id}/acknowledge`, {})).statusCode).toBe(200);
    const resolved = await post(`/api/incidents/${incident.id}/resolve`, { message: 'Replaced the node.' });
    expect(resolved.statusCode).toBe(200);
    expect(resolved.json().status).toBe('Resolved');
  });
});
