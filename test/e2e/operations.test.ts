/**
 * Metrics and health endpoints on real processes (issue 16): `pharos dev` with
 * PHAROS_METRICS_PORT serves /metrics, /healthz and /readyz, and a monitor's life moves the
 * scheduler, agent, ingest, alerting and api series; `pharos agent` serves its own, and its
 * /readyz says not ready while ingest is unreachable.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { apiClient, processScratch, startPharos, type PharosProcess } from '../support/processes.js';
import { eventually, realService, uniqueName } from '../support/services.js';
import { startSwitchableTarget, startWebhookReceiver } from '../support/webhook-receiver.js';
import { sample, scrape } from '../support/prometheus.js';
import { deletePrefixStreams } from '../support/nats-streams.js';

async function json(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json() };
}

describe('`pharos dev` metrics and health', () => {
  const { dataDir, procs, closers } = processScratch('pharos-ops-e2e-');

  it('serves /healthz, /readyz and /metrics, and a monitor going Up then Down moves every role\'s series', async () => {
    const target = await startSwitchableTarget();
    const receiver = await startWebhookReceiver();
    // Every delivery fails: the failed outcome and the outbox's pending count must both move.
    receiver.answer = () => ({ status: 500 });
    closers.push(target.close, receiver.close);
    const proc = startPharos(['dev'], { PHAROS_DATA_DIR: dataDir, PHAROS_HTTP_PORT: '0', PHAROS_METRICS_PORT: '0' });
    procs.push(proc);
    const [, apiUrl] = await proc.waitFor(/API: (http:\/\/\S+)/, 30_000);
    const [, opsUrl] = await proc.waitFor(/Metrics and health: (http:\/\/[^/\s]+)\/metrics/, 5_000);
    const [, adminKey] = await proc.waitFor(/Admin API key[^:]*: (\S+)/, 5_000);
    expect(opsUrl).not.toBe(apiUrl);

    expect(await json(`${opsUrl}/healthz`)).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await json(`${opsUrl}/readyz`)).toEqual({ status: 200, body: { status: 'ready', checks: { postgres: 'ok', bus: 'ok', hotState: 'ok', clickhouse: 'ok' } } });
    expect((await json(`${apiUrl}/readyz`)).status).toBe(200);
    const idle = await scrape(`${opsUrl}/metrics`);
    expect(sample(idle, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sample(idle, 'pharos_scheduler_monitors')).toBe(0);
    expect(sample(idle, 'pharos_scheduler_leader')).toBe(1);
    expect(sample(idle, 'pharos_agent_checks_total')).toBeUndefined();

    const enori = apiClient(apiUrl, adminKey);
    const channel = await enori('/api/alert-channels', { method: 'POST', body: { name: 'Hook', type: 'Webhook', webhookUrl: receiver.url } });
    expect(channel.status).toBe(201);
    const created = await enori('/api/monitors', {
      method: 'POST',
      body: { name: 'Production API', type: 'Website', url: target.url(), intervalSeconds: 5, expectedStatusCode: 200, alertOnDown: true, alertChannelIds: [channel.body.id] },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await eventually(async () => (await enori(`/api/monitors/${id}`)).body.status === 'Up', { timeoutMs: 20_000, intervalMs: 200, what: 'status Up' });

    const up = await eventually(async () => {
      const text = await scrape(`${opsUrl}/metrics`);
      return (sample(text, 'pharos_alerting_status_transitions_total', { from: 'Pending', to: 'Up' }) ?? 0) >= 1 ? text : undefined;
    }, { timeoutMs: 10_000, intervalMs: 200, what: 'the Pending → Up transition counted' });
    expect(sample(up, 'pharos_scheduler_monitors')).toBe(1);
    expect(sample(up, 'pharos_scheduler_jobs_published_total', { region: 'local' })).toBeGreaterThanOrEqual(1);
    expect(sample(up, 'pharos_scheduler_dispatch_lateness_seconds_count')).toBeGreaterThanOrEqual(1);
    const upChecks = sample(up, 'pharos_agent_checks_total', { type: 'website', outcome: 'up' })!;
    expect(upChecks).toBeGreaterThanOrEqual(1);
    expect(sample(up, 'pharos_agent_check_duration_seconds_count', { type: 'website' })).toBeGreaterThanOrEqual(1);
    expect(sample(up, 'pharos_agent_ingest_connected')).toBe(1);
    expect(sample(up, 'pharos_ingest_results_stored_total')).toBeGreaterThanOrEqual(1);
    expect(sample(up, 'pharos_ingest_ack_duration_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(sample(up, 'pharos_ingest_flush_duration_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(sample(up, 'pharos_alerting_evaluations_total')).toBeGreaterThanOrEqual(1);

    // The next check moves the counters: values are live, not set once.
    await eventually(async () => (sample(await scrape(`${opsUrl}/metrics`), 'pharos_agent_checks_total', { type: 'website', outcome: 'up' }) ?? 0) > upChecks,
      { timeoutMs: 15_000, intervalMs: 250, what: 'a second Website check counted' });

    target.healthy = false;
    const down = await eventually(async () => {
      const text = await scrape(`${opsUrl}/metrics`);
      return (sample(text, 'pharos_alerting_deliveries_total', { channel_type: 'Webhook', outcome: 'failed' }) ?? 0) >= 1
        && (sample(text, 'pharos_alerting_outbox_pending') ?? 0) >= 1 ? text : undefined;
    }, { timeoutMs: 20_000, intervalMs: 250, what: 'a failed Webhook delivery and a pending retry' });
    expect(sample(down, 'pharos_alerting_status_transitions_total', { from: 'Up', to: 'Down' })).toBe(1);
    expect(sample(down, 'pharos_agent_checks_total', { type: 'website', outcome: 'down' })).toBeGreaterThanOrEqual(1);
    expect(sample(down, 'pharos_alerting_delivery_duration_seconds_count', { channel_type: 'Webhook' })).toBeGreaterThanOrEqual(1);
    expect(sample(down, 'pharos_alerting_deliveries_total', { outcome: 'sent' })).toBeUndefined();
    expect(receiver.received.length).toBeGreaterThanOrEqual(1);

    // The api counts requests by route pattern and status on its own port.
    const api = await scrape(`${apiUrl}/metrics`);
    expect(sample(api, 'pharos_api_requests_total', { method: 'POST', route: '/api/monitors', status: '201' })).toBe(1);
    expect(sample(api, 'pharos_api_requests_total', { method: 'GET', route: '/api/monitors/:id', status: '200' })).toBeGreaterThanOrEqual(1);
    expect(api).not.toContain(id);
    const missing = await enori('/api/monitors/mon_00000000000000000000000000');
    expect(missing.status).toBe(404);
    expect(sample(await scrape(`${apiUrl}/metrics`), 'pharos_api_requests_total', { method: 'GET', route: '/api/monitors/:id', status: '404' })).toBe(1);
  }, 90_000);
});

const natsUrl = realService('nats');
describe.runIf(natsUrl)('`pharos agent` metrics and health', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'pharos-ops-agent-'));
  const prefix = uniqueName('ops');
  const procs: PharosProcess[] = [];
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    await deletePrefixStreams(natsUrl!, prefix).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is alive but not ready while ingest is unreachable, and counts its reconnects', async () => {
    // A port nothing listens on: the agent keeps trying.
    const agent = startPharos(['agent', '--region', 'local', '--token', 'pha_unused', '--ingest', '127.0.0.1:1'], {
      PHAROS_DATA_DIR: dataDir, PHAROS_NATS_URL: natsUrl!, PHAROS_NATS_PREFIX: prefix, PHAROS_METRICS_PORT: '0',
    });
    procs.push(agent);
    const [, opsUrl] = await agent.waitFor(/Metrics and health: (http:\/\/[^/\s]+)\/metrics/, 30_000);
    expect(await json(`${opsUrl}/healthz`)).toEqual({ status: 200, body: { status: 'ok' } });
    const ready = await json(`${opsUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({ status: 'not ready', checks: { nats: 'ok', ingest: 'unreachable: NOT_CONNECTED' } });
    const first = sample(await scrape(`${opsUrl}/metrics`), 'pharos_agent_ingest_reconnects_total') ?? 0;
    await eventually(async () => (sample(await scrape(`${opsUrl}/metrics`), 'pharos_agent_ingest_reconnects_total') ?? 0) > first,
      { timeoutMs: 15_000, intervalMs: 200, what: 'another reconnect counted' });
    const text = await scrape(`${opsUrl}/metrics`);
    expect(sample(text, 'pharos_agent_ingest_connected')).toBe(0);
    expect(sample(text, 'pharos_agent_outbox_results')).toBe(0);
  }, 60_000);
});
