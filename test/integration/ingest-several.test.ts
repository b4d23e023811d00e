/**
 * Several ingest servers behind one address: real agent transports (probe-agent/transport.ts)
 * dial one target that resolves to three ingests (`ipv4:a,b,c`, as a Kubernetes headless
 * Service resolves to its pods) with round_robin, and spread over them. One ingest is killed
 * mid-stream: its agents move to the others, every result is stored exactly once and none is
 * lost.
 *
 * What this cannot show: the ingests run in this one process over one chDB session (only one
 * process may open a chDB data dir, and there is no ClickHouse server here), so "killed" is
 * simulated — the server's port and calls close at once and its store refuses every call
 * from the kill on, including the answer to a call already running (an insert that landed
 * but was never acknowledged, as a crash would leave it). Separate OS processes sharing a
 * ClickHouse server, DNS re-resolution and Kubernetes' endpoint updates are not exercised.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { CheckResult, CheckStatus } from '../../proto/generated/pharos/v1/result.js';
import { CheckType } from '../../proto/generated/pharos/v1/check.js';
import { createOutbox, type ResultOutbox } from '../../probe-agent/outbox.js';
import { createIngestTransport, ingestCredentials, type IngestTransport } from '../../probe-agent/transport.js';
import { ChdbExecutor } from '../../services/lib/adapters/chdb/executor.js';
import { MemoryJobBus } from '../../services/lib/adapters/memory/job-bus.js';
import { MemoryHotState } from '../../services/lib/adapters/memory/hot-state.js';
import { ClickHouseResultStore } from '../../services/lib/results/store.js';
import { RESULTS_TABLE } from '../../services/lib/results/schema.js';
import type { StoredResult } from '../../services/lib/results/types.js';
import { loadConfig } from '../../services/lib/config.js';
import { createLogger } from '../../services/lib/logger.js';
import { subjectsFor } from '../../services/lib/subjects.js';
import { startIngest, type IngestServer } from '../../services/ingest/server.js';
import { DelegatingResultStore } from '../support/delegating-result-store.js';
import { eventually, uniqueName } from '../support/services.js';

const AGENTS = 9;
const MIN = 60_000;

/** One ingest's door to the shared store: after `kill()` it answers nothing, as a dead process. */
class KillableStore extends DelegatingResultStore {
  dead = false;
  /** Rows this ingest inserted, by agent. */
  readonly byAgent = new Map<string, number>();
  private check<T>(value: T): T {
    if (this.dead) throw new Error('this ingest was killed');
    return value;
  }
  /** While set, an insert lands and then waits here: its rows are stored, its batches not yet acknowledged. */
  gate: Promise<void> | undefined;
  /** Inserts that landed and waited at the gate. */
  held = 0;
  override async insertResults(rows: readonly StoredResult[]) {
    this.check(undefined);
    await this.inner.insertResults(rows);
    for (const r of rows) this.byAgent.set(r.agentId, (this.byAgent.get(r.agentId) ?? 0) + 1);
    if (this.gate) {
      this.held += 1;
      await this.gate;
    }
    return this.check(undefined);
  }
  override async existingIds(org: string, ids: readonly string[]) {
    this.check(undefined);
    return this.check(await this.inner.existingIds(org, ids));
  }
}

interface Agent {
  id: string;
  outbox: ResultOutbox;
  transport: IngestTransport;
  next: number;
}

describe('several ingests behind one address', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pharos-ingests-'));
  const database = uniqueName('pharos');
  const exec = ChdbExecutor.open(dir);
  const shared = new ClickHouseResultStore(exec, database);
  // NATS and Redis stand-ins, shared as the real ones are.
  const bus = new MemoryJobBus();
  const hotState = new MemoryHotState();
  const config = loadConfig('dev', { PHAROS_REGIONS: 'EuWest', PHAROS_GRPC_HOST: '127.0.0.1', PHAROS_GRPC_PORT: '0' });
  const org = uniqueName('org');
  const slot0 = Math.floor(Date.now() / MIN) * MIN - 600 * MIN;
  const stores = [0, 1, 2].map(() => new KillableStore(shared));
  const ingests: IngestServer[] = [];
  const agents: Agent[] = [];
  const produced = new Set<string>();

  const produce = (a: Agent, n: number) => {
    for (let i = 0; i < n; i++, a.next++) {
      const slot = slot0 + a.next * MIN;
      const resultId = `mon_${a.id}.EuWest.${slot}`;
      produced.add(resultId);
      a.outbox.add(CheckResult.fromPartial({
        resultId, jobId: resultId, orgId: org, monitorId: `mon_${a.id}`, region: 'EuWest', agentId: a.id,
        type: CheckType.CHECK_TYPE_WEBSITE, scheduledAtMs: slot, startedAtMs: slot + 3,
        status: CheckStatus.CHECK_STATUS_UP, timings: { totalMs: 20 }, statusCode: 200,
      }));
    }
  };
  const allAcked = () => agents.every((a) => a.outbox.depth().results === 0);
  /** Which ingests stored each agent's rows. */
  const ingestsOf = (agentId: string) => stores.flatMap((s, i) => (s.byAgent.has(agentId) ? [i] : []));

  beforeAll(async () => {
    await shared.migrate();
    for (const store of stores) {
      ingests.push(await startIngest({
        config, resultStore: store, bus, subjects: subjectsFor(uniqueName('p')), hotState, logger: createLogger('silent'),
        tokens: { verify: async (t) => (t === 'tok-eu' ? { tokenId: 'agt_eu', region: 'EuWest', name: 'eu' } : null) },
        writer: { maxDelayMs: 10, quietDelayMs: 10 },
      }));
    }
    const address = `ipv4:${ingests.map((i) => `127.0.0.1:${i.port}`).join(',')}`;
    const logger = pino({ level: 'silent' });
    for (let n = 0; n < AGENTS; n++) {
      const id = `agent${n}`;
      const outbox = createOutbox({ maxBytes: 16 * 1024 * 1024, maxAgeMs: 10 * MIN, batchMaxResults: 10, batchMaxDelayMs: 10, logger, now: Date.now });
      const transport = createIngestTransport({
        address, credentials: ingestCredentials({ ingestTls: false }), token: 'tok-eu', agentId: id, region: 'EuWest',
        version: 'test', hostname: id, presenceIntervalMs: 60_000, outbox, inFlight: () => 0, logger,
        backoff: { baseMs: 20, capMs: 200 }, onFatal: (err) => { throw err; },
      });
      agents.push({ id, outbox, transport, next: 0 });
    }
    for (const a of agents) expect(await a.transport.start()).toEqual({ registered: true });
  });

  afterAll(async () => {
    for (const a of agents) {
      await a.transport.stop();
      a.outbox.close();
    }
    for (const i of ingests) await i.stop().catch(() => undefined);
    await bus.close();
    await hotState.close();
    await shared.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('spreads the agents, and when one ingest dies its agents move on with nothing lost or doubled', async () => {
    for (const a of agents) produce(a, 30);
    await eventually(allAcked, { what: 'first results acknowledged', timeoutMs: 20_000 });
    // Each agent's stream lives on one ingest; together they use more than one.
    for (const a of agents) expect(ingestsOf(a.id), a.id).toHaveLength(1);
    const used = new Set(agents.map((a) => ingestsOf(a.id)[0]));
    expect(used.size).toBeGreaterThan(1);

    // Kill the ingest with the most agents while they keep sending.
    const victim = [...used].sort((x, y) => agents.filter((a) => ingestsOf(a.id)[0] === y).length - agents.filter((a) => ingestsOf(a.id)[0] === x).length)[0];
    const moved = agents.filter((a) => ingestsOf(a.id)[0] === victim);
    // The victim's next insert lands and is never acknowledged: the kill comes first.
    let open!: () => void;
    stores[victim].gate = new Promise<void>((r) => (open = r));
    for (const a of agents) produce(a, 20);
    await eventually(() => stores[victim].held > 0, { what: 'an insert landed on the victim, not yet acknowledged' });
    stores[victim].dead = true;
    ingests[victim].abort();
    open();
    for (const a of agents) produce(a, 20);
    await eventually(allAcked, { what: 'everything acknowledged after the kill', timeoutMs: 30_000 });

    // The dead ingest's agents were stored by the others afterwards.
    for (const a of moved) expect(ingestsOf(a.id).filter((i) => i !== victim).length, a.id).toBeGreaterThan(0);
    // Every result stored, each once.
    const rows = await exec.query<{ result_id: string; n: number | string }>(
      `SELECT result_id, count() AS n FROM ${database}.${RESULTS_TABLE} WHERE org_id = {org:String} GROUP BY result_id`, { org });
    expect(rows.filter((r) => Number(r.n) !== 1)).toEqual([]);
    expect(new Set(rows.map((r) => r.result_id))).toEqual(produced);
    expect(produced.size).toBe(AGENTS * 70);
  });
});
