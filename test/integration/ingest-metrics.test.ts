/**
 * Ingest's Prometheus metrics over real gRPC and chDB (issue 16): an agent batch moves the
 * stored, batch size and ack latency series; a resend of it moves only the duplicates; a
 * store outage counts a failed flush and an unacknowledged batch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { AgentServiceClient, type ResultAck } from '../../proto/generated/pharos/v1/agent.js';
import { CheckResult, CheckStatus } from '../../proto/generated/pharos/v1/result.js';
import { CheckType } from '../../proto/generated/pharos/v1/check.js';
import { loadConfig } from '../../services/lib/config.js';
import { createLogger } from '../../services/lib/logger.js';
import { subjectsFor } from '../../services/lib/subjects.js';
import { ChdbExecutor } from '../../services/lib/adapters/chdb/executor.js';
import { ClickHouseResultStore } from '../../services/lib/results/store.js';
import { MemoryJobBus } from '../../services/lib/adapters/memory/job-bus.js';
import { MemoryHotState } from '../../services/lib/adapters/memory/hot-state.js';
import type { StoredResult } from '../../services/lib/results/types.js';
import { startIngest, type IngestServer } from '../../services/ingest/server.js';
import { createMetricsRegistry } from '../../services/lib/metrics/registry.js';
import { createIngestMetrics } from '../../services/lib/metrics/ingest-metrics.js';
import { DelegatingResultStore } from '../support/delegating-result-store.js';
import { uniqueName } from '../support/services.js';
import { sample } from '../support/prometheus.js';

class FlakyStore extends DelegatingResultStore {
  failInserts = 0;
  override async insertResults(rows: readonly StoredResult[]) {
    if (this.failInserts > 0) {
      this.failInserts -= 1;
      throw new Error('simulated ClickHouse outage');
    }
    return this.inner.insertResults(rows);
  }
}

const auth = () => {
  const md = new Metadata();
  md.set('authorization', 'Bearer tok-eu');
  return md;
};

function results(org: string, n: number): CheckResult[] {
  const base = Date.now() - 60_000;
  return Array.from({ length: n }, (_, i) => CheckResult.fromPartial({
    resultId: `${uniqueName('res')}_${i}`, jobId: `job_${i}`, orgId: org, monitorId: 'mon_1', region: 'EuWest', agentId: 'agent-1',
    type: CheckType.CHECK_TYPE_WEBSITE, scheduledAtMs: base + i, startedAtMs: base + i + 3, status: CheckStatus.CHECK_STATUS_UP,
    timings: { dnsMs: 1, connectMs: 2, tlsMs: 3, ttfbMs: 4, transferMs: 5, totalMs: 15 }, statusCode: 200,
  }));
}

function send(client: AgentServiceClient, batch: { batchId: string; results: CheckResult[] }) {
  return new Promise<{ ack?: ResultAck; error?: ServiceError }>((resolve) => {
    const call = client.streamResults(auth());
    call.on('data', (res: { ack?: ResultAck }) => {
      if (!res.ack) return;
      call.end();
      resolve({ ack: res.ack });
    });
    call.on('error', (error: ServiceError) => resolve({ error }));
    call.write({ batch });
  });
}

describe('ingest metrics', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pharos-ingest-metrics-'));
  const store = new FlakyStore(new ClickHouseResultStore(ChdbExecutor.open(dir), uniqueName('pharos')));
  const bus = new MemoryJobBus();
  const hotState = new MemoryHotState();
  const registry = createMetricsRegistry({ defaultMetrics: false });
  let ingest: IngestServer;
  let client: AgentServiceClient;
  const metrics = async (name: string, labels: Record<string, string> = {}) => sample(await registry.metrics(), name, labels) ?? 0;

  beforeAll(async () => {
    await store.migrate();
    ingest = await startIngest({
      config: loadConfig('dev', { PHAROS_REGIONS: 'EuWest' }), resultStore: store, bus, subjects: subjectsFor(uniqueName('p')), hotState,
      tokens: { verify: async (t) => (t === 'tok-eu' ? { tokenId: 'agt_eu', region: 'EuWest', name: 'eu' } : null) },
      logger: createLogger('silent'), writer: { maxDelayMs: 10, quietDelayMs: 10 }, metrics: createIngestMetrics(registry),
    });
    client = new AgentServiceClient(`127.0.0.1:${ingest.port}`, credentials.createInsecure());
  });
  afterAll(async () => {
    client?.close();
    await ingest?.stop();
    await bus.close();
    await hotState.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a batch counts stored rows, its size, a flush and its ack time; its resend counts only duplicates', async () => {
    const org = uniqueName('org');
    const batch = { batchId: uniqueName('b'), results: results(org, 7) };
    const first = await send(client, batch);
    expect(first.ack).toMatchObject({ accepted: 7, duplicates: 0 });
    expect(await metrics('pharos_ingest_results_stored_total')).toBe(7);
    expect(await metrics('pharos_ingest_duplicate_results_total')).toBe(0);
    expect(await metrics('pharos_ingest_batches_total', { outcome: 'acked' })).toBe(1);
    expect(await metrics('pharos_ingest_batch_results_sum')).toBe(7);
    expect(await metrics('pharos_ingest_batch_results_bucket', { le: '10' })).toBe(1);
    expect(await metrics('pharos_ingest_batch_results_bucket', { le: '1' })).toBe(0);
    expect(await metrics('pharos_ingest_ack_duration_seconds_count')).toBe(1);
    expect(await metrics('pharos_ingest_ack_duration_seconds_sum')).toBeGreaterThan(0);
    expect(await metrics('pharos_ingest_flush_rows_sum')).toBe(7);
    expect(await metrics('pharos_ingest_flush_duration_seconds_count')).toBe(1);

    const resend = await send(client, batch);
    expect(resend.ack).toMatchObject({ accepted: 0, duplicates: 7 });
    expect(await metrics('pharos_ingest_results_stored_total')).toBe(7);
    expect(await metrics('pharos_ingest_duplicate_results_total')).toBe(7);
    expect(await metrics('pharos_ingest_batches_total', { outcome: 'acked' })).toBe(2);
    // Nothing new to insert: no second flush into the store.
    expect(await metrics('pharos_ingest_flush_duration_seconds_count')).toBe(1);
  });

  it('a store outage counts a failed flush and a batch not acknowledged', async () => {
    store.failInserts = 1;
    const failed = await send(client, { batchId: uniqueName('b'), results: results(uniqueName('org'), 3) });
    expect(failed.error).toBeDefined();
    expect(await metrics('pharos_ingest_flush_failures_total')).toBe(1);
    expect(await metrics('pharos_ingest_batches_total', { outcome: 'failed' })).toBe(1);
    expect(await metrics('pharos_ingest_results_stored_total')).toBe(7);
  });
});
