/**
 * Slot watermarks (services/lib/results/watermarks.ts) on chDB: ids above their series'
 * mark skip the duplicate lookup, and still nothing is stored twice or dropped — after a
 * crash between insert and ack, across a restart over the same data dir, for a reinstalled
 * agent or another agent resending a result, for results arriving out of slot order, and
 * for a data dir written before the marks existed.
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
import { WATERMARKS_TABLE, parseSlotId, watermarksFor } from '../../services/lib/results/watermarks.js';
import { createLogger } from '../../services/lib/logger.js';
import { subjectsFor } from '../../services/lib/subjects.js';
import { ResultWriter, type IncomingResult } from '../../services/ingest/result-writer.js';
import { toStoredResult } from '../../services/ingest/to-stored-result.js';
import { uniqueName } from '../support/services.js';

const MIN = 60_000;
/** Recent slots: rows past their retention (TTL) are dropped on insert. */
const SLOT0 = Math.floor(Date.now() / MIN) * MIN - 120 * MIN;

/** A result as the agent sends it: id = job id = `<monitor>.<region>.<slot>`. */
function result(org: string, monitor: string, slot: number, agentId = 'agent-1'): IncomingResult {
  const resultId = `${monitor}.EuWest.${slot}`;
  const message = CheckResult.fromPartial({
    resultId, jobId: resultId, orgId: org, monitorId: monitor, region: 'EuWest', agentId,
    type: CheckType.CHECK_TYPE_WEBSITE, scheduledAtMs: slot, startedAtMs: slot + 5,
    status: CheckStatus.CHECK_STATUS_UP, timings: { totalMs: 42 }, statusCode: 200,
  });
  return { stored: toStoredResult(message, 'EuWest', 90), message };
}

/** One ingest process's parts over a data dir: a fresh session, fresh hot state (as after a restart). */
async function open(dir: string, database: string, bus = new MemoryJobBus()) {
  const exec = ChdbExecutor.open(dir);
  const store = new ClickHouseResultStore(exec, database);
  await store.migrate();
  const hotState = new MemoryHotState();
  const writer = new ResultWriter({ store, hotState, bus, subjects: subjectsFor('wm'), logger: createLogger('silent') }, { maxDelayMs: 5 });
  const marks = watermarksFor(exec, database);
  const count = async (org: string) => {
    const [{ n, ids }] = await exec.query<{ n: number | string; ids: number | string }>(
      `SELECT count() AS n, uniqExact(result_id) AS ids FROM ${database}.${RESULTS_TABLE} WHERE org_id = {org:String}`, { org });
    return { rows: Number(n), ids: Number(ids) };
  };
  return {
    exec, store, writer, marks, count,
    async close() {
      await writer.drain();
      await hotState.close();
      await store.close();
    },
  };
}

/** Fails the next durable publish: the rows are stored but the batch is not acknowledged. */
class FailingOnceBus extends MemoryJobBus {
  fail = false;
  override async publishDurableBatch(items: Parameters<MemoryJobBus['publishDurableBatch']>[0]) {
    if (this.fail) {
      this.fail = false;
      throw new Error('simulated crash after the insert, before the ack');
    }
    return super.publishDurableBatch(items);
  }
}

describe('slot watermarks on chDB', () => {
  const dirs: string[] = [];
  const newDir = () => {
    const d = mkdtempSync(path.join(tmpdir(), 'pharos-wm-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('parses `<series>.<slot>` ids and nothing else', () => {
    expect(parseSlotId('mon_1.EuWest.1767607200000')).toEqual({ series: 'mon_1.EuWest', slot: 1_767_607_200_000 });
    expect(parseSlotId('a.b.c.12')).toEqual({ series: 'a.b.c', slot: 12 });
    expect(parseSlotId('a\nb.7')).toEqual({ series: 'a\nb', slot: 7 });
    for (const id of ['res_1', '1767607200000', '.12', 'mon.EuWest.', 'mon.EuWest.12x', 'mon.EuWest.1234567890123456']) expect(parseSlotId(id)).toBeUndefined();
  });

  it('skips the lookup for new slots, looks up resends and older slots, and stores each result once', async () => {
    const p = await open(newDir(), uniqueName('wm'));
    try {
      const org = uniqueName('org');
      const first = [0, 1, 2].map((i) => result(org, 'mon_a', SLOT0 + i * MIN));
      const before = { ...p.marks.stats };
      expect(await p.writer.write(first)).toEqual({ accepted: 3, duplicates: 0 });
      // A series the process has not seen is loaded (absent: never stored), then its ids are new.
      expect(p.marks.stats.provablyNew - before.provablyNew).toBe(3);
      expect(p.marks.stats.lookedUp - before.lookedUp).toBe(0);

      // The next slots: new without a lookup.
      const next = { ...p.marks.stats };
      expect(await p.writer.write([result(org, 'mon_a', SLOT0 + 3 * MIN)])).toEqual({ accepted: 1, duplicates: 0 });
      expect(p.marks.stats.lookedUp - next.lookedUp).toBe(0);

      // A slot below the mark that was never stored (an agent replaying its outbox after an
      // outage while live results flowed): looked up, and stored.
      const late = { ...p.marks.stats };
      expect(await p.writer.write([result(org, 'mon_a', SLOT0 - MIN)])).toEqual({ accepted: 1, duplicates: 0 });
      expect(p.marks.stats.lookedUp - late.lookedUp).toBe(1);

      // The same slot from another agent (a job redelivered after the first agent crashed):
      // below the mark, so the store is asked, and it answers stored; dropped (hot state saw it first here).
      expect(await p.store.existingIds(org, [`mon_a.EuWest.${SLOT0 + MIN}`])).toEqual(new Set([`mon_a.EuWest.${SLOT0 + MIN}`]));
      expect(await p.writer.write([result(org, 'mon_a', SLOT0 + MIN, 'agent-2')])).toEqual({ accepted: 0, duplicates: 1 });
      expect(await p.count(org)).toEqual({ rows: 5, ids: 5 });
    } finally {
      await p.close();
    }
  });

  it('drops the resend of a flush that was stored but not acknowledged', async () => {
    const bus = new FailingOnceBus();
    const p = await open(newDir(), uniqueName('wm'), bus);
    try {
      const org = uniqueName('org');
      const batch = [0, 1, 2, 3].map((i) => result(org, `mon_${i % 2}`, SLOT0 + i * MIN));
      bus.fail = true;
      await expect(p.writer.write(batch)).rejects.toThrow('simulated crash');
      expect((await p.count(org)).rows).toBe(4);
      // The agent resends the whole batch: every id is at or below its series' mark now.
      const before = { ...p.marks.stats };
      expect(await p.writer.write(batch)).toEqual({ accepted: 0, duplicates: 4 });
      expect(p.marks.stats.provablyNew - before.provablyNew).toBe(0);
      expect(await p.count(org)).toEqual({ rows: 4, ids: 4 });
    } finally {
      await p.close();
    }
  });

  it('keeps de-duplicating after a restart over the same data dir, also for a reinstalled agent', async () => {
    const dir = newDir();
    const database = uniqueName('wm');
    const org = uniqueName('org');
    const stored = [0, 1, 2].map((i) => result(org, 'mon_r', SLOT0 + i * MIN));
    const bus = new FailingOnceBus();
    const a = await open(dir, database, bus);
    bus.fail = true;
    // Stored, then the process dies before acknowledging: hot state goes with it.
    await expect(a.writer.write(stored)).rejects.toThrow('simulated crash');
    await a.close();

    const b = await open(dir, database);
    try {
      // The agent — reinstalled, with a new agent id and new batch ids — resends what its
      // outbox kept, plus results it took since. The marks come back from the table.
      const before = { ...b.marks.stats };
      const resent = stored.map((r) => result(org, 'mon_r', r.stored.scheduledAtMs, 'agent-reinstalled'));
      const later = result(org, 'mon_r', SLOT0 + 3 * MIN, 'agent-reinstalled');
      expect(await b.writer.write([...resent, later])).toEqual({ accepted: 1, duplicates: 3 });
      // Within the reserve the persisted mark is ahead of every id: all looked up after a restart.
      expect(b.marks.stats.lookedUp - before.lookedUp).toBe(4);
      // Past the reserve, new slots skip the lookup again.
      const far = { ...b.marks.stats };
      expect(await b.writer.write([result(org, 'mon_r', SLOT0 + 60 * MIN)])).toEqual({ accepted: 1, duplicates: 0 });
      expect(b.marks.stats.provablyNew - far.provablyNew).toBe(1);
      expect(await b.count(org)).toEqual({ rows: 5, ids: 5 });
    } finally {
      await b.close();
    }
  });

  it('a crash after the mark is written but before the rows leaves nothing dropped', async () => {
    const dir = newDir();
    const database = uniqueName('wm');
    const org = uniqueName('org');
    const batch = [0, 1].map((i) => result(org, 'mon_c', SLOT0 + i * MIN));
    const a = await open(dir, database);
    await a.marks.cover(batch.map((r) => r.stored)); // the mark went in, the rows never did
    await a.close();

    const b = await open(dir, database);
    try {
      expect(await b.writer.write(batch)).toEqual({ accepted: 2, duplicates: 0 });
      expect(await b.count(org)).toEqual({ rows: 2, ids: 2 });
    } finally {
      await b.close();
    }
  });

  it('covers rows written before the marks existed (an upgraded data dir)', async () => {
    const dir = newDir();
    const database = uniqueName('wm');
    const org = uniqueName('org');
    // One id with a newline in its series: the backfill's SQL rule must read it as the JS one does.
    const old = [...[0, 1, 2].map((i) => result(org, 'mon_u', SLOT0 + i * MIN)), result(org, 'mon_u\nodd', SLOT0)];
    const a = await open(dir, database);
    expect(await a.writer.write(old)).toEqual({ accepted: 4, duplicates: 0 });
    // As a data dir from before this release: no marks table.
    await a.exec.command(`DROP TABLE ${database}.${WATERMARKS_TABLE}`);
    await a.close();

    const b = await open(dir, database); // migrate() creates the table and backfills it
    try {
      const [{ slot }] = await b.exec.query<{ slot: number | string }>(
        `SELECT max(slot) AS slot FROM ${database}.${WATERMARKS_TABLE} WHERE org_id = {org:String} AND series = 'mon_u.EuWest'`, { org });
      expect(Number(slot)).toBe(SLOT0 + 2 * MIN);
      const before = { ...b.marks.stats };
      expect(await b.writer.write([...old, result(org, 'mon_u', SLOT0 + 3 * MIN)])).toEqual({ accepted: 1, duplicates: 4 });
      expect(b.marks.stats.lookedUp - before.lookedUp).toBe(4);
      expect(b.marks.stats.provablyNew - before.provablyNew).toBe(1);
      expect(await b.count(org)).toEqual({ rows: 5, ids: 5 });
    } finally {
      await b.close();
    }
  });

  it('looks up every id that is not slot-shaped', async () => {
    const p = await open(newDir(), uniqueName('wm'));
    try {
      const org = uniqueName('org');
      const odd = CheckResult.fromPartial({ resultId: uniqueName('res'), orgId: org, monitorId: 'mon_x', region: 'EuWest', startedAtMs: Date.now(), status: CheckStatus.CHECK_STATUS_UP });
      const item = { stored: toStoredResult(odd, 'EuWest', 90), message: odd };
      const before = { ...p.marks.stats };
      expect(await p.writer.write([item])).toEqual({ accepted: 1, duplicates: 0 });
      expect(await p.store.existingIds(org, [odd.resultId])).toEqual(new Set([odd.resultId]));
      expect(p.marks.stats.lookedUp - before.lookedUp).toBe(2);
      expect(p.marks.stats.provablyNew - before.provablyNew).toBe(0);
    } finally {
      await p.close();
    }
  });
});
