import { afterAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { apiClient, processScratch, runPharos, startPharos, type PharosProcess } from '../support/processes.js';
import { eventually, realService } from '../support/services.js';
import { serverNetwork } from '../support/server-network.js';
import { startSwitchableTarget, startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from '../support/webhook-receiver.js';

/**
 * e2e for notifications (issue 11): a Webhook channel on a Website monitor, as the Enori
 * Quick Start creates them, against `pharos` child processes; the receiver is on loopback.
 */

type Enori = ReturnType<typeof apiClient>;

async function webhookChannel(enori: Enori, url: string): Promise<{ id: string; signingSecret: string }> {
  // The Enori Quick Start body, step 3, with its URL on the local receiver.
  const res = await enori('/api/alert-channels', { method: 'POST', body: { name: 'My Webhook', type: 'Webhook', webhookUrl: url } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  expect(res.body.signingSecret).toMatch(/^whsec_/);
  return res.body;
}

async function websiteMonitor(enori: Enori, name: string, url: string, channelId: string): Promise<string> {
  const res = await enori('/api/monitors', {
    method: 'POST',
    body: { name, type: 'Website', url, intervalSeconds: 5, expectedStatusCode: 200, alertOnDown: true, alertOnRecovered: true, alertChannelIds: [channelId] },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

/** Verifies a delivery as an independent consumer would: Standard Webhooks signature and the documented User-Agent. */
function verified(hook: ReceivedWebhook, secret: string): unknown {
  expect(hook.headers['user-agent']).toContain('Enori-Webhook/1.0');
  const h = hook.headers as Record<string, string>;
  return new Webhook(secret).verify(hook.raw, { 'webhook-id': h['webhook-id'], 'webhook-timestamp': h['webhook-timestamp'], 'webhook-signature': h['webhook-signature'] });
}

const eventsOf = (receiver: WebhookReceiver, monitorId: string) => receiver.received.filter((r) => r.body?.monitor?.id === monitorId).map((r) => r.body.event as string);

describe('alerting end to end on `pharos dev`', () => {
  const { dataDir, procs, closers } = processScratch('pharos-alert-e2e-');

  it('a failing target sends monitor.down and incident.created, signed; its recovery sends monitor.up and incident.resolved; all four recorded Sent', async () => {
    const target = await startSwitchableTarget();
    const receiver = await startWebhookReceiver();
    closers.push(target.close, receiver.close);
    const proc = startPharos(['dev'], { PHAROS_DATA_DIR: dataDir, PHAROS_HTTP_PORT: '0' });
    procs.push(proc);
    const [, apiUrl] = await proc.waitFor(/API: (http:\/\/\S+)/, 30_000);
    const [, adminKey] = await proc.waitFor(/Admin API key[^:]*: (\S+)/, 5_000);
    const enori = apiClient(apiUrl, adminKey);

    const channel = await webhookChannel(enori, receiver.url);
    const id = await websiteMonitor(enori, 'Production API', target.url(), channel.id);
    await eventually(async () => (await enori(`/api/monitors/${id}`)).body.status === 'Up', { timeoutMs: 15_000, intervalMs: 200, what: 'status Up' });

    target.healthy = false;
    await eventually(() => receiver.byEvent('monitor.down').length >= 1 && receiver.byEvent('incident.created').length >= 1,
      { timeoutMs: 15_000, intervalMs: 100, what: 'monitor.down and incident.created at the receiver' });
    target.healthy = true;
    await eventually(() => receiver.byEvent('monitor.up').length >= 1 && receiver.byEvent('incident.resolved').length >= 1,
      { timeoutMs: 15_000, intervalMs: 100, what: 'monitor.up and incident.resolved at the receiver' });

    // Exactly the four events, each once, in the order they happened.
    expect(eventsOf(receiver, id)).toEqual(['monitor.down', 'incident.created', 'monitor.up', 'incident.resolved']);
    for (const hook of receiver.received) {
      const payload = verified(hook, channel.signingSecret) as any;
      expect(payload).toMatchObject({ event: hook.body.event, monitor: { id, name: 'Production API', url: target.url(), type: 'Website' } });
      expect(payload.alert).toMatchObject({ type: expect.any(String), message: expect.any(String), timestamp: expect.any(String) });
    }
    expect(receiver.byEvent('incident.created')[0].body.incident).toMatchObject({ id: expect.any(String) });
    // A signature by another secret does not verify: the check above is not vacuous.
    expect(() => verified(receiver.received[0], `whsec_${randomBytes(24).toString('base64')}`)).toThrow();

    const alerts = await eventually(async () => {
      const r = (await enori(`/api/alerts?monitorId=${id}`)).body;
      return r.totalCount === 4 && r.items.every((a: { status: string }) => a.status === 'Sent') ? r.items : undefined;
    }, { timeoutMs: 5_000, intervalMs: 100, what: 'four alert records Sent' });
    const webhookIds = new Set(receiver.received.map((r) => r.headers['webhook-id']));
    for (const a of alerts) {
      expect(a.channel).toMatchObject({ id: channel.id, type: 'Webhook' });
      expect(webhookIds.has(`${a.event.id}_${channel.id}`)).toBe(true); // the event id plus the channel, stable across retries
      expect(a.attemptCount).toBe(1);
      expect(a.attempts).toEqual([expect.objectContaining({ attempt: 1, statusCode: 200, error: null })]);
    }
    expect(alerts.map((a: { type: string }) => a.type).sort()).toEqual(['Down', 'IncidentCreated', 'IncidentResolved', 'Recovered']);
  }, 60_000);
});

describe('a crash mid-send on `pharos dev` (kill -9 while the receiver holds the delivery open)', () => {
  const { dataDir, procs, closers } = processScratch('pharos-alert-crash-');

  it('sends the held events again after a restart, with the same webhook-id, and records them Sent', async () => {
    const env = { PHAROS_DATA_DIR: dataDir, PHAROS_HTTP_PORT: '0', PHAROS_DELIVERY_LEASE_SECONDS: '15' };
    const target = await startSwitchableTarget();
    const receiver = await startWebhookReceiver();
    closers.push(target.close, receiver.close);
    let proc = startPharos(['dev'], env);
    procs.push(proc);
    const [, apiUrl] = await proc.waitFor(/API: (http:\/\/\S+)/, 30_000);
    const [, adminKey] = await proc.waitFor(/Admin API key[^:]*: (\S+)/, 5_000);
    const enori = apiClient(apiUrl, adminKey);
    const channel = await webhookChannel(enori, receiver.url);
    const id = await websiteMonitor(enori, 'Checkout', target.url(), channel.id);
    await eventually(async () => (await enori(`/api/monitors/${id}`)).body.status === 'Up', { timeoutMs: 15_000, intervalMs: 200, what: 'status Up' });

    // The receiver accepts every request and answers none; the target fails.
    receiver.answer = () => 'hold';
    target.healthy = false;
    await eventually(() => receiver.held() === 2, { timeoutMs: 15_000, intervalMs: 50, what: 'both deliveries held open at the receiver' });
    const firstIds = receiver.received.map((r) => r.headers['webhook-id'] as string).sort();
    expect(receiver.received.map((r) => r.body.event).sort()).toEqual(['incident.created', 'monitor.down']);

    expect(await proc.stop('SIGKILL')).toBe(null);
    receiver.answer = () => ({ status: 200 });
    proc = startPharos(['dev'], env);
    procs.push(proc);
    const [, apiUrl2] = await proc.waitFor(/API: (http:\/\/\S+)/, 30_000);
    const again = apiClient(apiUrl2, adminKey);

    // Once the dead process's lease passes, each event arrives again under the same id, and is recorded Sent.
    const alerts = await eventually(async () => {
      const r = (await again(`/api/alerts?monitorId=${id}`)).body;
      return r.totalCount === 2 && r.items.every((a: { status: string }) => a.status === 'Sent') ? r.items : undefined;
    }, { timeoutMs: 30_000, intervalMs: 250, what: 'both alert records Sent after the restart' });
    const resent = receiver.received.slice(2);
    expect(resent.map((r) => r.headers['webhook-id'] as string).sort()).toEqual(firstIds);
    expect(alerts.map((a: { event: { id: string } }) => `${a.event.id}_${channel.id}`).sort()).toEqual(firstIds);
    for (const hook of resent) verified(hook, channel.signingSecret);
    // Byte for byte the same event (only the signature's timestamp may differ).
    for (const hook of resent) {
      const first = receiver.received.find((r) => r.headers['webhook-id'] === hook.headers['webhook-id'])!;
      expect(hook.body).toEqual(first.body);
    }
    for (const a of alerts) expect(a.attempts).toEqual([expect.objectContaining({ statusCode: 200, error: null })]);
    // Nothing else was decided meanwhile: the monitor stayed Down across the restart.
    expect(receiver.received).toHaveLength(4);
  }, 90_000);
});

const serviceDatabaseUrl = realService('database');
const serviceNatsUrl = realService('nats');
const serviceRedisUrl = realService('redis');
const available = Boolean(serviceDatabaseUrl && serviceNatsUrl && serviceRedisUrl);

describe.skipIf(!available)('two alerting processes on one outbox (needs PHAROS_TEST_DATABASE_URL, PHAROS_TEST_NATS_URL, PHAROS_TEST_REDIS_URL)', () => {
  const [databaseUrl, natsUrl, redisUrl] = [serviceDatabaseUrl!, serviceNatsUrl!, serviceRedisUrl!];
  const network = serverNetwork({ databaseUrl, natsUrl, redisUrl }, {
    PHAROS_SECRETS_KEY: randomBytes(32).toString('base64'),
    PHAROS_ALLOW_PRIVATE_TARGETS: 'true', // targets and the receiver are on loopback
    PHAROS_LOG_LEVEL: 'info', // each process logs one alert.delivery line per send
  });
  const { env, prefix, adminKey } = network;
  const procs: PharosProcess[] = [];
  const closers: Array<() => Promise<void>> = [];
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    await Promise.all(closers.map((c) => c()));
    await network.dispose();
  });

  it('delivers each (event, channel) exactly once between them', async () => {
    const MONITORS = 20;
    const target = await startSwitchableTarget();
    const receiver = await startWebhookReceiver();
    closers.push(target.close, receiver.close);
    const server = startPharos(['server'], env);
    procs.push(server);
    const [, apiUrl] = await server.waitFor(/API: (http:\/\/\S+)/, 30_000);
    const [, grpcPort] = await server.waitFor(/Agent ingest \(gRPC\): port (\d+)/, 5_000);
    const second = startPharos(['alerting'], env);
    procs.push(second);
    const enori = apiClient(apiUrl, adminKey);

    // One agent, in the default region.
    const token = (await runPharos(['agent-token', 'create', '--region', 'local', '--name', 'vm-local'], env)).trim().split('\n').pop()!;
    const agent = startPharos(['agent', '--region', 'local'], {
      PHAROS_NATS_URL: natsUrl, PHAROS_NATS_PREFIX: prefix, PHAROS_AGENT_TOKEN: token, PHAROS_INGEST_ADDRESS: `127.0.0.1:${grpcPort}`,
      PHAROS_AGENT_ID: 'agent-local', PHAROS_AGENT_BATCH_DELAY_MS: '50', PHAROS_ALLOW_PRIVATE_TARGETS: 'true',
    });
    procs.push(agent);
    await agent.waitFor(/serving region local/, 30_000);
    expect(second.child.exitCode).toBe(null);

    const channel = await webhookChannel(enori, receiver.url);
    const ids: string[] = [];
    for (let i = 0; i < MONITORS; i++) ids.push(await websiteMonitor(enori, `Service ${i}`, target.url(`/svc/${i}`), channel.id));
    await eventually(async () => {
      const statuses = await Promise.all(ids.map(async (m) => (await enori(`/api/monitors/${m}`)).body.status));
      return statuses.every((s) => s === 'Up');
    }, { timeoutMs: 30_000, intervalMs: 500, what: 'every monitor Up' });

    target.healthy = false;
    await eventually(() => receiver.byEvent('incident.created').length >= MONITORS && receiver.byEvent('monitor.down').length >= MONITORS,
      { timeoutMs: 30_000, intervalMs: 200, what: `${MONITORS} monitor.down and incident.created` });
    target.healthy = true;
    await eventually(() => receiver.byEvent('incident.resolved').length >= MONITORS && receiver.byEvent('monitor.up').length >= MONITORS,
      { timeoutMs: 30_000, intervalMs: 200, what: `${MONITORS} monitor.up and incident.resolved` });

    const all = await eventually(async () => {
      const r = (await enori('/api/alerts?status=Sent&limit=100')).body;
      return r.totalCount === 4 * MONITORS ? r : undefined;
    }, { timeoutMs: 10_000, intervalMs: 200, what: 'every alert record Sent' });
    expect(all.totalCount).toBe(4 * MONITORS);

    // Exactly once at the receiver: no webhook-id twice, four per monitor.
    const counts = new Map<string, number>();
    for (const r of receiver.received) counts.set(r.headers['webhook-id'] as string, (counts.get(r.headers['webhook-id'] as string) ?? 0) + 1);
    expect([...counts.values()].filter((n) => n > 1)).toEqual([]);
    expect(receiver.received).toHaveLength(4 * MONITORS);
    for (const m of ids) expect(eventsOf(receiver, m).sort()).toEqual(['incident.created', 'incident.resolved', 'monitor.down', 'monitor.up']);
    for (const hook of receiver.received.slice(0, 5)) verified(hook, channel.signingSecret);

    // Both processes took part (each logs one alert.delivery line per send it made).
    const sentBy = (p: PharosProcess) => (p.output().match(/"event":"alert\.delivery"/g) ?? []).length;
    expect(sentBy(server) + sentBy(second)).toBe(4 * MONITORS);
    expect(sentBy(second)).toBeGreaterThan(0);
    expect(sentBy(server)).toBeGreaterThan(0);
  }, 150_000);
});
