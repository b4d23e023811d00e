import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { startReceiver, type Receiver } from '../unit/alerting/channels/receivers.js';
import type { AddressLookup } from '../../services/lib/ssrf/guarded-resolver.js';

/** Names the tests resolve without the network: a public answer and a private one. */
const lookup: AddressLookup = async (host) => {
  if (host === 'your-server.com' || host === 'hooks.slack.com') return [{ address: '93.184.215.14', family: 4 }];
  if (host === 'intranet.example.test') return [{ address: '192.168.1.20', family: 4 }];
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
};

let dev: ApiHarness;
let receiver: Receiver;
beforeAll(async () => {
  const databaseUrl = process.env.PHAROS_TEST_DATABASE_URL;
  dev = await startApiHarness({ databaseUrl, channelLookup: lookup });
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await dev?.close();
});
afterEach(() => { receiver.received.length = 0; });

const call = (h: ApiHarness, method: string, url: string, key: string, payload?: object) =>
  h.app.inject({ method: method as 'GET', url, headers: { 'x-api-key': key }, payload });

describe('alert channel CRUD', () => {
  it('accepts the Quick Start body as written and shows the signing secret only once', async () => {
    const { key } = await dev.tenant();
    const res = await call(dev, 'POST', '/api/alert-channels', key, { name: 'My Webhook', type: 'Webhook', webhookUrl: 'https://your-server.com/webhook' });
    expect(res.statusCode).toBe(201);
    const created = res.json();
    expect(created).toMatchObject({ id: expect.stringMatching(/^ch_/), name: 'My Webhook', type: 'Webhook', webhookUrl: 'https://your-server.com/****', signingSecret: expect.stringMatching(/^whsec_/), previousSecretRetiresAt: null });
    const read = (await call(dev, 'GET', `/api/alert-channels/${created.id}`, key)).json();
    expect(read.signingSecret).toBeUndefined();
    expect(read.webhookUrl).toBe('https://your-server.com/****');
    expect((await call(dev, 'GET', '/api/alert-channels', key)).json()).toMatchObject({ totalCount: 1, items: [{ id: created.id, webhookUrl: 'https://your-server.com/****' }] });
    expect(JSON.stringify((await call(dev, 'GET', '/api/alert-channels', key)).json())).not.toContain('/webhook');
  });

  it('creates each type, masks secret URLs, keeps a masked URL sent back, and deletes', async () => {
    const { key } = await dev.tenant();
    const slack = (await call(dev, 'POST', '/api/alert-channels', key, { name: 'ops', type: 'Slack', webhookUrl: 'https://hooks.slack.com/services/T0/B0/XXXX' })).json();
    expect(slack).toMatchObject({ type: 'Slack', webhookUrl: 'https://hooks.slack.com/****' });
    expect(slack.signingSecret).toBeUndefined();
    const mail = (await call(dev, 'POST', '/api/alert-channels', key, { name: 'mail', type: 'Email', recipients: ['ops@example.test'] })).json();
    expect(mail).toMatchObject({ type: 'Email', recipients: ['ops@example.test'] });

    const hook = (await call(dev, 'POST', '/api/alert-channels', key, { name: 'local', type: 'Webhook', webhookUrl: `${receiver.url}/hook/token-123` })).json();
    const masked = (await call(dev, 'GET', `/api/alert-channels/${hook.id}`, key)).json();
    expect(masked.webhookUrl).toBe(`${receiver.url}/****`);
    // GET, edit the name, PUT back: the masked URL means "unchanged".
    const renamed = await call(dev, 'PUT', `/api/alert-channels/${hook.id}`, key, { name: 'renamed', type: 'Webhook', webhookUrl: masked.webhookUrl });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json().name).toBe('renamed');
    const test = (await call(dev, 'POST', `/api/alert-channels/${hook.id}/test`, key)).json();
    expect(test).toMatchObject({ delivered: true, statusCode: 200, error: null, eventId: expect.stringMatching(/^evt_/) });
    expect(receiver.received.map((r) => r.url)).toEqual(['/hook/token-123']);
    expect((await call(dev, 'PUT', `/api/alert-channels/${hook.id}`, key, { name: 'x', type: 'Slack', webhookUrl: masked.webhookUrl })).json().details).toEqual([{ field: '/type', message: 'must stay Webhook' }]);

    expect((await call(dev, 'DELETE', `/api/alert-channels/${slack.id}`, key)).statusCode).toBe(204);
    expect((await call(dev, 'GET', `/api/alert-channels/${slack.id}`, key)).statusCode).toBe(404);
    expect((await call(dev, 'GET', '/api/alert-channels', key)).json().totalCount).toBe(2);
  });
});

describe('test alerts and signing', () => {
  it('delivers a signed test alert to a loopback receiver (private targets allowed), verifiable across a rotation', async () => {
    const { key } = await dev.tenant();
    const created = (await call(dev, 'POST', '/api/alert-channels', key, { name: 'hook', type: 'Webhook', webhookUrl: `${receiver.url}/in` })).json();
    const first = created.signingSecret as string;
    await call(dev, 'POST', `/api/alert-channels/${created.id}/test`, key);
    const before = receiver.received[0];
    expect(new Webhook(first).verify(before.body, before.headers as Record<string, string>)).toMatchObject({ event: 'monitor.up', alert: { type: 'Test' } });
    expect(before.headers['user-agent']).toContain('Enori-Webhook/1.0');

    const rotated = await call(dev, 'POST', `/api/alert-channels/${created.id}/rotate-secret`, key);
    expect(rotated.statusCode).toBe(200);
    const second = rotated.json().signingSecret as string;
    expect(second).toMatch(/^whsec_/);
    expect(second).not.toBe(first);
    expect(Date.parse(rotated.json().previousSecretRetiresAt) - Date.now()).toBeGreaterThan(23 * 3_600_000);
    await call(dev, 'POST', `/api/alert-channels/${created.id}/test`, key);
    const during = receiver.received[1];
    for (const secret of [first, second]) expect(new Webhook(secret).verify(during.body, during.headers as Record<string, string>)).toBeTruthy();

    const mail = (await call(dev, 'POST', '/api/alert-channels', key, { name: 'm', type: 'Email', recipients: ['a@example.test'] })).json();
    expect((await call(dev, 'POST', `/api/alert-channels/${mail.id}/rotate-secret`, key)).statusCode).toBe(400);
  });

  it('rate limits test alerts to 5 per minute per key', async () => {
    const { key } = await dev.tenant();
    const created = (await call(dev, 'POST', '/api/alert-channels', key, { name: 'hook', type: 'Webhook', webhookUrl: `${receiver.url}/rl` })).json();
    for (let i = 0; i < 5; i++) expect((await call(dev, 'POST', `/api/alert-channels/${created.id}/test`, key)).statusCode).toBe(200);
    const limited = await call(dev, 'POST', `/api/alert-channels/${created.id}/test`, key);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
    expect(limited.headers['x-ratelimit-limit']).toBe('5');
    expect(receiver.received).toHaveLength(5);
  });
});

describe('tenancy, scopes and plan', () => {
  it('hides another organization\'s channels (404) and enforces scopes', async () => {
    const a = await dev.tenant();
    const b = await dev.tenant();
    const ch = (await call(dev, 'POST', '/api/alert-channels', a.key, { name: 'a', type: 'Webhook', webhookUrl: `${receiver.url}/a` })).json();
    for (const [method, url, body] of [
      ['GET', `/api/alert-channels/${ch.id}`], ['PUT', `/api/alert-channels/${ch.id}`, { name: 'x', type: 'Webhook', webhookUrl: 'https://your-server.com/' }],
      ['DELETE', `/api/alert-channels/${ch.id}`], ['POST', `/api/alert-channels/${ch.id}/test`], ['POST', `/api/alert-channels/${ch.id}/rotate-secret`],
    ] as const) {
      expect((await call(dev, method, url, b.key, body)).statusCode, `${method} ${url}`).toBe(404);
    }
    expect((await call(dev, 'GET', '/api/alert-channels', b.key)).json().totalCount).toBe(0);
    expect(receiver.received).toHaveLength(0);

    const reader = await dev.tenant(['alert-channels:read']);
    expect((await call(dev, 'GET', '/api/alert-channels', reader.key)).statusCode).toBe(200);
    const denied = await call(dev, 'POST', '/api/alert-channels', reader.key, { name: 'x', type: 'Webhook', webhookUrl: 'https://your-server.com/' });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().code).toBe('INSUFFICIENT_SCOPE');
  });

  it('lets a monitor name only its own organization\'s channels, and forgets a deleted channel', async () => {
    const a = await dev.tenant();
    const b = await dev.tenant();
    const mine = (await call(dev, 'POST', '/api/alert-channels', a.key, { name: 'a', type: 'Email', recipients: ['a@example.test'] })).json();
    const theirs = (await call(dev, 'POST', '/api/alert-channels', b.key, { name: 'b', type: 'Email', recipients: ['b@example.test'] })).json();
    const body = { name: 'site', type: 'Website', url: 'https://example.com', regions: ['UsEast'] };
    const refused = await call(dev, 'POST', '/api/monitors', a.key, { ...body, alertChannelIds: [mine.id, theirs.id] });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().details).toEqual([{ field: '/alertChannelIds/1', message: `alert channel ${theirs.id} not found` }]);
    expect((await call(dev, 'GET', '/api/monitors', a.key)).json().totalCount).toBe(0);

    const monitor = await call(dev, 'POST', '/api/monitors', a.key, { ...body, alertChannelIds: [mine.id] });
    expect(monitor.statusCode).toBe(201);
    expect((await call(dev, 'PUT', `/api/monitors/${monitor.json().id}`, a.key, { ...body, alertChannelIds: [theirs.id] })).statusCode).toBe(400);
    expect((await call(dev, 'DELETE', `/api/alert-channels/${mine.id}`, a.key)).statusCode).toBe(204);
    expect((await call(dev, 'GET', `/api/monitors/${monitor.json().id}`, a.key)).json().alertChannelIds).toEqual([]);
  });

  it('enforces the plan: Base allows 5 alert channels', async () => {
    const { key } = await dev.tenant(['*'], 'base');
    for (let i = 0; i < 5; i++) expect((await call(dev, 'POST', '/api/alert-channels', key, { name: `c${i}`, type: 'Email', recipients: ['a@example.test'] })).statusCode).toBe(201);
    const sixth = await call(dev, 'POST', '/api/alert-channels', key, { name: 'c6', type: 'Email', recipients: ['a@example.test'] });
    expect(sixth.statusCode).toBe(403);
    expect(sixth.json()).toMatchObject({ code: 'PLAN_LIMIT_EXCEEDED', message: 'Your Base plan allows 5 alert channels. Upgrade to Pro for up to 15.' });
  });
});

describe('bad input: 400 with the field, nothing stored', () => {
  const long = (n: number) => 'x'.repeat(n);
  const cases: Array<[string, 'dev', object, string, RegExp?]> = [
    ['a non-http URL', 'dev', { name: 'n', type: 'Webhook', webhookUrl: 'ftp://example.com/x' }, '/webhookUrl', /http or https/],
    ['a javascript: URL', 'dev', { name: 'n', type: 'Slack', webhookUrl: 'javascript:alert(1)' }, '/webhookUrl'],
    ['a malformed URL', 'dev', { name: 'n', type: 'Discord', webhookUrl: 'not a url' }, '/webhookUrl'],
    ['an unknown type', 'dev', { name: 'n', type: 'Pager', webhookUrl: 'https://your-server.com/' }, '/type'],
    ['a setting of another type (Email with a URL)', 'dev', { name: 'n', type: 'Email', recipients: ['a@example.test'], webhookUrl: 'https://your-server.com/' }, '/webhookUrl', /not a setting of Email/],
    ['a setting of another type (Slack with recipients)', 'dev', { name: 'n', type: 'Slack', webhookUrl: 'https://hooks.slack.com/x', recipients: ['a@example.test'] }, '/recipients'],
    ['a missing URL', 'dev', { name: 'n', type: 'Teams' }, '/webhookUrl', /required/],
    ['an oversized name', 'dev', { name: long(101), type: 'Webhook', webhookUrl: 'https://your-server.com/' }, '/name'],
    ['too many recipients', 'dev', { name: 'n', type: 'Email', recipients: Array.from({ length: 21 }, (_, i) => `u${i}@example.test`) }, '/recipients'],
    ['a recipient that is not an address', 'dev', { name: 'n', type: 'Email', recipients: ['a@example.test, b@evil.test'] }, '/recipients/0'],
    ['an unknown field', 'dev', { name: 'n', type: 'Webhook', webhookUrl: 'https://your-server.com/', secret: 'x' }, '/secret'],
    ['cloud metadata, even where private targets are allowed', 'dev', { name: 'n', type: 'Webhook', webhookUrl: 'http://169.254.169.254/latest' }, '/webhookUrl', /metadata endpoint \(169\.254\.169\.254\/32\)/],
  ];
  it.each(cases)('%s', async (_label, _which, body, field, message) => {
    const h = dev;
    const { key } = await h.tenant();
    const res = await call(h, 'POST', '/api/alert-channels', key, body);
    expect(res.statusCode).toBe(400);
    const details = res.json().details as Array<{ field: string; message: string }>;
    expect(details.map((d) => d.field)).toContain(field);
    if (message) expect(details.find((d) => d.field === field)!.message).toMatch(message);
    expect((await call(h, 'GET', '/api/alert-channels', key)).json().totalCount).toBe(0);
  });
});
