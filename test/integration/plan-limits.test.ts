import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { PLANS } from '../../services/lib/tenancy/plans.js';

/** Each limit hit exactly at its boundary, with the document's error shape and wording. */
let clock = 1_800_000_000_000;
let h: ApiHarness;
beforeAll(async () => { h = await startApiHarness({ now: () => clock }); });
afterAll(async () => h?.close());

const post = (url: string, key: string, payload: object) => h.app.inject({ method: 'POST', url, headers: { 'x-api-key': key }, payload });
const monitor = (name: string, intervalSeconds = 60) => ({ name, type: 'Website', url: 'https://x.example.test/', intervalSeconds });

describe('plan limits', () => {
  it('Base allows exactly 10 monitors, then 403 PLAN_LIMIT_EXCEEDED in the document\'s words; nothing stored', async () => {
    const { key, orgId } = await h.tenant(['*'], 'base');
    for (let i = 0; i < 10; i++) {
      clock += 3_600_000; // stay clear of the create-monitor rate limit
      expect((await post('/api/monitors', key, monitor(`m${i}`))).statusCode).toBe(201);
    }
    clock += 3_600_000;
    const res = await post('/api/monitors', key, monitor('m10'));
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({
      error: 'Monitor limit exceeded',
      message: 'Your Base plan allows 10 monitors. Upgrade to Pro for up to 50.',
      code: 'PLAN_LIMIT_EXCEEDED',
    });
    expect((await h.monitors.list(orgId, { limit: 100, offset: 0 })).totalCount).toBe(10);
    // The upsert path counts too.
    const upsert = await h.app.inject({ method: 'PUT', url: '/api/monitors/by-name/eleventh', headers: { 'x-api-key': key }, payload: monitor('x') });
    expect(upsert.json().code).toBe('PLAN_LIMIT_EXCEEDED');
  });

  it('the extra-monitor add-on raises the limit by one each', async () => {
    const { key, orgId } = await h.tenant(['*'], 'base');
    await h.orgs.setPlan(orgId, 'base', { extraMonitors: 2 });
    for (let i = 0; i < 12; i++) {
      clock += 3_600_000;
      expect((await post('/api/monitors', key, monitor(`m${i}`))).statusCode, `monitor ${i}`).toBe(201);
    }
    clock += 3_600_000;
    expect((await post('/api/monitors', key, monitor('m12'))).json().message).toBe('Your Base plan allows 12 monitors. Upgrade to Pro for up to 50.');
  });

  it('document plans check at most every 60 s; the 30 s add-on unlocks 30 s, never less', async () => {
    const { key, orgId } = await h.tenant(['*'], 'pro');
    clock += 3_600_000;
    expect((await post('/api/monitors', key, monitor('sixty', 60))).statusCode).toBe(201);
    const fast = await post('/api/monitors', key, monitor('thirty', 30));
    expect(fast.statusCode).toBe(403);
    expect(fast.json()).toMatchObject({ code: 'PLAN_LIMIT_EXCEEDED', message: expect.stringContaining('60 seconds') });
    await h.orgs.setPlan(orgId, 'pro', { interval30s: true });
    expect((await post('/api/monitors', key, monitor('thirty', 30))).statusCode).toBe(201);
    expect((await post('/api/monitors', key, monitor('twenty', 29))).json().code).toBe('PLAN_LIMIT_EXCEEDED');
  });

  it('Base allows exactly 2 API keys', async () => {
    const { key } = await h.tenant(['*'], 'base'); // the tenant's own key is the first
    expect((await post('/api/keys', key, { name: 'second', scopes: ['monitors:read'] })).statusCode).toBe(201);
    const third = await post('/api/keys', key, { name: 'third', scopes: ['monitors:read'] });
    expect(third.statusCode).toBe(403);
    expect(third.json()).toMatchObject({ error: 'API key limit exceeded', message: 'Your Base plan allows 2 API keys. Upgrade to Pro for up to 10.' });
  });

  it('the unlimited plan (embedded default) has no limits', async () => {
    const { key } = await h.tenant(['*'], 'unlimited');
    expect(Object.values(PLANS.unlimited.limits).every((v) => v === null)).toBe(true);
    expect((await post('/api/monitors', key, monitor('fast', 5))).statusCode).toBe(201);
  });
});
