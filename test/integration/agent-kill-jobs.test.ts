/**
 * `kill -9` of an agent holding jobs from its region's work queue on real NATS: checks in
 * flight against a target that holds its responses, and finished results in the open batch
 * (not yet sealed to disk). Another agent of the region takes over: every slot is stored
 * exactly once — rerun, or `skipped` when its deadline passed meanwhile — none absent, none
 * duplicated (docs/decisions.md, "No silent gaps"). And a live agent whose checks outlast
 * the queue's ack wait keeps its jobs: each target request happens once.
 *
 * Agents run in their own processes (test/support/agent-child.ts) against a real ingest over
 * gRPC with a chDB store; the queue's ack wait is shortened to ACK_WAIT_MS for the test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckJob, CheckType } from '../../proto/generated/pharos/v1/check.js';
import { ChdbExecutor } from '../../services/lib/adapters/chdb/executor.js';
import { MemoryHotState } from '../../services/lib/adapters/memory/hot-state.js';
import { MemoryJobBus } from '../../services/lib/adapters/memory/job-bus.js';
import { openNatsJobBus, type NatsJobBus } from '../../services/lib/adapters/nats/job-bus.js';
import { loadConfig } from '../../services/lib/config.js';
import { createLogger } from '../../services/lib/logger.js';
import { RESULTS_TABLE } from '../../services/lib/results/schema.js';
import { ClickHouseResultStore } from '../../services/lib/results/store.js';
import { subjectsFor } from '../../services/lib/subjects.js';
import { startIngest, type IngestServer } from '../../services/ingest/server.js';
import { startAgentChild, type AgentChild } from '../support/agent-process.js';
import { deletePrefixStreams } from '../support/nats-streams.js';
import { eventually, realService, uniqueName } from '../support/services.js';

const TOKEN = 'tok-kill-jobs-0123456789abcdef';
const REGION = 'EuWest';
const ACK_WAIT_MS = 2_000;

/** An HTTP target that holds every request until released, counting requests per path. */
class HoldingTarget {
  readonly requests = new Map<string, number>();
  private holding = true;
  private readonly held = new Set<http.ServerResponse>();
  private readonly server = http.createServer((req, res) => {
    this.requests.set(req.url!, (this.requests.get(req.url!) ?? 0) + 1);
    if (this.holding) this.held.add(res);
    else res.end('ok');
    res.on('close', () => this.held.delete(res));
  });
  port = 0;
  async listen(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as net.AddressInfo).port;
  }
  hold(): void {
    this.holding = true;
  }
  release(): void {
    this.holding = false;
    for (const res of this.held) res.end('ok');
    this.held.clear();
  }
  count(p: string): number {
    return this.requests.get(p) ?? 0;
  }
  close(): void {
    this.release();
    this.server.closeAllConnections();
    this.server.close();
  }
}

const natsUrl = realService('nats');

describe.runIf(natsUrl)('agents of a region over NATS, one killed with kill -9 holding jobs', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pharos-agent-kill-jobs-'));
  const database = uniqueName('pharos');
  const prefix = uniqueName('kj');
  const subjects = subjectsFor(prefix);
  const exec = ChdbExecutor.open(path.join(dir, 'ch'));
  const store = new ClickHouseResultStore(exec, database);
  const ingestBus = new MemoryJobBus();
  const hotState = new MemoryHotState();
  const target = new HoldingTarget();
  const children: AgentChild[] = [];
  let ingest: IngestServer;
  let bus: NatsJobBus;
  let portTarget: net.Server;
  let portTargetPort = 0;

  beforeAll(async () => {
    await store.migrate();
    ingest = await startIngest({
      config: loadConfig('dev', { PHAROS_REGIONS: REGION }),
      resultStore: store, bus: ingestBus, subjects: subjectsFor(uniqueName('p')), hotState, logger: createLogger('silent'),
      tokens: { verify: async (t) => (t === TOKEN ? { tokenId: 'agt_kill', region: REGION, name: 'kill' } : null) },
      writer: { maxDelayMs: 20, quietDelayMs: 20 },
    });
    // The scheduler's side of the queue: declares the streams and publishes the jobs.
    bus = await openNatsJobBus({ url: natsUrl!, prefix, logger: createLogger('silent'), name: 'pharos-test-scheduler', workAckWaitMs: ACK_WAIT_MS });
    await target.listen();
    portTarget = net.createServer((s) => s.end());
    await new Promise<void>((r) => portTarget.listen(0, '127.0.0.1', r));
    portTargetPort = (portTarget.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    for (const c of children) {
      if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
      await c.exited;
    }
    target.close();
    portTarget?.close();
    await bus?.close();
    await deletePrefixStreams(natsUrl!, prefix);
    await ingest?.stop();
    await ingestBus.close();
    await hotState.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const stored = async (org: string) =>
    exec.query<{ id: string; n: number | string; status: string; error: string }>(
      `SELECT result_id AS id, count() AS n, any(status) AS status, any(error_message) AS error
       FROM ${database}.${RESULTS_TABLE} WHERE org_id = {org:String} GROUP BY result_id ORDER BY result_id`,
      { org },
    );

  // Result ids are <monitor>.<region>.<scheduled ms>, as the scheduler makes them.
  const slot = (org: string, monitor: string, at: number, deadlineMs: number, settings: CheckJob['settings'], type: CheckType) =>
    CheckJob.fromPartial({
      jobId: `${monitor}.${REGION}.${at}`, orgId: org, monitorId: monitor, region: REGION, type,
      scheduledAtMs: at, deadlineMs, timeoutMs: 20_000, attempt: 1, settings,
    });
  const portSlot = (org: string, i: number, at: number) =>
    slot(org, `mon_port_${i}`, at, at + 60_000, { $case: 'port', value: { hostname: '127.0.0.1', port: portTargetPort } }, CheckType.CHECK_TYPE_PORT);
  const httpSlot = (org: string, name: string, at: number, deadlineMs: number) =>
    slot(org, name, at, deadlineMs, {
      $case: 'website',
      value: { url: `http://127.0.0.1:${target.port}/${org}/${name}`, method: 'GET', headers: [], expectedStatusCode: 200, followRedirects: false, maxRedirects: 0, keywordAbsent: false, ignoreTlsErrors: false, assertions: [], sslExpiryWarningDays: 0 },
    }, CheckType.CHECK_TYPE_WEBSITE);
  const publish = (job: CheckJob) =>
    bus.publishWork(subjects.jobs(REGION), CheckJob.encode(job).finish(), { msgId: job.jobId, deadlineMs: job.deadlineMs });

  const agentEnv = (name: string, batch: { max: number; delayMs: number }) => ({
    PHAROS_REGION: REGION, PHAROS_AGENT_TOKEN: TOKEN, PHAROS_INGEST_ADDRESS: `127.0.0.1:${ingest.port}`,
    PHAROS_NATS_URL: natsUrl!, PHAROS_NATS_PREFIX: prefix, AGENT_CHILD_WORK_ACK_WAIT_MS: String(ACK_WAIT_MS),
    PHAROS_AGENT_ID: name, PHAROS_AGENT_DATA_DIR: path.join(dir, name), PHAROS_LOG_LEVEL: 'debug',
    PHAROS_AGENT_BATCH_MAX: String(batch.max), PHAROS_AGENT_BATCH_DELAY_MS: String(batch.delayMs),
  });
  const startAgent = async (name: string, batch = { max: 500, delayMs: 50 }) => {
    const agent = startAgentChild(agentEnv(name, batch));
    children.push(agent);
    await eventually(() => agent.output().includes('agent started'), { timeoutMs: 30_000, what: () => `${name} to start:\n${agent.output()}` });
    return agent;
  };

  it('hands the killed agent\'s unfinished and unsealed jobs to the next agent: every slot stored once, rerun or skipped', async () => {
    const org = uniqueName('org');
    const at = Date.now();
    // A batch seals at five results or after a minute: what is below the count stays in the
    // open batch, in memory only.
    const first = await startAgent('agent-a', { max: 5, delayMs: 60_000 });

    // Five results fill a batch: sealed, fsynced, acknowledged, stored.
    const sealed = Array.from({ length: 5 }, (_, i) => portSlot(org, i, at));
    for (const j of sealed) await publish(j);
    await eventually(async () => (await stored(org)).length === 5, { timeoutMs: 20_000, what: 'the first batch stored' });

    // Three finished results wait in the open batch; six checks hang on the target, two of
    // them with a deadline that will have passed by the time the queue redelivers them.
    const unsealed = Array.from({ length: 3 }, (_, i) => portSlot(org, i, at + 5_000));
    const inFlight = Array.from({ length: 4 }, (_, i) => httpSlot(org, `mon_slow_${i}`, at, at + 60_000));
    // Long enough for the first agent to take them on a loaded machine (taken after their
    // deadline they would be skipped at once and seal the open batch early).
    const expiringDeadline = Date.now() + 3_000;
    const expiring = Array.from({ length: 2 }, (_, i) => httpSlot(org, `mon_late_${i}`, at, expiringDeadline));
    for (const j of [...unsealed, ...inFlight, ...expiring]) await publish(j);
    const path = (j: CheckJob) => `/${org}/${j.monitorId}`;
    await eventually(() => [...inFlight, ...expiring].every((j) => target.count(path(j)) === 1), { timeoutMs: 20_000, what: 'six checks waiting on the target' });
    await eventually(() => unsealed.every((j) => first.output().includes(j.jobId)), { timeoutMs: 20_000, what: 'three checks finished into the open batch' });

    first.child.kill('SIGKILL');
    await first.exited;
    expect(first.child.signalCode).toBe('SIGKILL');
    expect((await stored(org)).map((r) => r.id)).toEqual(sealed.map((j) => j.jobId).sort());

    // The region's other agent takes what the dead one held once ack wait has passed; by
    // then the two expiring jobs are past their deadline.
    await eventually(() => Date.now() > expiringDeadline, { timeoutMs: 5_000, what: 'the expiring jobs\' deadline' });
    target.release();
    const second = await startAgent('agent-b');
    const all = [...sealed, ...unsealed, ...inFlight, ...expiring];
    await eventually(async () => (await stored(org)).length === all.length, { timeoutMs: 30_000, what: "every slot stored" });

    second.child.kill('SIGTERM');
    await second.exited;
    expect(second.child.exitCode).toBe(0);
    const rows = await stored(org);
    expect(rows.map((r) => r.id)).toEqual(all.map((j) => j.jobId).sort());
    expect(rows.filter((r) => Number(r.n) !== 1)).toEqual([]);
    const status = new Map(rows.map((r) => [r.id, r]));
    for (const j of [...sealed, ...unsealed, ...inFlight]) expect(status.get(j.jobId)?.status, j.jobId).toBe('up');
    for (const j of expiring) {
      expect(status.get(j.jobId)?.status, j.jobId).toBe('skipped');
      expect(status.get(j.jobId)?.error).toMatch(/after its deadline/);
    }
    // Rerun, not invented: each hung check reached the target again from the second agent
    // (more than once if NATS delivered it twice: at least once, and ingest keeps one), and
    // the expired ones were not run a second time.
    for (const j of inFlight) expect(target.count(path(j)), j.jobId).toBeGreaterThanOrEqual(2);
    for (const j of expiring) expect(target.count(path(j)), j.jobId).toBe(1);
  }, 120_000);

  it('keeps the jobs of a live agent whose checks outlast the queue\'s ack wait: each runs once', async () => {
    const org = uniqueName('org');
    const at = Date.now();
    target.hold();
    const agents = [await startAgent('agent-c'), await startAgent('agent-d')];
    const slow = Array.from({ length: 4 }, (_, i) => httpSlot(org, `mon_long_${i}`, at, at + 60_000));
    for (const j of slow) await publish(j);
    const path = (j: CheckJob) => `/${org}/${j.monitorId}`;
    await eventually(() => slow.every((j) => target.count(path(j)) === 1), { timeoutMs: 20_000, what: 'the slow checks running' });
    // Three ack waits: without in-progress signals the queue would have redelivered them.
    const until = Date.now() + 3 * ACK_WAIT_MS;
    await eventually(() => Date.now() > until, { timeoutMs: 4 * ACK_WAIT_MS, what: 'three ack waits' });
    target.release();
    for (const a of agents) a.child.kill('SIGTERM');
    await Promise.all(agents.map((a) => a.exited));
    const rows = await eventually(async () => {
      const r = await stored(org);
      return r.length === slow.length ? r : undefined;
    }, { timeoutMs: 20_000, what: 'the slow results stored' });
    expect(rows.map((r) => [r.id, Number(r.n), r.status])).toEqual(slow.map((j) => [j.jobId, 1, 'up']).sort());
    for (const j of slow) expect(target.count(path(j)), j.jobId).toBe(1);
  }, 120_000);
});
