import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { createChannelSender } from '../../../../services/alerting/channels/index.js';
import { createGuardedHttp, type GuardedHttp } from '../../../../services/alerting/channels/guarded-http.js';
import type { ChannelTypeName, StoredChannel } from '../../../../services/alerting/channels/channel.js';
import { DISCORD_LIMITS } from '../../../../services/alerting/channels/discord.js';
import { newSigningSecret } from '../../../../services/alerting/channels/signing.js';
import { createGuardedResolver } from '../../../../services/lib/ssrf/guarded-resolver.js';
import { sampleEvent, startReceiver, type Receiver } from './receivers.js';

let receiver: Receiver;
let http: GuardedHttp;
let strictHttp: GuardedHttp;
beforeAll(async () => {
  receiver = await startReceiver();
  http = createGuardedHttp({ resolver: createGuardedResolver({ allowPrivateTargets: true }) });
  strictHttp = createGuardedHttp({ resolver: createGuardedResolver({ allowPrivateTargets: false }) });
});
afterAll(async () => {
  await receiver.close();
  await http.close();
  await strictHttp.close();
});
afterEach(() => {
  receiver.received.length = 0;
  receiver.answer = 200;
});

const channel = (type: ChannelTypeName, signingSecrets: string[] = []): StoredChannel => ({
  id: 'ch_test', orgId: 'org_test', name: 'test', type, settings: { webhookUrl: `${receiver.url}/hook/secret-token` }, signingSecrets,
});
const ctx = () => ({ signal: new AbortController().signal, now: Date.now });
const send = (type: ChannelTypeName, event = sampleEvent(), secrets: string[] = []) =>
  createChannelSender({ post: http.post, mail: null })(channel(type, secrets), event, ctx());
const lastBody = () => JSON.parse(receiver.received.at(-1)!.body);

describe('Webhook channel', () => {
  it('POSTs the document payload with both product tokens, signed per Standard Webhooks', async () => {
    const secret = newSigningSecret();
    expect(await send('Webhook', sampleEvent(), [secret])).toEqual({ ok: true, statusCode: 200, error: null });
    const req = receiver.received[0];
    expect(req.url).toBe('/hook/secret-token');
    expect(req.headers['user-agent']).toContain('Enori-Webhook/1.0');
    expect(req.headers['user-agent']).toContain('Pharos-Webhook/1.0');
    expect(JSON.parse(req.body)).toEqual({
      id: 'evt_01test',
      event: 'monitor.down',
      monitor: { id: 'mon_abc123', name: 'Production API', url: 'https://api.example.com', type: 'Website' },
      alert: { type: 'Down', message: 'HTTP 503 Service Unavailable', timestamp: '2026-03-24T14:30:00Z', responseTimeMs: 5230 },
    });
    expect(req.headers['webhook-id']).toBe('evt_01test_ch_test');
    // An independent implementation verifies it (and checks the timestamp is recent).
    expect(new Webhook(secret).verify(req.body, req.headers as Record<string, string>)).toMatchObject({ event: 'monitor.down' });
    expect(() => new Webhook(newSigningSecret()).verify(req.body, req.headers as Record<string, string>)).toThrow();
  });

  it('signs with every active secret during a rotation, so the old and the new secret both verify', async () => {
    const [newer, older] = [newSigningSecret(), newSigningSecret()];
    await send('Webhook', sampleEvent(), [newer, older]);
    const req = receiver.received[0];
    expect(String(req.headers['webhook-signature']).split(' ')).toHaveLength(2);
    for (const s of [newer, older]) expect(new Webhook(s).verify(req.body, req.headers as Record<string, string>)).toBeTruthy();
  });

  it('reports a non-2xx answer and a redirect (never followed) as failed outcomes', async () => {
    receiver.answer = 503;
    expect(await send('Webhook')).toEqual({ ok: false, statusCode: 503, error: 'HTTP 503' });
    receiver.answer = 302;
    expect(await send('Webhook')).toEqual({ ok: false, statusCode: 302, error: 'HTTP 302' });
    expect(receiver.received.map((r) => r.url)).toEqual(['/hook/secret-token', '/hook/secret-token']);
  });

  it('refuses a loopback receiver when private targets are not allowed, as data naming the range', async () => {
    const outcome = await createChannelSender({ post: strictHttp.post, mail: null })(channel('Webhook'), sampleEvent(), ctx());
    expect(outcome.ok).toBe(false);
    expect(outcome.statusCode).toBeNull();
    expect(outcome.error).toMatch(/^blocked: target 127\.0\.0\.1 is in the loopback range \(127\.0\.0\.0\/8\)/);
    expect(outcome.error).not.toContain('secret-token');
    expect(receiver.received).toHaveLength(0);
  });

  it('gives up after the timeout, as data', async () => {
    receiver.answer = 'hold';
    const started = Date.now();
    const outcome = await createChannelSender({ post: http.post, mail: null, timeoutMs: 300 })(channel('Webhook'), sampleEvent(), ctx());
    expect(outcome).toEqual({ ok: false, statusCode: null, error: 'timed out' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('Slack channel', () => {
  it('sends a Block Kit message with fallback text, escaping mrkdwn in untrusted text', async () => {
    const event = sampleEvent({ monitor: { id: 'mon_1', name: 'API <!channel> & co', url: null, type: 'Port' } });
    expect((await send('Slack', event)).ok).toBe(true);
    const body = lastBody();
    expect(typeof body.text).toBe('string');
    expect(body.blocks.map((b: { type: string }) => b.type)).toEqual(['header', 'section', 'section', 'context']);
    expect(body.blocks[0].text).toMatchObject({ type: 'plain_text' });
    expect(body.blocks[0].text.text.length).toBeLessThanOrEqual(150);
    expect(body.blocks[2].fields.length).toBeLessThanOrEqual(10);
    const monitorField = body.blocks[2].fields.find((f: { text: string }) => f.text.startsWith('*Monitor*'));
    expect(monitorField).toEqual({ type: 'mrkdwn', text: '*Monitor*\nAPI &lt;!channel&gt; &amp; co' });
  });
});

describe('Discord channel', () => {
  it('sends one embed within Discord\'s limits, mentions disabled, even for huge messages', async () => {
    const event = sampleEvent({ alert: { type: 'Down', message: 'x'.repeat(10_000), timestamp: '2026-03-24T14:30:00Z', responseTimeMs: null }, monitor: { id: 'mon_1', name: 'n'.repeat(400), url: 'https://a.example', type: 'Website' } });
    expect((await send('Discord', event)).ok).toBe(true);
    const body = lastBody();
    expect(body.allowed_mentions).toEqual({ parse: [] });
    expect(body.embeds).toHaveLength(1);
    const [embed] = body.embeds;
    expect(Array.from(embed.title as string).length).toBeLessThanOrEqual(DISCORD_LIMITS.title);
    expect(Array.from(embed.description as string).length).toBeLessThanOrEqual(DISCORD_LIMITS.description);
    expect(embed.fields.length).toBeLessThanOrEqual(DISCORD_LIMITS.fields);
    for (const f of embed.fields) {
      expect(f.name.length).toBeLessThanOrEqual(256);
      expect(Array.from(f.value as string).length).toBeLessThanOrEqual(1024);
    }
    const total = [embed.title, embed.description, embed.footer.text, ...embed.fields.flatMap((f: { name: string; value: string }) => [f.name, f.value])]
      .reduce((n: number, t: string) => n + Array.from(t).length, 0);
    expect(total).toBeLessThanOrEqual(DISCORD_LIMITS.total);
    expect(Number.isInteger(embed.color)).toBe(true);
    expect(embed.timestamp).toBe('2026-03-24T14:30:00Z');
  });
});

describe('Teams channel', () => {
  it('sends an Adaptive Card in the message/attachments envelope Workflows expects, not a MessageCard', async () => {
    expect((await send('Teams')).ok).toBe(true);
    const body = lastBody();
    expect(body.type).toBe('message');
    expect(body['@type']).toBeUndefined();
    expect(body.attachments).toHaveLength(1);
    const [attachment] = body.attachments;
    expect(attachment.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(attachment.content).toMatchObject({ type: 'AdaptiveCard', version: '1.4', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json' });
    expect(attachment.content.body.map((b: { type: string }) => b.type)).toEqual(['TextBlock', 'TextBlock', 'FactSet']);
    expect(attachment.content.body[2].facts).toContainEqual({ title: 'Monitor', value: 'Production API' });
    expect(attachment.content.actions).toEqual([{ type: 'Action.OpenUrl', title: 'Open target', url: 'https://api.example.com' }]);
  });
});

describe('an incident about no monitor', () => {
  const orgEvent = sampleEvent({
    event: 'incident.created', monitor: null,
    alert: { type: 'IncidentCreated', message: 'Payment provider <b>outage</b>', timestamp: '2026-03-24T14:30:00Z', responseTimeMs: null },
    incident: { id: 'inc_1', title: 'Payments down', status: 'Open', cause: '', startedAt: '2026-03-24T14:30:00Z', resolvedAt: null, severity: 'Major', acknowledgedAt: null },
  });

  it('is sent by every HTTP channel type, titled by the incident, with monitor null in the Webhook payload', async () => {
    for (const type of ['Webhook', 'Slack', 'Discord', 'Teams'] as const) {
      expect(await send(type, orgEvent), type).toEqual({ ok: true, statusCode: 200, error: null });
      expect(receiver.received.at(-1)!.body, type).toContain('Payments down');
    }
    expect(JSON.parse(receiver.received[0].body)).toMatchObject({ event: 'incident.created', monitor: null, incident: { id: 'inc_1', title: 'Payments down' } });
  });
});
