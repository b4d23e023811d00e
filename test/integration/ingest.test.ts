/**
 * Ingest end to end over real gRPC on 127.0.0.1: token auth, region from the token,
 * ack-after-store, de-duplication on resend, hand-off to alerting on the durable subject.
 * chDB store, in-process bus and hot state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { AgentServiceClient, type ResultAck } from '../../proto/generated/pharos/v1/agent.js';
import { CheckResult, CheckStatus, ErrorKind, CheckPhase } from '../../proto/generated/pharos/v1/result.js';
import { CheckType } from '../../proto/generated/pharos/v1/check.js';
import { loadConfig } from '../../services/lib/config.js';
import { createLogger } from '../../services/lib/logger.js';
import { subjectsFor } from '../../services/lib/subjects.js';
import { ChdbExecutor } from '../../services/lib/adapters/chdb/executor.js';
import { ClickHouseResultStore } from '../../services/lib/results/store.js';
import { RESULTS_TABLE } from '../../services/lib/results/schema.js';
import { MemoryJobBus } from '../../services/lib/adapters/memory/job-bus.js';
import { MemoryHotState } from '../../services/lib/adapters/memory/hot-state.js';
import { regionPresence } from '../../services/lib/agent-presence.js';
import type { ResultStore } from '../../services/lib/ports/results-store.js';
import type { JobBus } from '../../services/lib/ports/job-bus.js';
import type { StoredResult } from '../../services/lib/results/types.js';
import { startIngest, type IngestServer } from '../../services/ingest/server.js';
import type { AgentTokenVerifier } from '../../services/ingest/agent-tokens.js';
import { eventually, uniqueName } from '../support/services.js';
import { publishResultBatches } from '../../services/heartbeats/heartbeat-results.js';
import { DelegatingResultStore } from '../support/delegating-result-store.js';

const TOKENS: Record<string, { tokenId: string; region: string; name: string }> = {
  'tok-eu': { tokenId: 'agt_eu', region: 'EuWest', name: 'eu agent' },
  'tok-us': { tokenId: 'agt_us', region: 'UsEast', name: 'us agent' },
};
const tokens: AgentTokenVerifier = { verify: async (t) => TOKENS[t] ?? null };

/** Fails the next `failInserts` inserts, as a ClickHouse outage would. */
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

/** Fails the next `failPublishes` durable publish calls (a batch counts as one). */
class FlakyBus extends MemoryJobBus {
  failPublishes = 0;
  private fail() {
    if (this.failPublishes > 0) {
      this.failPublishes -= 1;
      throw new Error('simulated bus outage');
    }
  }
  override async publishDurable(subject: string, data: Uint8Array, msgId: string) {
    this.fail();
    return super.publishDurable(subject, data, msgId);
  }
  override async publishDurableBatch(items: Parameters<MemoryJobBus['publishDurableBatch']>[0]) {
    this.fail();
    return super.publishDurableBatch(items);
  }
}

const auth = (token?: string) => {
  const md = new Metadata();
  if (token) md.set('authorization', `Bearer ${token}`);
  return md;
};

function results(org: string, n: number, over: Partial<CheckResult> = {}): CheckResult[] {
  const base = Date.now() - 60_000;
  return Array.from({ length: n }, (_, i) => CheckResult.fromPartial({
    resultId: `${uniqueName('res')}_${i}`, jobId: `job_${i}`, orgId: org, monitorId: 'mon_1',
    region: 'UsEast', // a lie the token overrides
    agentId: 'agent-eu-1', type: CheckType.CHECK_TYPE_WEBSITE, scheduledAtMs: base + i, startedAtMs: base + i + 3,
    status: i % 2 ? CheckStatus.CHECK_STATUS_DOWN : CheckStatus.CHECK_STATUS_UP,
    errorKind: i % 2 ? ErrorKind.ERROR_KIND_CONNECTION_REFUSED : ErrorKind.ERROR_KIND_UNSPECIFIED,
    errorPhase: i % 2 ? CheckPhase.CHECK_PHASE_CONNECT : CheckPhase.CHECK_PHASE_UNSPECIFIED,
    timings: { dnsMs: 1, connectMs: 2, tlsMs: 3, ttfbMs: 4, transferMs: 5, totalMs: 15 + i },
    statusCode: i % 2 ? 0 : 200,
    ...over,
  }));
}

type StreamOutcome = { acks: ResultAck[]; error?: ServiceError };

/** Opens a stream, sends batches, and settles when `expectAcks` acks arrived or the call failed. */
function sendBatches(client: AgentServiceClient, token: string | undefined, batches: Array<{ batchId: string; results: CheckResult[] }>, expectAcks = batches.length) {
  return new Promise<StreamOutcome>((resolve) => {
    const call = client.streamResults(auth(token));
    const acks: ResultAck[] = [];
    call.on('data', (res: { ack?: ResultAck }) => {
      if (res.ack) acks.push(res.ack);
      if (acks.length === expectAcks) {
        call.end();
        resolve({ acks });
      }
    });
    call.on('error', (error: ServiceError) => resolve({ acks, error }));
    for (const batch of batches) call.write({ batch });
  });
}

function unaryCall<T>(fn: (cb: (err: ServiceError | null, res: T) => void) => void) {
  return new Promise<{ res?: T; err?: ServiceError }>((resolve) => fn((err, res) => resolve(err ? { err } : { res })));
}

describe('ingest over gRPC', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pharos-ingest-'));
  const database = uniqueName('pharos');
  const exec = ChdbExecutor.open(dir);
  const store = new FlakyStore(new ClickHouseResultStore(exec, database));
  const bus = new FlakyBus();
  const hotState = new MemoryHotState();
  const subjects = subjectsFor(uniqueName('p'));
  const config = loadConfig('dev', { PHAROS_REGIONS: 'EuWest,UsEast', PHAROS_PRESENCE_INTERVAL_MS: '1000', PHAROS_RETENTION_DAYS: '45' });
  const logger = createLogger('silent');
  const published = new Map<string, { subject: string; result: CheckResult }>();
  let ingest: IngestServer;
  let client: AgentServiceClient;

  const countRows = async (org: string) => {
    const [{ n }] = await exec.query<{ n: number | string }>(`SELECT count() AS n FROM ${database}.${RESULTS_TABLE} WHERE org_id = {org:String}`, { org });
    return Number(n);
  };

  beforeAll(async () => {
    await store.migrate();
    await bus.consumeDurable({ durable: 'test-alerting', subject: subjects.allResults }, async (msg) => {
      const result = CheckResult.decode(msg.data);
      published.set(result.resultId, { subject: msg.subject, result });
    });
    ingest = await startIngest({ config, resultStore: store, bus, subjects, hotState, tokens, logger, writer: { maxDelayMs: 20 } });
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

  it('refuses calls without a token or with an unknown one', async () => {
    const req = { agentId: 'a', region: 'EuWest', version: '1', hostname: 'h' };
    const none = await unaryCall((cb) => client.register(req, auth(), cb));
    expect(none.err?.code).toBe(status.UNAUTHENTICATED);
    const wrong = await unaryCall((cb) => client.register(req, auth('tok-nope'), cb));
    expect(wrong.err?.code).toBe(status.UNAUTHENTICATED);
    const report = await unaryCall((cb) => client.reportPresence({ agentId: 'a', inFlight: 0, outboxDepth: 0 }, auth('tok-nope'), cb));
    expect(report.err?.code).toBe(status.UNAUTHENTICATED);

    const org = uniqueName('org');
    const stream = await sendBatches(client, 'tok-nope', [{ batchId: 'b1', results: results(org, 3) }]);
    expect(stream.error?.code).toBe(status.UNAUTHENTICATED);
    expect(stream.acks).toEqual([]);
    const noToken = await sendBatches(client, undefined, [{ batchId: 'b1', results: results(org, 3) }]);
    expect(noToken.error?.code).toBe(status.UNAUTHENTICATED);
    expect(await countRows(org)).toBe(0);
  });

  it('refuses an agent started for another region than its token', async () => {
    const { err } = await unaryCall((cb) => client.register({ agentId: 'a', region: 'UsEast', version: '1', hostname: 'h' }, auth('tok-eu'), cb));
    expect(err?.code).toBe(status.PERMISSION_DENIED);
    expect(err?.details).toContain('"EuWest"');
    expect(err?.details).toContain('"UsEast"');
  });

  it('registers with the token\'s region and records presence on register and on each presence report', async () => {
    const agentId = uniqueName('agent');
    const { res } = await unaryCall<{ region: string; presenceIntervalMs: number }>((cb) =>
      client.register({ agentId, region: 'EuWest', version: '1.2.3', hostname: 'vm-1' }, auth('tok-eu'), cb));
    expect(res).toEqual({ region: 'EuWest', presenceIntervalMs: 1000 });
    const present = async () => (await regionPresence(hotState, 'EuWest')).agents.find((a) => a.agentId === agentId);
    const registered = await present();
    expect(registered).toMatchObject({ agentId, hostname: 'vm-1', version: '1.2.3', region: 'EuWest', inFlight: 0, outboxDepth: 0 });

    const report = await unaryCall<{ serverTimeMs: number }>((cb) => client.reportPresence({ agentId, inFlight: 7, outboxDepth: 42 }, auth('tok-eu'), cb));
    expect(report.res?.serverTimeMs).toBeGreaterThan(0);
    const after = await present();
    expect(after).toMatchObject({ agentId, hostname: 'vm-1', version: '1.2.3', region: 'EuWest', inFlight: 7, outboxDepth: 42 });
    expect(Number.isNaN(Date.parse(after!.lastSeenAt))).toBe(false);
  });

  it('stores results under the token\'s region and publishes them on the durable subject', async () => {
    const org = uniqueName('org');
    const sent = results(org, 10);
    const { acks, error } = await sendBatches(client, 'tok-eu', [{ batchId: 'b-region', results: sent }]);
    expect(error).toBeUndefined();
    expect(acks).toEqual([{ batchId: 'b-region', accepted: 10, duplicates: 0 }]);

    const stored = await store.recentResults({ orgId: org, monitorId: 'mon_1', limit: 100 });
    expect(stored).toHaveLength(10);
    expect(new Set(stored.map((r) => r.region))).toEqual(new Set(['EuWest']));
    const down = stored.find((r) => r.resultId === sent[1].resultId)!;
    expect(down).toMatchObject({ status: 'down', errorKind: 'connection_refused', errorPhase: 'connect', type: 'Website', retentionDays: 45, totalMs: 16, startedAtMs: sent[1].startedAtMs });

    await eventually(() => sent.every((r) => published.has(r.resultId)), { what: 'results published to alerting' });
    for (const r of sent) {
      const p = published.get(r.resultId)!;
      expect(p.subject).toBe(subjects.results('EuWest'));
      expect(p.result.region).toBe('EuWest');
    }
  });

  it('stores missed slots from the scheduler under their own region, only missed ones, and never over a real result', async () => {
    const org = uniqueName('org');
    const [real] = results(org, 1);
    const { acks } = await sendBatches(client, 'tok-eu', [{ batchId: 'b-before-missed', results: [real] }]);
    expect(acks[0].accepted).toBe(1);
    const missed = (slot: number, region: string, over: Partial<CheckResult> = {}) => CheckResult.fromPartial({
      resultId: `mon_1.${region}.${slot}`, jobId: `mon_1.${region}.${slot}`, orgId: org, monitorId: 'mon_1', region, agentId: 'pharos-scheduler',
      type: CheckType.CHECK_TYPE_WEBSITE, scheduledAtMs: slot, startedAtMs: slot,
      status: CheckStatus.CHECK_STATUS_MISSED, errorKind: ErrorKind.ERROR_KIND_SCHEDULER_DOWN, ...over,
    });
    const slot = Date.now() - 30_000;
    await publishResultBatches(bus, subjects.missedResults, 'missed', [
      missed(slot, 'UsEast'),
      missed(slot, 'EuWest', { errorKind: ErrorKind.ERROR_KIND_BUS_UNAVAILABLE }),
      // The real result's slot: it arrived first and stays.
      missed(real.startedAtMs, 'EuWest', { resultId: real.resultId }),
      // This subject cannot claim a check ran.
      missed(slot + 1, 'UsEast', { status: CheckStatus.CHECK_STATUS_UP }),
    ]);
    await eventually(async () => (await countRows(org)) === 3, { what: 'the missed slots stored' });
    const stored = await store.recentResults({ orgId: org, monitorId: 'mon_1', limit: 10 });
    expect(stored.filter((r) => r.status === 'missed').map((r) => `${r.region}:${r.errorKind}`).sort()).toEqual(['EuWest:bus_unavailable', 'UsEast:scheduler_down']);
    expect(stored.find((r) => r.resultId === real.resultId)?.status).not.toBe('missed');
    expect(stored.some((r) => r.scheduledAtMs === slot + 1)).toBe(false);
    expect((await store.monitorStats({ orgId: org, monitorId: 'mon_1', fromMs: slot - 60_000, toMs: Date.now() })).totalChecks).toBe(1);
  });

  it('stores a resent batch once, on the same stream, a new stream, and after hot state forgot it', async () => {
    const org = uniqueName('org');
    const sent = results(org, 20);
    const batch = { batchId: 'b-resend', results: sent };
    const first = await sendBatches(client, 'tok-eu', [batch, batch]);
    expect(first.acks.map((a) => a.accepted + a.duplicates)).toEqual([20, 20]);
    expect(first.acks.reduce((n, a) => n + a.accepted, 0)).toBe(20);
    const again = await sendBatches(client, 'tok-eu', [batch]);
    expect(again.acks).toEqual([{ batchId: 'b-resend', accepted: 0, duplicates: 20 }]);

    // A second ingest with empty hot state stands for a crash between insert and mark-seen.
    const other = await startIngest({ config, resultStore: store, bus, subjects, hotState: new MemoryHotState(), tokens, logger });
    const otherClient = new AgentServiceClient(`127.0.0.1:${other.port}`, credentials.createInsecure());
    try {
      const viaOther = await sendBatches(otherClient, 'tok-eu', [batch]);
      expect(viaOther.acks).toEqual([{ batchId: 'b-resend', accepted: 0, duplicates: 20 }]);
    } finally {
      otherClient.close();
      await other.stop();
    }

    const inBatchDup = results(org, 1);
    const dup = await sendBatches(client, 'tok-eu', [{ batchId: 'b-dup', results: [inBatchDup[0], inBatchDup[0]] }]);
    expect(dup.acks).toEqual([{ batchId: 'b-dup', accepted: 1, duplicates: 1 }]);
    expect(await countRows(org)).toBe(21);
  });

  it('does not ack a batch it could not store, and stores it on resend', async () => {
    const org = uniqueName('org');
    const batch = { batchId: 'b-outage', results: results(org, 5) };
    store.failInserts = 1;
    const failed = await sendBatches(client, 'tok-eu', [batch]);
    expect(failed.acks).toEqual([]);
    expect(failed.error?.code).toBe(status.UNAVAILABLE);
    expect(await countRows(org)).toBe(0);
    expect(batch.results.some((r) => published.has(r.resultId))).toBe(false);

    const resent = await sendBatches(client, 'tok-eu', [batch]);
    expect(resent.acks).toEqual([{ batchId: 'b-outage', accepted: 5, duplicates: 0 }]);
    expect(await countRows(org)).toBe(5);
  });

  it('does not ack a batch it could not hand to alerting, and publishes it on resend', async () => {
    const org = uniqueName('org');
    const batch = { batchId: 'b-bus', results: results(org, 4) };
    bus.failPublishes = 1;
    const failed = await sendBatches(client, 'tok-eu', [batch]);
    expect(failed.acks).toEqual([]);
    expect(failed.error?.code).toBe(status.UNAVAILABLE);

    const resent = await sendBatches(client, 'tok-eu', [batch]);
    // Stored by the first attempt, so recognised as duplicates — but published now.
    expect(resent.acks).toEqual([{ batchId: 'b-bus', accepted: 0, duplicates: 4 }]);
    await eventually(() => batch.results.every((r) => published.has(r.resultId)), { what: 'results published after resend' });
    expect(await countRows(org)).toBe(4);
  });

  it('leaves malformed results out of the ack and stores the rest', async () => {
    const org = uniqueName('org');
    const good = results(org, 2);
    const bad = CheckResult.fromPartial({ resultId: '', orgId: org, monitorId: 'mon_1', status: CheckStatus.CHECK_STATUS_UP });
    const { acks } = await sendBatches(client, 'tok-eu', [{ batchId: 'b-bad', results: [...good, bad] }]);
    expect(acks).toEqual([{ batchId: 'b-bad', accepted: 2, duplicates: 0 }]);
    expect(await countRows(org)).toBe(2);
  });
});
