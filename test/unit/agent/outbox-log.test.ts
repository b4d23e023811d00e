/**
 * The outbox log on a real temp directory: what a restart recovers after a torn tail or a
 * corrupt record, that settled batches are not resent, that segments go once settled, and
 * that the outbox on top of it keeps order, ids and caps across a restart.
 */
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CheckType } from '../../../proto/generated/pharos/v1/check.js';
import { CheckResult, CheckStatus } from '../../../proto/generated/pharos/v1/result.js';
import { openOutboxLog, type LoggedBatch, type OutboxLog } from '../../../probe-agent/outbox-log.js';
import { createOutbox, segmentBytes, type ResultOutbox } from '../../../probe-agent/outbox.js';
import { captureLogs } from './support/logs.js';

const dirs: string[] = [];
const open: Array<{ close(): void }> = [];
afterEach(() => {
  open.splice(0).forEach((o) => o.close());
  dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(tmpdir(), 'pharos-outbox-log-'));
  dirs.push(dir);
  return dir;
}

let n = 0;
function batch(results = 2, firstAddedAtMs = 1_700_000_000_000): LoggedBatch {
  n++;
  return {
    batchId: `batch_${n}`,
    firstAddedAtMs,
    results: Array.from({ length: results }, (_, i) =>
      CheckResult.fromPartial({
        resultId: `mon_${n}.local.${1_700_000_000_000 + i}`,
        monitorId: `mon_${n}`,
        type: CheckType.CHECK_TYPE_PORT,
        status: CheckStatus.CHECK_STATUS_UP,
      }),
    ),
  };
}

function openLog(dir: string, segmentMaxBytes = 1024 * 1024, sync?: (fd: number) => void) {
  const logs = captureLogs();
  const log = openOutboxLog({ dir, logger: logs.logger, segmentMaxBytes, sync });
  open.push(log);
  return { log, logs };
}

/**
 * Simulates a crash: the files stay as they are, nothing is closed, and the lock keeps this
 * process's pid (which the next open takes over, as a restarted container with pid 1 does).
 */
function crash(log: OutboxLog): void {
  open.splice(open.indexOf(log), 1);
}
const started = openLog;

const segments = (dir: string) => fs.readdirSync(dir).filter((f) => f.startsWith('seg-')).sort();
const ids = (batches: readonly LoggedBatch[]) => batches.map((b) => b.batchId);

describe('outbox log', () => {
  it('recovers unsettled batches in write order with their ids, results and ages', () => {
    const dir = tempDir();
    const { log } = started(dir);
    const written = [batch(3, 1), batch(1, 2), batch(2, 3), batch(4, 4)];
    written.forEach((b) => log.append(b));
    log.settle(written[1].batchId, 'ack');
    log.settle(written[3].batchId, 'drop');
    crash(log);

    const { log: again } = started(dir);
    expect(ids(again.recovered)).toEqual([written[0].batchId, written[2].batchId]);
    expect(again.recovered[0]).toEqual(written[0]);
    expect(again.recovered[1]).toEqual(written[2]);
    expect(again.recovery).toEqual({ segments: 1, batches: 2, tornBytes: 0, corruptRecords: 0 });
  });

  it('drops a torn tail and keeps every record before it', () => {
    const dir = tempDir();
    const { log } = started(dir);
    const written = [batch(), batch(), batch()];
    written.forEach((b) => log.append(b));
    crash(log);
    const [file] = segments(dir);
    const full = fs.statSync(path.join(dir, file)).size;
    fs.truncateSync(path.join(dir, file), full - 5); // the last record was half written

    const { log: again, logs } = started(dir);
    expect(ids(again.recovered)).toEqual([written[0].batchId, written[1].batchId]);
    expect(again.recovery.tornBytes).toBeGreaterThan(0);
    expect(again.recovery.corruptRecords).toBe(0);
    expect(logs.lines.some((r) => r.level === 50 && String(r.msg).includes('torn tail'))).toBe(true);
  });

  it('skips a record whose checksum does not match and reads on', () => {
    const dir = tempDir();
    const { log } = started(dir);
    const written = [batch(), batch(), batch()];
    written.forEach((b) => log.append(b));
    crash(log);
    const file = path.join(dir, segments(dir)[0]);
    const data = fs.readFileSync(file);
    const firstLength = data.readUInt32LE(0);
    const secondBody = 8 + firstLength + 8;
    data[secondBody + 20] ^= 0xff; // flip a byte inside the second record's body
    fs.writeFileSync(file, data);

    const { log: again } = started(dir);
    expect(ids(again.recovered)).toEqual([written[0].batchId, written[2].batchId]);
    expect(again.recovery).toMatchObject({ corruptRecords: 1, tornBytes: 0 });
  });

  it('fsyncs every appended batch before append returns', () => {
    const dir = tempDir();
    const synced: number[] = [];
    const { log } = started(dir, 1024 * 1024, (fd) => synced.push(fd));
    const before = synced.length; // the directory, for the new segment's name
    log.append(batch());
    log.append(batch());
    expect(synced.length - before).toBe(2);
    log.settle('batch_unknown', 'ack');
    expect(synced.length - before).toBe(2); // settling is not synced
  });

  it('deletes a segment once every batch in it is settled, and only then', () => {
    const dir = tempDir();
    const { log } = started(dir, 1); // every append rolls over to a new segment
    const written = [batch(), batch(), batch()];
    written.forEach((b) => log.append(b));
    expect(segments(dir)).toHaveLength(3);
    const bytesBefore = log.diskBytes();
    log.settle(written[1].batchId, 'ack');
    expect(segments(dir)).toHaveLength(2);
    expect(log.diskBytes()).toBeLessThan(bytesBefore);
    log.settle(written[0].batchId, 'ack');
    expect(segments(dir)).toHaveLength(1);
    log.settle(written[2].batchId, 'ack'); // the active segment rolls once it is all settled
    expect(segments(dir)).toHaveLength(1);
    crash(log);
    expect(started(dir).log.recovered).toEqual([]);
  });

  it('compacts at start: owed batches move to one fresh segment, old files go', () => {
    const dir = tempDir();
    const { log } = started(dir, 1);
    const written = [batch(), batch(), batch(), batch()];
    written.forEach((b) => log.append(b));
    log.settle(written[0].batchId, 'ack');
    crash(log);
    const before = segments(dir);

    const { log: again } = started(dir);
    const after = segments(dir);
    expect(after).toHaveLength(1);
    expect(before).not.toContain(after[0]);
    expect(ids(again.recovered)).toEqual(ids(written.slice(1)));
    crash(again);
    expect(ids(started(dir).log.recovered)).toEqual(ids(written.slice(1)));
  });

  it('refuses a data directory held by a live process', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'lock'), String(process.ppid));
    expect(() => openOutboxLog({ dir, logger: captureLogs().logger, segmentMaxBytes: 1024 })).toThrow(/in use by process/);
  });
});

describe('outbox over the log', () => {
  const outboxes: ResultOutbox[] = [];
  afterEach(() => outboxes.splice(0).forEach((o) => o.close()));

  function outboxOn(dir: string, now: () => number, maxBytes = 1024 * 1024, maxAgeMs = 60_000) {
    const logs = captureLogs();
    const log = openOutboxLog({ dir, logger: logs.logger, segmentMaxBytes: segmentBytes(maxBytes) });
    let seq = 0;
    const outbox = createOutbox({
      log, maxBytes, maxAgeMs, batchMaxResults: 2, batchMaxDelayMs: 60_000, logger: logs.logger, now,
      newBatchId: () => `b${dirs.indexOf(dir)}_${now()}_${++seq}`,
    });
    outboxes.push(outbox);
    return { outbox, logs, log };
  }
  const result = (id: string) => CheckResult.fromPartial({ resultId: id, type: CheckType.CHECK_TYPE_PORT, status: CheckStatus.CHECK_STATUS_UP });

  it('a restart resends the unacknowledged batches first, oldest first, under their ids', () => {
    const dir = tempDir();
    const first = outboxOn(dir, () => 1000);
    ['r1', 'r2', 'r3', 'r4', 'r5', 'r6'].forEach((id) => first.outbox.add(result(id)));
    const [a, b, c] = [...first.outbox.pending()];
    first.outbox.ack(b.batchId);
    first.outbox.close(); // a graceful stop keeps what ingest has not acknowledged

    const second = outboxOn(dir, () => 2000);
    expect([...second.outbox.pending()].map((p) => p.batchId)).toEqual([a.batchId, c.batchId]);
    second.outbox.add(result('r7'));
    second.outbox.seal();
    const pending = [...second.outbox.pending()];
    expect(pending.flatMap((p) => p.results.map((r) => r.resultId))).toEqual(['r1', 'r2', 'r5', 'r6', 'r7']);
    expect(second.outbox.depth()).toMatchObject({ results: 5, batches: 3 });
  });

  it('drops recovered batches past the age cap, logged and counted, and does not resend them again', () => {
    const dir = tempDir();
    const first = outboxOn(dir, () => 1000);
    ['r1', 'r2', 'r3', 'r4'].forEach((id) => first.outbox.add(result(id)));
    first.outbox.close();

    const second = outboxOn(dir, () => 1000 + 60_001);
    expect([...second.outbox.pending()]).toEqual([]);
    expect(second.outbox.dropped()).toEqual({ batches: 2, results: 4 });
    expect(second.logs.lines.filter((r) => r.level === 50 && String(r.msg).includes('dropped'))).toHaveLength(2);
    second.outbox.close();
    expect([...outboxOn(dir, () => 1000).outbox.pending()]).toEqual([]);
  });

  it('keeps the files on disk within the byte cap by dropping the oldest batches', () => {
    const dir = tempDir();
    const size = CheckResult.encode(result('r_000')).finish().length;
    const maxBytes = size * 40;
    const { outbox, log } = outboxOn(dir, () => 1000, maxBytes);
    for (let i = 0; i < 200; i++) outbox.add(result(`r_${String(i).padStart(3, '0')}`));
    expect(outbox.depth().bytes).toBeLessThanOrEqual(maxBytes);
    expect(outbox.dropped().results + outbox.depth().results).toBe(200);
    expect(outbox.dropped().results).toBeGreaterThan(0);
    const onDisk = segments(dir).reduce((sum, f) => sum + fs.statSync(path.join(dir, f)).size, 0);
    expect(onDisk).toBe(log.diskBytes());
    expect(onDisk).toBeLessThanOrEqual(maxBytes + 2 * segmentBytes(maxBytes));
  });

  it('drops the oldest batches when settled records pile up beside live ones on disk', () => {
    const dir = tempDir();
    const size = CheckResult.encode(result('r_000')).finish().length;
    const maxBytes = size * 200;
    const { outbox, log, logs } = outboxOn(dir, () => 1000, maxBytes);
    // Ingest acknowledges every other batch: each segment keeps a live batch, so none goes.
    let i = 0;
    outbox.onSealed((b) => { if (++i % 2 === 0) outbox.ack(b.batchId); });
    for (let r = 0; r < 2_000; r++) outbox.add(result(`r_${String(r).padStart(4, '0')}`));
    expect(outbox.depth().bytes).toBeLessThanOrEqual(maxBytes);
    expect(log.diskBytes()).toBeLessThanOrEqual(maxBytes + 2 * segmentBytes(maxBytes));
    expect(outbox.dropped().batches).toBeGreaterThan(0);
    expect(logs.lines.some((l) => l.level === 50 && String(l.reason).includes('on disk'))).toBe(true);
  });

  it('keeps a batch in memory, logged and counted, when the disk refuses it', () => {
    const dir = tempDir();
    const logs = captureLogs();
    let failing = false;
    const log = openOutboxLog({ dir, logger: logs.logger, segmentMaxBytes: 1024 * 1024, sync: () => { if (failing) throw new Error('ENOSPC: no space left on device'); } });
    const outbox = createOutbox({ log, maxBytes: 1 << 20, maxAgeMs: 60_000, batchMaxResults: 1, batchMaxDelayMs: 60_000, logger: logs.logger, now: () => 1 });
    outboxes.push(outbox);
    failing = true;
    outbox.add(result('r1'));
    failing = false;
    outbox.add(result('r2'));
    expect([...outbox.pending()].map((p) => p.results[0].resultId)).toEqual(['r1', 'r2']);
    expect(outbox.unlogged()).toBe(1);
    expect(logs.lines.some((r) => r.level === 50 && String(r.msg).includes('outbox log write failed'))).toBe(true);
  });
});
