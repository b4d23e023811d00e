/**
 * `kill -9` of an agent whose results ingest has not acknowledged, and a restart on the same
 * data directory: every result id is stored exactly once, none absent, none duplicated.
 * The agent runs in its own process (test/support/agent-child.ts) against a real ingest over
 * gRPC with a chDB store; the store refuses inserts while "down", so ingest receives the
 * batches but never stores or acknowledges them, and only the agent's disk has them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckJob, CheckType } from '../../proto/generated/pharos/v1/check.js';
import { ChdbExecutor } from '../../services/lib/adapters/chdb/executor.js';
import { MemoryHotState } from '../../services/lib/adapters/memory/hot-state.js';
import { MemoryJobBus } from '../../services/lib/adapters/memory/job-bus.js';
import { loadConfig } from '../../services/lib/config.js';
import { createLogger } from '../../services/lib/logger.js';
import type { ResultStore } from '../../services/lib/ports/results-store.js';
import { RESULTS_TABLE } from '../../services/lib/results/schema.js';
import { ClickHouseResultStore } from '../../services/lib/results/store.js';
import type { StoredResult } from '../../services/lib/results/types.js';
import { subjectsFor } from '../../services/lib/subjects.js';
import { startIngest, type IngestServer } from '../../services/ingest/server.js';
import { eventually, uniqueName } from '../support/services.js';
import { DelegatingResultStore } from '../support/delegating-result-store.js';
import { startAgentChild, type AgentChild } from '../support/agent-process.js';

const TOKEN = 'tok-crash-0123456789abcdef';
const REGION = 'EuWest';

/** A result store that refuses every insert while `down` and remembers which ids ingest tried. */
class OutageStore extends DelegatingResultStore {
  down = false;
  readonly attempted = new Set<string>();
  override async insertResults(rows: readonly StoredResult[]) {
    for (const row of rows) this.attempted.add(row.resultId);
    if (this.down) throw new Error('simulated ClickHouse outage');
    return this.inner.insertResults(rows);
  }
}

describe('an agent killed with kill -9 before ingest acknowledged its results', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pharos-agent-crash-'));
  const database = uniqueName('pharos');
  const exec = ChdbExecutor.open(path.join(dir, 'ch'));
  const store = new OutageStore(new ClickHouseResultStore(exec, database));
  const bus = new MemoryJobBus();
  const hotState = new MemoryHotState();
  const children: AgentChild[] = [];
  let ingest: IngestServer;
  let target: net.Server;
  let targetPort = 0;

  beforeAll(async () => {
    await store.migrate();
    ingest = await startIngest({
      config: loadConfig('dev', { PHAROS_REGIONS: REGION }),
      resultStore: store, bus, subjects: subjectsFor(uniqueName('p')), hotState, logger: createLogger('silent'),
      tokens: { verify: async (t) => (t === TOKEN ? { tokenId: 'agt_crash', region: REGION, name: 'crash' } : null) },
      writer: { maxDelayMs: 20, quietDelayMs: 20 },
    });
    target = net.createServer((s) => s.end());
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    targetPort = (target.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    for (const c of children) {
      if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
      await c.exited;
    }
    target?.close();
    await ingest?.stop();
    await bus.close();
    await hotState.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const storedRows = async (org: string) =>
    exec.query<{ id: string; n: number | string }>(
      `SELECT result_id AS id, count() AS n FROM ${database}.${RESULTS_TABLE} WHERE org_id = {org:String} GROUP BY result_id`,
      { org },
    );

  // process-crash: as `pharos dev` runs its embedded agents, batches written and not fdatasynced.
  for (const durability of ['power-loss', 'process-crash'] as const) it(`resends them from its data directory after a restart: every result id stored exactly once (outbox durability ${durability})`, async () => {
    const org = uniqueName('org');
    const scheduledAtMs = Date.now();
    // Result ids are <monitor>.<region>.<scheduled ms>, as the scheduler makes them.
    const job = (i: number, at: number) => CheckJob.fromPartial({
      jobId: `mon_${i}.${REGION}.${at}`, orgId: org, monitorId: `mon_${i}`, region: REGION, type: CheckType.CHECK_TYPE_PORT,
      scheduledAtMs: at, deadlineMs: at + 120_000, timeoutMs: 5_000, attempt: 1,
      settings: { $case: 'port', value: { hostname: '127.0.0.1', port: targetPort } },
    });
    const acked = Array.from({ length: 20 }, (_, i) => job(i, scheduledAtMs));
    const unacked = Array.from({ length: 30 }, (_, i) => job(i, scheduledAtMs + 5_000));
    const expected = [...acked, ...unacked].map((j) => j.jobId).sort();

    const env = {
      PHAROS_REGION: REGION, PHAROS_AGENT_TOKEN: TOKEN, PHAROS_INGEST_ADDRESS: `127.0.0.1:${ingest.port}`,
      PHAROS_AGENT_DATA_DIR: path.join(dir, `agent-${durability}`), PHAROS_AGENT_BATCH_MAX: '7', PHAROS_AGENT_BATCH_DELAY_MS: '50',
      AGENT_CHILD_OUTBOX_DURABILITY: durability,
    };
    const first = startAgentChild(env);
    children.push(first);
    await eventually(() => first.output().includes('READY'), { timeoutMs: 30_000, what: () => `the agent to start:\n${first.output()}` });

    // Phase 1: ingest stores and acknowledges.
    acked.forEach((j) => first.send(j));
    await eventually(async () => (await storedRows(org)).length === acked.length, { timeoutMs: 20_000, what: 'the first results stored' });

    // Phase 2: the store is down, so ingest receives every batch (sent only once on disk)
    // but acknowledges none; then the agent dies without any chance to clean up.
    store.down = true;
    unacked.forEach((j) => first.send(j));
    await eventually(() => unacked.every((j) => store.attempted.has(j.jobId)), { timeoutMs: 20_000, what: 'ingest to receive every unacknowledged result' });
    first.child.kill('SIGKILL');
    await first.exited;
    expect(first.child.signalCode).toBe('SIGKILL');
    expect((await storedRows(org)).map((r) => r.id).sort()).toEqual(acked.map((j) => j.jobId).sort());

    // Phase 3: the store is back; a new agent process on the same directory, given no jobs.
    store.down = false;
    const second = startAgentChild(env);
    children.push(second);
    await eventually(() => second.output().includes('READY'), { timeoutMs: 30_000, what: () => `the agent to restart:\n${second.output()}` });
    const rows = await eventually(async () => {
      const r = await storedRows(org);
      return r.length >= expected.length ? r : undefined;
    }, { timeoutMs: 20_000, what: 'every result stored after the restart' });

    expect(rows.map((r) => r.id).sort()).toEqual(expected);
    expect(second.output()).toContain('resending results not acknowledged before the last stop');

    // A graceful stop flushes whatever the agent still had; only then is the count final.
    second.child.kill('SIGTERM');
    await second.exited;
    expect(second.child.exitCode).toBe(0);
    // Exact accounting by result id: the same set, each exactly one row.
    const final = await storedRows(org);
    expect(final.map((r) => r.id).sort()).toEqual(expected);
    expect(final.filter((r) => Number(r.n) !== 1)).toEqual([]);
  });
});
