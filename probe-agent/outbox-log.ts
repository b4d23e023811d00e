/**
 * The outbox's disk layer: sealed batches are appended to segment files in the agent's data
 * directory and fsynced before the outbox hands them to the transport, so a batch ingest may
 * have seen always survives an agent crash and is resent, under its original id, on start.
 *
 * A segment (`seg-<seq>.log`) is append-only: checksummed, length-prefixed protobuf records
 * (outbox-record.ts). A torn tail or a bad checksum found at start is counted and logged,
 * never silent. Acks and drops are written without an fsync: losing one only makes a
 * restarted agent resend a batch that ingest de-duplicates by result id.
 *
 * A segment is deleted once every batch written to it is acknowledged or dropped; the active
 * segment rolls over at `segmentMaxBytes`. File I/O is synchronous on purpose: seal, write,
 * fsync and send stay in one order without queues, and there is one fsync per batch (at most
 * every batch delay, or every `batchMaxResults` results), not per result.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { lockDir } from './dir-lock.js';
import { batchPayload, encodeRecord, readSegment, TYPE_ACK, TYPE_BATCH, TYPE_DROP, type LoggedBatch, type ReadDamage } from './outbox-record.js';

export type { LoggedBatch } from './outbox-record.js';

export interface LogRecovery extends ReadDamage {
  segments: number;
  /** Batches found unacknowledged, handed back in `recovered`. */
  batches: number;
}

export interface OutboxLog {
  /** Unsettled batches found at open, in the order they were written. */
  readonly recovered: readonly LoggedBatch[];
  readonly recovery: LogRecovery;
  readonly segmentMaxBytes: number;
  /** Writes and fsyncs the batch; throws when the disk refuses it. */
  append(batch: LoggedBatch): void;
  /** The batch left the outbox (acknowledged or dropped); unknown ids are ignored. */
  settle(batchId: string, how: 'ack' | 'drop'): void;
  /** Bytes in the segment files now. */
  diskBytes(): number;
  close(): void;
}

export interface OutboxLogOptions {
  dir: string;
  logger: Logger;
  /** The active segment rolls over past this size. */
  segmentMaxBytes: number;
  /** Tests count or fail syncs; defaults to fdatasync. */
  sync?: (fd: number) => void;
}

const SEGMENT = /^seg-(\d{16})\.log$/;

interface Segment {
  seq: number;
  file: string;
  bytes: number;
  /** Batches written here and not settled yet. */
  live: Set<string>;
  fd?: number;
}

export function openOutboxLog(options: OutboxLogOptions): OutboxLog {
  const { dir, logger } = options;
  const sync = options.sync ?? ((fd: number) => fs.fdatasyncSync(fd));
  fs.mkdirSync(dir, { recursive: true });
  const unlock = lockDir(dir);
  const recovery: LogRecovery = { segments: 0, batches: 0, tornBytes: 0, corruptRecords: 0 };
  const segments = new Map<number, Segment>();
  const whereIs = new Map<string, Segment>();
  let total = 0;

  // Recovery: every segment in order, then what is written and not settled is still owed.
  const found = fs.readdirSync(dir).map((name) => SEGMENT.exec(name)).filter((m) => m !== null);
  found.sort((a, b) => Number(a[1]) - Number(b[1]));
  const batches = new Map<string, LoggedBatch>();
  for (const match of found) {
    const seg: Segment = { seq: Number(match[1]), file: path.join(dir, match[0]), bytes: 0, live: new Set() };
    seg.bytes = fs.statSync(seg.file).size;
    total += seg.bytes;
    segments.set(seg.seq, seg);
    recovery.segments++;
    for (const record of readSegment(seg.file, recovery)) {
      if (record.type === TYPE_BATCH) {
        batches.set(record.batch.batchId, record.batch);
        seg.live.add(record.batch.batchId);
        whereIs.set(record.batch.batchId, seg);
      } else {
        batches.delete(record.batchId);
        whereIs.get(record.batchId)?.live.delete(record.batchId);
        whereIs.delete(record.batchId);
      }
    }
  }
  const recovered = [...batches.values()];
  recovery.batches = recovered.length;
  if (recovery.tornBytes > 0 || recovery.corruptRecords > 0) {
    logger.error({ dir, ...recovery }, 'outbox log: dropped a torn tail or records with a bad checksum (results written just before a crash)');
  }
  if (recovered.length > 0) logger.info({ dir, ...recovery }, 'outbox log: resending results not acknowledged before the last stop');

  // Compaction at start: the owed batches are copied into a fresh segment and the old files
  // deleted, so writing never follows a torn tail and no ack record is needed from an old
  // file. A crash before the deletes leaves copies with the same batch ids: read once.
  let nextSeq = found.length ? Number(found[found.length - 1][1]) + 1 : 1;
  const old = [...segments.values()];
  let active = openSegment();
  for (const batch of recovered) {
    write(encodeRecord(TYPE_BATCH, batchPayload(batch)));
    active.live.add(batch.batchId);
    whereIs.set(batch.batchId, active);
  }
  if (recovered.length > 0) sync(active.fd!);
  for (const seg of old) {
    seg.live.clear();
    deleteIfSettled(seg);
  }

  function openSegment(): Segment {
    const seq = nextSeq++;
    const seg: Segment = { seq, file: path.join(dir, `seg-${String(seq).padStart(16, '0')}.log`), bytes: 0, live: new Set() };
    seg.fd = fs.openSync(seg.file, 'a');
    segments.set(seq, seg);
    // The new name must survive a power cut too, or the fsynced data in it is unreachable.
    try {
      syncDir();
    } catch (err) {
      logger.warn({ dir, err: err instanceof Error ? err.message : String(err) }, 'outbox log: could not fsync the directory');
    }
    return seg;
  }

  function syncDir(): void {
    const fd = fs.openSync(dir, 'r');
    try {
      sync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  function write(record: Buffer): void {
    const fd = active.fd!;
    let written = 0;
    try {
      while (written < record.length) written += fs.writeSync(fd, record, written);
    } finally {
      active.bytes += written;
      total += written;
    }
  }

  function roll(): void {
    const old = active;
    active = openSegment(); // first, so a failure leaves the old segment usable
    fs.closeSync(old.fd!);
    old.fd = undefined;
    deleteIfSettled(old);
  }

  function deleteIfSettled(seg: Segment): void {
    if (seg.live.size > 0 || seg === active) return;
    try {
      fs.unlinkSync(seg.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    segments.delete(seg.seq);
    total -= seg.bytes;
  }

  return {
    recovered,
    recovery,
    segmentMaxBytes: options.segmentMaxBytes,
    append(batch) {
      if (active.bytes >= options.segmentMaxBytes) roll();
      try {
        write(encodeRecord(TYPE_BATCH, batchPayload(batch)));
        sync(active.fd!);
      } catch (err) {
        // A half-written record would hide the ones after it: continue in a fresh segment.
        try {
          roll();
        } catch {
          // The next append tries again; this one's error is what the caller needs.
        }
        throw err;
      }
      active.live.add(batch.batchId);
      whereIs.set(batch.batchId, active);
    },
    settle(batchId, how) {
      const seg = whereIs.get(batchId);
      if (!seg) return;
      whereIs.delete(batchId);
      seg.live.delete(batchId);
      try {
        write(encodeRecord(how === 'ack' ? TYPE_ACK : TYPE_DROP, Buffer.from(batchId, 'utf8')));
        if (seg !== active) deleteIfSettled(seg);
        else if (seg.live.size === 0 && seg.bytes >= options.segmentMaxBytes) roll();
      } catch (err) {
        // Not fatal: without the record a restart resends a batch ingest already has.
        logger.warn({ dir, batchId, err: err instanceof Error ? err.message : String(err) }, 'outbox log: could not record a settled batch');
      }
    },
    diskBytes: () => total,
    close() {
      if (active.fd !== undefined) fs.closeSync(active.fd);
      active.fd = undefined;
      unlock();
    },
  };
}
