/**
 * When ResultWriter writes, on chDB: a batch alerting may act on (a failure, a recovery, a
 * series' first result) goes within maxDelayMs; one that only repeats successes waits for
 * company up to quietDelayMs — here longer than any test, so a test that waits on such a
 * batch alone would time out — and rides along with the next prompt batch; insertRows rows or
 * insertBatches batches waiting go at once whatever they hold.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CheckResult, CheckStatus } from '../../proto/generated/pharos/v1/result.js';
import { CheckType } from '../../proto/generated/pharos/v1/check.js';
import { ChdbExecutor } from '../../services/lib/adapters/chdb/executor.js';
import { MemoryJobBus } from '../../services/lib/adapters/memory/job-bus.js';
import { MemoryHotState } from '../../services/lib/adapters/memory/hot-state.js';
import { ClickHouseResultStore } from '../../services/lib/results/store.js';
import { RESULTS_TABLE } from '../../services/lib/results/schema.js';
import type { StoredResult } from '../../services/lib/results/types.js';
import { createLogger } from '../../services/lib/logger.js';
import { subjectsFor } from '../../services/lib/subjects.js';
import { ResultWriter, type IncomingResult } from '../../services/ingest/result-writer.js';
import { toStoredResult } from '../../services/ingest/to-stored-result.js';
import { DelegatingResultStore } from '../support/delegating-result-store.js';
import { eventually, uniqueName } from '../support/services.js';

const MIN = 60_000;
const SLOT0 = Math.floor(Date.now() / MIN) * MIN - 60 * MIN;
const QUIET_MS = 600_000;

function result(org: string, monitor: string, slot: number, status = CheckStatus.CHECK_STATUS_UP): IncomingResult {
  const resultId = `${monitor}.EuWest.${slot}`;
  const message = CheckResult.fromPartial({
    resultId, jobId: resultId, orgId: org, monitorId: monitor, region: 'EuWest', agentId: 'agent-1',
    type: CheckType.CHECK_TYPE_WEBSITE, scheduledAtMs: slot, startedAtMs: slot + 5, status, timings: { totalMs: 42 },
  });
  return { stored: toStoredResult(message, 'EuWest', 90), message };
}

/** The real store, its inserts' sizes recorded. */
class CountingStore extends DelegatingResultStore {
  inserts: number[] = [];
  override async insertResults(rows: readonly StoredResult[]) {
    this.inserts.push(rows.length);
    return this.inner.insertResults(rows);
  }
}

describe('result writer timing', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pharos-writer-'));
  const database = uniqueName('rw');
  const exec = ChdbExecutor.open(dir);
  const chdb = new ClickHouseResultStore(exec, database);
  const writers: ResultWriter[] = [];
  afterAll(async () => {
    for (const w of writers) await w.drain();
    await chdb.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function setUp(limits: { insertRows?: number; insertBatches?: number } = {}) {
    await chdb.migrate();
    const store = new CountingStore(chdb);
    const bus = new MemoryJobBus();
    const subjects = subjectsFor(uniqueName('rw'));
    const published: string[] = [];
    await bus.consumeDurable({ durable: 'alerting', subject: subjects.allResults }, async (msg) => {
      published.push(CheckResult.decode(msg.data).resultId);
    });
    const writer = new ResultWriter({ store, hotState: new MemoryHotState(), bus, subjects, logger: createLogger('silent') }, { maxDelayMs: 1, quietDelayMs: QUIET_MS, ...limits });
    writers.push(writer);
    const rows = async (org: string) => {
      const [{ n }] = await exec.query<{ n: string | number }>(`SELECT count() AS n FROM ${database}.${RESULTS_TABLE} WHERE org_id = {org:String}`, { org });
      return Number(n);
    };
    return { store, writer, published, rows };
  }

  it('writes a first result, a failure and a recovery at once', async () => {
    const { writer, published, rows } = await setUp();
    const org = uniqueName('org');
    const DOWN = CheckStatus.CHECK_STATUS_DOWN;
    // Each of these resolves only if written within maxDelayMs; held for quietDelayMs, the test would time out.
    for (const [i, status] of [CheckStatus.CHECK_STATUS_UP, DOWN, DOWN, CheckStatus.CHECK_STATUS_UP].entries()) {
      const r = result(org, 'mon_a', SLOT0 + i * MIN, status);
      expect(await writer.write([r])).toEqual({ accepted: 1, duplicates: 0 });
      expect(await rows(org)).toBe(i + 1);
      await eventually(() => published.includes(r.stored.resultId), { what: 'handed to alerting' });
    }
  });

  it('holds successes that repeat a success, and writes them with the next batch that is due', async () => {
    const { store, writer, published } = await setUp();
    const org = uniqueName('org');
    expect(await writer.write([result(org, 'mon_q', SLOT0), result(org, 'mon_x', SLOT0)])).toEqual({ accepted: 2, duplicates: 0 });
    const before = store.inserts.length;

    const quiet = result(org, 'mon_q', SLOT0 + MIN);
    const held = writer.write([quiet]);
    // A failure of another monitor is due at once, and takes the held success along.
    const failure = result(org, 'mon_x', SLOT0 + MIN, CheckStatus.CHECK_STATUS_DOWN);
    expect(await writer.write([failure])).toEqual({ accepted: 1, duplicates: 0 });
    expect(await held).toEqual({ accepted: 1, duplicates: 0 });
    expect(store.inserts.slice(before)).toEqual([2]);
    await eventually(() => published.includes(quiet.stored.resultId) && published.includes(failure.stored.resultId), { what: 'both handed to alerting' });
  });

  it('writes insertRows waiting at once, and whatever is held when drained', async () => {
    const { store, writer, rows } = await setUp({ insertRows: 50 });
    const org = uniqueName('org');
    const monitors = [...Array(60).keys()].map((i) => `mon_${i}`);
    expect(await writer.write(monitors.map((m) => result(org, m, SLOT0)))).toEqual({ accepted: 60, duplicates: 0 });
    // 60 repeated successes: nothing to act on, but more than insertRows.
    expect(await writer.write(monitors.map((m) => result(org, m, SLOT0 + MIN)))).toEqual({ accepted: 60, duplicates: 0 });

    const before = store.inserts.length;
    const held = writer.write([result(org, 'mon_0', SLOT0 + 2 * MIN)]);
    await writer.drain();
    expect(await held).toEqual({ accepted: 1, duplicates: 0 });
    expect(store.inserts.slice(before)).toEqual([1]);
    expect(await rows(org)).toBe(121);
  });

  it('writes insertBatches batches waiting at once, so a sender with a window of unacknowledged batches never waits out the quiet delay', async () => {
    const { store, writer, rows } = await setUp({ insertBatches: 4 });
    const org = uniqueName('org');
    const monitors = ['mon_1', 'mon_2', 'mon_3', 'mon_4'];
    expect(await writer.write(monitors.map((m) => result(org, m, SLOT0)))).toEqual({ accepted: 4, duplicates: 0 });

    const before = store.inserts.length;
    // Repeated successes, one batch each: the first three wait for company...
    const held = monitors.slice(0, 3).map((m) => writer.write([result(org, m, SLOT0 + MIN)]));
    // ...and the fourth batch makes four waiting: all go in one insert, long before QUIET_MS.
    const fourth = writer.write([result(org, 'mon_4', SLOT0 + MIN)]);
    expect(await Promise.all([...held, fourth])).toEqual(Array(4).fill({ accepted: 1, duplicates: 0 }));
    expect(store.inserts.slice(before)).toEqual([4]);
    expect(await rows(org)).toBe(8);
  });
});
