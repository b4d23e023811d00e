/**
 * The agent against a real in-test gRPC ingest (the generated AgentService definition on
 * loopback): batches are acknowledged, a killed stream or server loses nothing, every
 * batch is removed exactly once, and a token bound to another region stops the agent.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import {
  Server,
  ServerCredentials,
  status,
  type sendUnaryData,
  type ServerDuplexStream,
  type ServerUnaryCall,
} from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AgentServiceService,
  type RegisterRequest,
  type RegisterResponse,
  type ReportPresenceRequest,
  type ReportPresenceResponse,
  type StreamResultsRequest,
  type StreamResultsResponse,
} from '../../proto/generated/pharos/v1/agent.js';
import { CheckJob, CheckType } from '../../proto/generated/pharos/v1/check.js';
import { CheckResult, CheckStatus } from '../../proto/generated/pharos/v1/result.js';
import { AgentFatalError, startAgent, type RunningAgent } from '../../probe-agent/agent.js';
import { createCheckers } from '../../probe-agent/checks/registry.js';
import { createOutbox } from '../../probe-agent/outbox.js';
import { createIngestTransport, ingestCredentials } from '../../probe-agent/transport.js';
import type { AgentConfig } from '../../services/lib/config.js';
import type { JobBus, Subscription, WorkConsumerOptions, WorkHandler } from '../../services/lib/ports/job-bus.js';
import { subjectsFor } from '../../services/lib/subjects.js';
import { eventually, uniqueName } from '../support/services.js';
import { captureLogs } from '../unit/agent/support/logs.js';
import { closedPort } from '../unit/checks/support/targets.js';

/** No SSRF guard: these agents check targets on loopback. */
const checkers = createCheckers();

/** A stand-in for ingest: authenticates by token, records batches, acknowledges them. */
class FakeIngest {
  server: Server | undefined;
  port = 0;
  readonly tokens = new Map<string, string>();
  /** Every receipt of every batch, in arrival order, per server incarnation. */
  readonly receipts: Array<{ incarnation: number; batchId: string; resultIds: string[] }> = [];
  readonly stored = new Set<string>();
  readonly presenceReports: ReportPresenceRequest[] = [];
  readonly registrations: RegisterRequest[] = [];
  /** While true, batches are recorded but not acknowledged (as if storing were slow). */
  holdAcks = false;
  incarnation = 0;

  async start(port = 0): Promise<void> {
    const server = new Server();
    server.addService(AgentServiceService, {
      register: (call: ServerUnaryCall<RegisterRequest, RegisterResponse>, callback: sendUnaryData<RegisterResponse>) => {
        const region = this.regionOf(call.metadata.get('authorization')[0]);
        if (!region) return callback({ code: status.UNAUTHENTICATED, details: 'unknown agent token' });
        this.registrations.push(call.request);
        callback(null, { region, presenceIntervalMs: 0 });
      },
      reportPresence: (call: ServerUnaryCall<ReportPresenceRequest, ReportPresenceResponse>, callback: sendUnaryData<ReportPresenceResponse>) => {
        if (!this.regionOf(call.metadata.get('authorization')[0])) {
          return callback({ code: status.UNAUTHENTICATED, details: 'unknown agent token' });
        }
        this.presenceReports.push(call.request);
        callback(null, { serverTimeMs: Date.now() });
      },
      streamResults: (call: ServerDuplexStream<StreamResultsRequest, StreamResultsResponse>) => {
        call.on('error', () => undefined);
        if (!this.regionOf(call.metadata.get('authorization')[0])) {
          call.emit('error', { code: status.UNAUTHENTICATED, details: 'unknown agent token' });
          return;
        }
        const incarnation = this.incarnation;
        call.on('data', (request: StreamResultsRequest) => {
          const batch = request.batch;
          if (!batch) return;
          this.receipts.push({ incarnation, batchId: batch.batchId, resultIds: batch.results.map((r) => r.resultId) });
          if (this.holdAcks) return;
          let accepted = 0;
          for (const r of batch.results) {
            if (!this.stored.has(r.resultId)) accepted++;
            this.stored.add(r.resultId);
          }
          call.write({ ack: { batchId: batch.batchId, accepted, duplicates: batch.results.length - accepted } });
        });
        call.on('end', () => call.end());
      },
    });
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound))),
    );
    this.server = server;
    this.incarnation++;
  }

  /** Kills the server and every open stream at once, like a crashed ingest. */
  kill(): void {
    this.server?.forceShutdown();
    this.server = undefined;
  }

  async restart(): Promise<void> {
    this.kill();
    await this.start(this.port);
  }

  private regionOf(authorization: unknown): string | undefined {
    const value = String(authorization ?? '');
    return value.startsWith('Bearer ') ? this.tokens.get(value.slice('Bearer '.length)) : undefined;
  }
}

/**
 * In-process job bus: enough of the port for the agent's work consumer. `publish` hands a
 * job straight to the consumers of its subject, inside the call.
 */
class FakeBus implements JobBus {
  readonly subscriptions: Array<{ subject: string; handler: WorkHandler; active: boolean }> = [];
  /** Messages the agent settled: acknowledged (handler resolved) or handed back (rejected). */
  readonly acked: Uint8Array[] = [];
  readonly handedBack: Uint8Array[] = [];
  async publish(subject: string, data: Uint8Array): Promise<void> {
    // A queue hands a message out and goes on; the handler settles it when the agent says.
    for (const s of this.subscriptions) {
      if (!s.active || s.subject !== subject) continue;
      s.handler({ subject, data, deadlineMs: Number.MAX_SAFE_INTEGER, deliveryCount: 1 }).then(
        () => void this.acked.push(data),
        () => void this.handedBack.push(data),
      );
    }
  }
  subscribe(): Promise<Subscription> {
    throw new Error('not used by the agent');
  }
  async consumeWork(opts: WorkConsumerOptions, handler: WorkHandler): Promise<Subscription> {
    const entry = { subject: opts.subject, handler, active: true };
    this.subscriptions.push(entry);
    return { unsubscribe: async () => void (entry.active = false) };
  }
  publishWork(): Promise<void> {
    throw new Error('not used by the agent');
  }
  publishDurable(): Promise<void> {
    throw new Error('not used by the agent');
  }
  publishDurableBatch(): Promise<void> {
    throw new Error('not used by the agent');
  }
  consumeDurable(): Promise<Subscription> {
    throw new Error('not used by the agent');
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function ingestWith(tokens: Record<string, string>): Promise<FakeIngest> {
  const ingest = new FakeIngest();
  for (const [token, region] of Object.entries(tokens)) ingest.tokens.set(token, region);
  await ingest.start();
  cleanups.push(() => ingest.kill());
  return ingest;
}

function agentConfig(port: number, overrides: Partial<AgentConfig> = {}): AgentConfig {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'pharos-agent-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  return {
    dataDir,
    region: 'local',
    ingestAddress: `127.0.0.1:${port}`,
    ingestTls: false,
    agentId: 'agent-test',
    concurrency: 8,
    outboxMaxBytes: 1024 * 1024,
    outboxMaxAgeMs: 3_600_000,
    batchMaxResults: 5,
    batchMaxDelayMs: 20,
    presenceIntervalMs: 100,
    ...overrides,
  };
}

const FAST_BACKOFF = { baseMs: 20, capMs: 200 };

let resultSeq = 0;
function fakeResult(): CheckResult {
  resultSeq++;
  return CheckResult.fromPartial({ resultId: `res_${resultSeq}`, jobId: `res_${resultSeq}`, status: CheckStatus.CHECK_STATUS_UP });
}

describe('ingest transport', () => {
  it('resends unacknowledged batches after the server dies and removes every batch exactly once', async () => {
    const ingest = await ingestWith({ 'tok-local': 'local' });
    const logs = captureLogs('warn');
    let ids = 0;
    const outbox = createOutbox({
      maxBytes: 1024 * 1024,
      maxAgeMs: 3_600_000,
      batchMaxResults: 5,
      batchMaxDelayMs: 10,
      logger: logs.logger,
      now: Date.now,
      newBatchId: () => `batch_${String(++ids).padStart(3, '0')}`,
    });
    cleanups.push(() => outbox.close());
    const removals = new Map<string, number>();
    const ack = outbox.ack.bind(outbox);
    outbox.ack = (batchId) => {
      const removed = ack(batchId);
      if (removed) removals.set(batchId, (removals.get(batchId) ?? 0) + 1);
      return removed;
    };
    const fatal: AgentFatalError[] = [];
    const transport = createIngestTransport({
      address: `127.0.0.1:${ingest.port}`,
      credentials: ingestCredentials({ ingestTls: false }),
      token: 'tok-local',
      agentId: 'agent-1',
      region: 'local',
      version: 'test',
      hostname: 'test-host',
      presenceIntervalMs: 50,
      outbox,
      inFlight: () => 7,
      logger: logs.logger,
      backoff: FAST_BACKOFF,
      onFatal: (err) => fatal.push(err),
    });
    cleanups.push(() => transport.stop());
    expect(await transport.start()).toEqual({ registered: true });

    const produced: string[] = [];
    const produce = (count: number) => {
      for (let i = 0; i < count; i++) {
        const r = fakeResult();
        produced.push(r.resultId);
        outbox.add(r);
      }
    };

    produce(20);
    await eventually(() => outbox.depth().results === 0, { what: 'first 20 results acknowledged' });

    ingest.holdAcks = true; // the next batches reach ingest but are never acknowledged
    produce(20);
    await eventually(() => ingest.receipts.length === 8, { what: 'held batches received' });
    expect(outbox.depth().results).toBe(20);

    ingest.kill();
    produce(15); // produced while ingest is down
    await eventually(() => !transport.connected(), { what: 'stream noticed the dead server' });
    ingest.holdAcks = false;
    await ingest.start(ingest.port);

    await eventually(() => outbox.depth().results === 0, { what: 'everything acknowledged after restart' });

    // Nothing lost: every result reached ingest.
    expect([...ingest.stored].sort()).toEqual([...produced].sort());
    // Every batch was removed from the outbox exactly once.
    const allBatches = Array.from({ length: 11 }, (_, i) => `batch_${String(i + 1).padStart(3, '0')}`);
    expect([...removals.keys()].sort()).toEqual(allBatches);
    expect([...removals.values()].every((count) => count === 1)).toBe(true);
    // A resent batch keeps its identity: same id, same results, every time.
    const contents = new Map<string, string>();
    for (const receipt of ingest.receipts) {
      const key = receipt.resultIds.join(',');
      expect(contents.get(receipt.batchId) ?? key).toBe(key);
      contents.set(receipt.batchId, key);
    }
    // The held batches were resent to the restarted server, oldest first.
    const resent = ingest.receipts.filter((r) => r.incarnation === 2).map((r) => r.batchId);
    expect(resent.slice(0, 4)).toEqual(['batch_005', 'batch_006', 'batch_007', 'batch_008']);
    expect(resent).toEqual([...resent].sort());
    // Presence reports carried the agent's figures.
    expect(ingest.presenceReports.some((h) => h.agentId === 'agent-1' && h.inFlight === 7)).toBe(true);
    expect(fatal).toEqual([]);
    expect(logs.lines.some((l) => l.msg === 'result stream broke, will reconnect and resend unacknowledged batches')).toBe(true);
  });
});

describe('probe agent', () => {
  let portServer: net.Server | undefined;
  async function openPort(): Promise<number> {
    portServer = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => portServer!.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => portServer!.close(() => resolve())));
    return (portServer.address() as AddressInfo).port;
  }

  function portJobBytes(port: number, n: number): { jobId: string; bytes: Uint8Array } {
    const now = Date.now();
    const job: CheckJob = {
      jobId: `job_${n}_${now}`,
      orgId: 'org_1',
      monitorId: `mon_${n}`,
      region: 'local',
      type: CheckType.CHECK_TYPE_PORT,
      scheduledAtMs: now,
      deadlineMs: now + 30_000,
      timeoutMs: 2_000,
      attempt: 1,
      monitorRevision: 1,
      settings: { $case: 'port', value: { hostname: '127.0.0.1', port } },
    };
    return { jobId: job.jobId, bytes: CheckJob.encode(job).finish() };
  }

  async function runningAgent(ingestPort: number, token: string, region = 'local') {
    const bus = new FakeBus();
    const subjects = subjectsFor(uniqueName('agent'));
    const logs = captureLogs('info');
    const agent: RunningAgent = await startAgent({
      config: agentConfig(ingestPort),
      region,
      token,
      bus,
      subjects,
      logger: logs.logger,
      backoff: FAST_BACKOFF,
      checkers,
      stopTimeouts: { drainMs: 2_000, flushMs: 2_000 },
    });
    cleanups.push(() => agent.stop());
    return { agent, bus, subjects, logs };
  }

  it('runs jobs from its region work queue and delivers every result across an ingest crash', async () => {
    const ingest = await ingestWith({ 'tok-local': 'local' });
    const target = await openPort();
    const { agent, bus, subjects } = await runningAgent(ingest.port, 'tok-local');
    expect(bus.subscriptions).toMatchObject([{ subject: subjects.jobs('local') }]);

    const jobIds: string[] = [];
    const publish = async (count: number) => {
      for (let i = 0; i < count; i++) {
        const { jobId, bytes } = portJobBytes(target, jobIds.length);
        jobIds.push(jobId);
        await bus.publish(subjects.jobs('local'), bytes);
      }
    };

    await publish(15);
    await eventually(() => ingest.stored.size === 15, { what: 'first results stored' });
    ingest.kill();
    await publish(15);
    await eventually(() => agent.stats().outbox.results === 15 && agent.stats().inFlight === 0, { what: 'results waiting in the outbox' });
    await ingest.start(ingest.port);
    await publish(10);
    await eventually(() => ingest.stored.size === 40 && agent.stats().outbox.results === 0, { what: 'all 40 results stored' });
    expect([...ingest.stored].sort()).toEqual([...jobIds].sort()); // result id = job id
    expect(ingest.registrations.length).toBeGreaterThanOrEqual(2);
    expect(ingest.registrations[0]).toMatchObject({ agentId: 'agent-test', region: 'local' });
    expect(ingest.presenceReports.length).toBeGreaterThan(0);

    await agent.stop();
    await expect(agent.done).resolves.toBeUndefined();
  });

  it('flushes the outbox on a graceful stop', async () => {
    const ingest = await ingestWith({ 'tok-local': 'local' });
    const target = await openPort();
    const bus = new FakeBus();
    const subjects = subjectsFor(uniqueName('agent'));
    const agent = await startAgent({
      // A batch delay far longer than the test: only the stop's flush can deliver these.
      config: agentConfig(ingest.port, { batchMaxResults: 1000, batchMaxDelayMs: 60_000 }),
      region: 'local',
      token: 'tok-local',
      bus,
      subjects,
      logger: captureLogs('info').logger,
      backoff: FAST_BACKOFF,
      checkers,
    });
    for (let i = 0; i < 5; i++) await bus.publish(subjects.jobs('local'), portJobBytes(target, i).bytes);
    await eventually(() => agent.stats().outbox.results === 5, { what: 'results in the outbox' });
    expect(ingest.stored.size).toBe(0);
    // Their results are in the open batch, not on disk: the jobs are still unacknowledged.
    expect(bus.acked).toHaveLength(0);
    expect(agent.stats().held).toBe(5);
    await agent.stop();
    expect(ingest.stored.size).toBe(5);
    expect(bus.acked).toHaveLength(5);
    expect(bus.handedBack).toHaveLength(0);
    expect(bus.subscriptions[0].active).toBe(false);
  });

  it('hands a job back to the queue when a stop abandons its check, and acknowledges the finished ones', async () => {
    const ingest = await ingestWith({ 'tok-local': 'local' });
    const port = await openPort();
    // Accepts and never answers: an HTTP check against it runs until its timeout.
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      silent.close(() => resolve());
    }));
    const bus = new FakeBus();
    const subjects = subjectsFor(uniqueName('agent'));
    const agent = await startAgent({
      config: agentConfig(ingest.port),
      region: 'local',
      token: 'tok-local',
      bus,
      subjects,
      logger: captureLogs('info').logger,
      backoff: FAST_BACKOFF,
      checkers,
      stopTimeouts: { drainMs: 200, flushMs: 2_000 },
    });
    const now = Date.now();
    const hanging = CheckJob.encode({
      jobId: `job_hang_${now}`, orgId: 'org_1', monitorId: 'mon_hang', region: 'local', type: CheckType.CHECK_TYPE_WEBSITE,
      scheduledAtMs: now, deadlineMs: now + 30_000, timeoutMs: 20_000, attempt: 1, monitorRevision: 1,
      settings: { $case: 'website', value: {
        url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`, method: 'GET', headers: [], expectedStatusCode: 200,
        followRedirects: false, maxRedirects: 0, keywordAbsent: false, ignoreTlsErrors: false, assertions: [], sslExpiryWarningDays: 0,
      } },
    }).finish();
    await bus.publish(subjects.jobs('local'), hanging);
    for (let i = 0; i < 3; i++) await bus.publish(subjects.jobs('local'), portJobBytes(port, i).bytes);
    await eventually(() => bus.acked.length === 3 && agent.stats().inFlight === 1, { what: 'three jobs acknowledged, one check hanging' });
    expect(agent.stats().held).toBe(1);
    await agent.stop();
    expect(bus.handedBack).toEqual([hanging]);
    expect(bus.acked).toHaveLength(3);
    expect(ingest.stored.size).toBe(3);
  });

  it('refuses to start when the token belongs to another region', async () => {
    const ingest = await ingestWith({ 'tok-eu': 'eu-west' });
    const err = await startAgent({
      config: agentConfig(ingest.port),
      region: 'us-east',
      token: 'tok-eu',
      bus: new FakeBus(),
      subjects: subjectsFor(uniqueName('agent')),
      logger: captureLogs('info').logger,
      backoff: FAST_BACKOFF,
      checkers,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AgentFatalError);
    expect(String((err as Error).message)).toMatch(/region "us-east".*region "eu-west"/);
  });

  it('refuses to start with a token ingest does not know', async () => {
    const ingest = await ingestWith({ 'tok-local': 'local' });
    const bus = new FakeBus();
    await expect(
      startAgent({
        config: agentConfig(ingest.port),
        region: 'local',
        token: 'tok-wrong',
        bus,
        subjects: subjectsFor(uniqueName('agent')),
        logger: captureLogs('info').logger,
        backoff: FAST_BACKOFF,
      checkers,
      }),
    ).rejects.toThrow(/UNAUTHENTICATED.*token/);
    expect(bus.subscriptions).toHaveLength(0);
  });

  it('starts while ingest is down, keeps results, and delivers them once ingest appears', async () => {
    const port = await closedPort();
    const target = await openPort();
    const { agent, bus, subjects } = await runningAgent(port, 'tok-local');
    for (let i = 0; i < 3; i++) await bus.publish(subjects.jobs('local'), portJobBytes(target, i).bytes);
    await eventually(() => agent.stats().outbox.results === 3, { what: 'results kept while ingest is down' });
    const ingest = new FakeIngest();
    ingest.tokens.set('tok-local', 'local');
    await ingest.start(port);
    cleanups.push(() => ingest.kill());
    await eventually(() => ingest.stored.size === 3 && agent.stats().outbox.results === 0, { what: 'late delivery' });
  });

  it('stops with a fatal error when ingest revokes its token', async () => {
    const ingest = await ingestWith({ 'tok-local': 'local' });
    const { agent } = await runningAgent(ingest.port, 'tok-local');
    ingest.tokens.clear();
    await expect(agent.done).rejects.toBeInstanceOf(AgentFatalError);
  });
});
