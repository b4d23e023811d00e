import { describe, expect, it } from 'vitest';
import { ApiError, ApiUnreachable, createApiClient } from '../../../services/cli/apply/api-client.js';

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

function client(responses: (() => Response)[], extra: { maxRetryWaitSeconds?: number } = {}) {
  const calls: string[] = [];
  const slept: number[] = [];
  const notices: string[] = [];
  const api = createApiClient({
    baseUrl: 'http://pharos.test/',
    key: 'phk_x',
    fetch: (async (url: string, init: RequestInit) => {
      calls.push(`${init.method} ${url}`);
      return responses.shift()!();
    }) as typeof fetch,
    sleep: async (ms) => {
      slept.push(ms);
    },
    notice: (l) => notices.push(l),
    ...extra,
  });
  return { api, calls, slept, notices };
}

describe('createApiClient', () => {
  it('waits out a 429 for Retry-After seconds, says so, and retries', async () => {
    const c = client([() => json(429, { error: 'Too many requests' }, { 'retry-after': '7' }), () => json(200, { id: 'mon_1', name: 'a b' })]);
    await expect(c.api.upsertMonitorByName('a b', { name: 'a b', type: 'Website' })).resolves.toMatchObject({ id: 'mon_1' });
    expect(c.calls).toEqual(['PUT http://pharos.test/api/monitors/by-name/a%20b', 'PUT http://pharos.test/api/monitors/by-name/a%20b']);
    expect(c.slept).toEqual([7000]);
    expect(c.notices[0]).toMatch(/rate limited on monitor "a b"; retrying in 7 s/);
  });

  it('gives up on a Retry-After beyond its bound with the 429 error', async () => {
    const c = client([() => json(429, { error: 'Too many requests', code: 'RATE_LIMITED' }, { 'retry-after': '3600' })], { maxRetryWaitSeconds: 60 });
    await expect(c.api.deleteMonitor('mon_1')).rejects.toMatchObject({ status: 429 });
    expect(c.slept).toEqual([]);
    expect(c.notices[0]).toMatch(/beyond the 60 s/);
  });

  it('keeps the API error body, field details included', async () => {
    const details = [{ field: '/intervalSeconds', message: 'must be from 5 to 86400 seconds' }];
    const c = client([() => json(400, { error: 'Validation failed', message: 'x', code: 'VALIDATION_ERROR', details })]);
    const err = await c.api.upsertMonitorByName('a', { name: 'a', type: 'Website' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).body?.details).toEqual(details);
  });

  it('pages through monitors until totalCount', async () => {
    const page = (n: number, from: number) => Array.from({ length: n }, (_, i) => ({ id: `m${from + i}`, name: `m${from + i}` }));
    const c = client([() => json(200, { items: page(500, 0), totalCount: 501 }), () => json(200, { items: page(1, 500), totalCount: 501 })]);
    expect(await c.api.listMonitors()).toHaveLength(501);
    expect(c.calls).toEqual(['GET http://pharos.test/api/monitors?limit=500&offset=0', 'GET http://pharos.test/api/monitors?limit=500&offset=500']);
  });

  it('turns a network failure into a clear message naming the URL', async () => {
    const c = client([() => {
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    }]);
    const err = await c.api.listRegions().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiUnreachable);
    expect((err as Error).message).toBe('cannot reach the Pharos API at http://pharos.test: ECONNREFUSED (check --url / PHAROS_URL)');
  });
});
