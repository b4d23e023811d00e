import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { startReceiver, type Receiver } from '../unit/alerting/channels/receivers.js';
import type { AddressLookup } from '../../services/lib/ssrf/guarded-resolver.js';

/**
 * Alert channels on a network that refuses private targets (the multi-tenant default): a
 * webhook URL at a private address is a 400 naming the range, and a delivery that resolves
 * to one fails as data. (One api harness per process, so this is its own file.)
 */
/** Names the tests resolve without the network: a public answer and a private one. */
const lookupAnswers = new Map([['your-server.com', '93.184.215.14'], ['hooks.slack.com', '93.184.215.14']]);
const lookup: AddressLookup = async (host) => {
  const answer = lookupAnswers.get(host);
  if (answer) return [{ address: answer, family: 4 }];
  if (host === 'intranet.example.test') return [{ address: '192.168.1.20', family: 4 }];
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
};

let strict: ApiHarness;
let receiver: Receiver;
beforeAll(async () => {
  strict = await startApiHarness({ databaseUrl: process.env.PHAROS_TEST_DATABASE_URL, channelLookup: lookup, env: { PHAROS_ALLOW_PRIVATE_TARGETS: 'false' } });
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await strict?.close();
});
afterEach(() => { receiver.received.length = 0; });

const call = (method: string, url: string, key: string, payload?: object) =>
  strict.app.inject({ method: method as 'GET', url, headers: { 'x-api-key': key }, payload });

describe('private webhook targets refused', () => {
  const cases: Array<[string, 'strict', object, string, RegExp]> = [
    ['a private literal address', 'strict', { name: 'n', type: 'Webhook', webhookUrl: 'http://10.1.2.3/hook' }, '/webhookUrl', /private range \(10\.0\.0\.0\/8\)/],
    ['loopback', 'strict', { name: 'n', type: 'Slack', webhookUrl: 'http://[::1]:8080/hook' }, '/webhookUrl', /loopback range \(::1\/128\)/],
    ['a name resolving to a private address', 'strict', { name: 'n', type: 'Teams', webhookUrl: 'https://intranet.example.test/flow' }, '/webhookUrl', /192\.168\.1\.20 \(intranet\.example\.test\) is in a private range \(192\.168\.0\.0\/16\)/],
    ['the receiver on loopback', 'strict', { name: 'n', type: 'Webhook', webhookUrl: 'http://127.0.0.1:9/hook' }, '/webhookUrl', /loopback range \(127\.0\.0\.0\/8\)/],
  ];
  it.each(cases)('%s: 400 naming the range, nothing stored', async (_label, _which, body, field, message) => {
    const { key } = await strict.tenant();
    const res = await call('POST', '/api/alert-channels', key, body);
    expect(res.statusCode).toBe(400);
    const details = res.json().details as Array<{ field: string; message: string }>;
    expect(details.find((d) => d.field === field)?.message).toMatch(message);
    expect((await call('GET', '/api/alert-channels', key)).json().totalCount).toBe(0);
  });

  it('keeps the guard at delivery: a name that resolved publicly at creation is re-checked on connect', async () => {
    const { key } = await strict.tenant();
    const created = (await call('POST', '/api/alert-channels', key, { name: 'hook', type: 'Webhook', webhookUrl: 'https://your-server.com/x' })).json();
    expect(created.id).toMatch(/^ch_/);
    // The stored URL now points at a name that answers privately (as a DNS rebinding would).
    lookupAnswers.set('your-server.com', '10.0.0.7');
    const outcome = (await call('POST', `/api/alert-channels/${created.id}/test`, key)).json();
    expect(outcome).toMatchObject({ delivered: false, statusCode: null });
    expect(outcome.error).toMatch(/^blocked: target 10\.0\.0\.7 \(your-server\.com\) is in a private range \(10\.0\.0\.0\/8\)/);
    expect(receiver.received).toHaveLength(0);
  });
});
