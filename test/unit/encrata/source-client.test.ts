/**
 * The outside-source adapter against a loopback server: requests to one source are spaced,
 * 429 and 5xx are retried (Retry-After honoured) and then inconclusive, a 4xx other than
 * 429 is inconclusive at once, 404 is an answer, and a silent server is a timeout.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSourceClient } from '../../../services/encrata/sources/source-client.js';

let server: http.Server;
let base: string;
const hits: Array<{ path: string; at: number }> = [];
const held: http.ServerResponse[] = [];
let flaky = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits.push({ path: req.url ?? '', at: performance.now() });
    if (req.url === '/ok') { res.writeHead(200, { 'content-type': 'application/json' }); return res.end('{"a":1}'); }
    if (req.url === '/missing') { res.writeHead(404); return res.end(); }
    if (req.url === '/limited') { res.writeHead(429, { 'retry-after': '1' }); return res.end(); }
    if (req.url === '/denied') { res.writeHead(401); return res.end(); }
    if (req.url === '/flaky') { flaky++; res.writeHead(flaky < 3 ? 503 : 200, { 'content-type': 'application/json' }); return res.end(flaky < 3 ? '' : '[1]'); }
    if (req.url === '/silent') { held.push(res); return; }
    res.writeHead(500); res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const r of held) r.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const signal = () => AbortSignal.timeout(30_000);
const client = (o: Partial<Parameters<typeof createSourceClient>[0]> = {}) =>
  createSourceClient({ name: 'test', baseUrl: base, timeoutMs: 2_000, attempts: 3, minIntervalMs: 0, backoff: { baseMs: 1, capMs: 2 }, ...o });

describe('source client', () => {
  it('answers found and not_found', async () => {
    expect(await client().get('/ok', signal())).toEqual({ kind: 'found', status: 200, body: { a: 1 } });
    expect(await client().get('/missing', signal())).toEqual({ kind: 'not_found' });
  });

  it('spaces the requests to one source by minIntervalMs', async () => {
    const c = client({ minIntervalMs: 100 });
    await c.get('/ok', signal()); // a warm connection, so arrival times follow the sending times
    const from = hits.length;
    await Promise.all([c.get('/ok', signal()), c.get('/ok', signal()), c.get('/ok', signal())]);
    const times = hits.slice(from).map((h) => h.at).sort((a, b) => a - b);
    // Sent 100 ms apart; arrivals may jitter on a busy machine, never by a whole interval.
    expect(times[2] - times[0]).toBeGreaterThanOrEqual(150);
    expect(times[1] - times[0]).toBeGreaterThanOrEqual(50);
    expect(times[2] - times[1]).toBeGreaterThanOrEqual(50);
  });

  it('retries 5xx and succeeds; retries 429 honouring Retry-After, then inconclusive', async () => {
    expect(await client().get('/flaky', signal())).toMatchObject({ kind: 'found', body: [1] });
    expect(flaky).toBe(3);
    const from = hits.length;
    const limited = await client({ attempts: 2 }).get('/limited', signal());
    expect(limited).toEqual({ kind: 'inconclusive', reason: 'test: HTTP 429 after 2 attempts' });
    const tries = hits.slice(from);
    expect(tries).toHaveLength(2);
    expect(tries[1].at - tries[0].at).toBeGreaterThanOrEqual(950);
    expect(await client({ maxRetryAfterMs: 500 }).get('/limited', signal())).toMatchObject({ kind: 'inconclusive', reason: expect.stringContaining('retry after 1 s') });
  });

  it('a refusal other than 429 is not retried; a silent server times out', async () => {
    const from = hits.length;
    expect(await client().get('/denied', signal())).toEqual({ kind: 'inconclusive', reason: 'test: HTTP 401' });
    expect(hits.length - from).toBe(1);
    expect(await client({ timeoutMs: 100, attempts: 2 }).get('/silent', signal())).toEqual({ kind: 'inconclusive', reason: 'test: no answer within 100 ms after 2 attempts' });
  });
});
