/**
 * Bad input in each part of a request is a 400 naming the field (issue 10), error bodies
 * stay small whatever the request's size, each request is one wide log event with its
 * organization and key (issue 9), and the OpenAPI document shows defaulted parameters as
 * optional. The generated fuzz suite (input-fuzz.test.ts) covers every operation; these
 * are the cases the issue reported, asserted exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { realService } from '../support/services.js';

const databaseUrl = realService('database');
let h: ApiHarness;
let t: { orgId: string; key: string };
let monitorId: string;
const lines: string[] = [];
// Each request an hour after the last, so the 10-creations-an-hour limit never answers first.
let clock = Date.parse('2026-01-01T00:00:00Z');

beforeAll(async () => {
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
  h = await startApiHarness({ databaseUrl, logger, now: () => (clock += 3_600_000) });
  t = await h.tenant(['*']);
  const created = await send('POST', '/api/monitors', { name: 'input', type: 'Website', url: 'https://example.com' });
  expect(created.statusCode).toBe(201);
  monitorId = created.json().id;
});
afterAll(async () => h?.close());

function send(method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  const payload = body === undefined ? undefined : Buffer.isBuffer(body) || typeof body === 'string' ? body : JSON.stringify(body);
  return h.app.inject({ method: method as 'GET', url, payload, headers: { 'x-api-key': t.key, ...(payload !== undefined ? { 'content-type': 'application/json' } : {}), ...headers } });
}

async function monitorNames(): Promise<string[]> {
  return (await h.monitors.list(t.orgId, { limit: 1000, offset: 0 })).items.map((m) => m.name);
}

describe('bad input is a 400 naming the field', () => {
  it.each([
    ['limit=0x10 (hex)', '/api/monitors?limit=0x10', 'querystring:/limit', 'must be a decimal integer'],
    ['offset=1e40', '/api/monitors?offset=1e40', 'querystring:/offset', 'must be a decimal integer'],
    ['offset=Infinity', '/api/monitors?offset=Infinity', 'querystring:/offset', 'must be a decimal integer'],
    ['offset beyond a Postgres integer', '/api/monitors?offset=99999999999', 'querystring:/offset', 'must be <= 2147483647'],
    ['a NUL in a query value', '/api/monitors?tag=a%00b', 'querystring:/tag', 'must not contain NUL characters'],
    ['a NUL in a path id', '/api/monitors/mon_%00', 'params:/id', 'must not contain NUL characters'],
  ])('%s', async (_what, url, field, message) => {
    const res = await send('GET', url);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_ERROR', details: [{ field, message }] });
  });

  it.each([
    ['a NUL in a string', '{"name":"a\\u0000b","type":"Website","url":"https://example.com"}', '/name', 'must not contain NUL characters'],
    ['an unpaired surrogate', '{"name":"a\\ud800b","type":"Website","url":"https://example.com"}', '/name', 'must not contain unpaired UTF-16 surrogates'],
    ['a NUL in a key', '{"name":"k","type":"Website","url":"https://example.com","requestHeaders":{"a\\u0000":"b"}}', '/requestHeaders/a\uFFFD', 'name must not contain NUL characters'],
    ['invalid UTF-8', Buffer.concat([Buffer.from('{"name":"a'), Buffer.from([0xff, 0xfe]), Buffer.from('","type":"Website","url":"https://example.com"}')]), '/', 'is not valid UTF-8'],
    ['a number beyond a Postgres integer', '{"name":"n","type":"Website","url":"https://example.com","intervalSeconds":1e40}', '/intervalSeconds', 'must be <= 2147483647'],
    ['a number JSON reads as Infinity', '{"name":"n","type":"Website","url":"https://example.com","intervalSeconds":1e400}', '/intervalSeconds', 'is out of range'],
    ['nesting deeper than any resource', `{"name":"d","type":"Website","url":"https://example.com","tags":${'['.repeat(5000)}${']'.repeat(5000)}}`, `/tags${'/0'.repeat(31)}`, 'is nested deeper than 32 levels'],
  ])('refuses a body with %s, and stores nothing', async (_what, body, field, message) => {
    const before = await monitorNames();
    const res = await send('POST', '/api/monitors', body);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_ERROR', details: [{ field, message }] });
    expect(await monitorNames()).toEqual(before);
  });

  it('answers a URL whose percent-encoding is not UTF-8 in the error shape', async () => {
    const res = await send('GET', '/api/monitors/%ED%A0%80');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'Bad request', message: expect.any(String), code: 'BAD_URL' });
  });
});

describe('bounded error bodies', () => {
  it('lists every mistake of a small body', async () => {
    const res = await send('POST', '/api/monitors', { name: '', type: 'Website', url: 'https://example.com', port: 0, timeoutSeconds: 0 });
    expect(res.statusCode).toBe(400);
    expect([...new Set(res.json().details.map((d: { field: string }) => d.field))].sort()).toEqual(['/name', '/port', '/timeoutSeconds']);
  });

  it('answers 100,000 bad array items with a small body: at most 20 details and a count of the rest', async () => {
    const body = JSON.stringify({ name: 'big', type: 'Website', url: 'https://example.com', dnsExpectedValues: Array(100_000).fill('\u0000') });
    const res = await send('POST', '/api/monitors', body);
    expect(res.statusCode).toBe(400);
    expect(res.rawPayload.length).toBeLessThan(10 * 1024);
    const err = res.json();
    expect(err.details).toHaveLength(20);
    expect(err.details[0]).toEqual({ field: '/dnsExpectedValues/0', message: 'must not contain NUL characters' });
    expect(err.omittedDetails).toBe(100_000 - 20);
  });

  it('answers 100,000 schema errors with the first one only', async () => {
    const body = JSON.stringify({ name: 'big', type: 'Website', url: 'https://example.com', tags: Array(100_000).fill(1) });
    const res = await send('POST', '/api/monitors', body);
    expect(res.statusCode).toBe(400);
    expect(res.rawPayload.length).toBeLessThan(1024);
    expect(res.json().details).toHaveLength(1);
  });

  it('cuts a field name the client made huge', async () => {
    const res = await send('POST', '/api/monitors', { name: 'k', type: 'Website', url: 'https://example.com', ['x'.repeat(500_000)]: 1 });
    expect(res.statusCode).toBe(400);
    expect(res.rawPayload.length).toBeLessThan(2 * 1024);
  });
});

describe('the request log', () => {
  const events = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

  it('is one wide event per request with route, status, duration, request id, organization and key', async () => {
    lines.length = 0;
    const res = await send('GET', `/api/monitors/${monitorId}`);
    expect(res.statusCode).toBe(200);
    const logged = events();
    expect(logged).toHaveLength(1);
    const [keyRow] = (await h.sql.query<{ id: string }>('SELECT id FROM api_keys WHERE org_id = $1', [t.orgId])).rows;
    expect(logged[0]).toMatchObject({
      level: 30, msg: 'request', method: 'GET', route: '/api/monitors/:id', url: `/api/monitors/${monitorId}`, status: 200,
      reqId: expect.any(String), orgId: t.orgId, keyId: keyRow.id, durationMs: expect.any(Number),
    });
    expect(lines.join('')).not.toContain(t.key);
  });

  it('carries the error code of a refused request, at info', async () => {
    lines.length = 0;
    await send('GET', '/api/monitors?limit=0x10');
    expect(events()).toEqual([expect.objectContaining({ level: 30, status: 400, errorCode: 'VALIDATION_ERROR', orgId: t.orgId })]);
  });

  it('never holds a key sent in a query string', async () => {
    lines.length = 0;
    await send('GET', '/api/monitors?key=phk_query_secret_1&api_key=phk_query_secret_2&apiKey=phk_query_secret_3&limit=5');
    const logged = lines.join('');
    expect(logged).not.toMatch(/phk_query_secret/);
    expect(events()[0].url).toBe('/api/monitors?key=[redacted]&api_key=[redacted]&apiKey=[redacted]&limit=5');
  });
});

describe('the OpenAPI document', () => {
  it('shows query parameters with a default as optional', async () => {
    const doc = (await send('GET', '/openapi/v1.json')).json();
    const param = (path: string, name: string) => doc.paths[path].get.parameters.find((p: { name: string }) => p.name === name);
    for (const [path, name] of [['/api/monitors', 'limit'], ['/api/monitors', 'offset'], ['/api/monitors/{id}/stats', 'period'], ['/api/teams', 'limit'], ['/api/incidents', 'offset']]) {
      expect(param(path, name), `${path} ${name}`).toMatchObject({ required: false, schema: { default: expect.anything() } });
    }
    expect(param('/api/monitors/{id}', 'id').required).toBe(true);
  });
});
