/**
 * The outbox's disk layer: sealed batches are appended to segment files in the agent's data
 * directory and fsynced before the outbox hands them to the transport, so a batch ingest may
 * have seen always survives an agent crash and is resent, under its original id, on start.
 *
 * A segment (`seg-<seq>.log`) is append-only. A record is
 *   u32 LE body length · u32 LE CRC-32 of the body · body
 * and a body is one type byte followed by
 *   BATCH: f64 LE firstAddedAtMs · ResultBatch protobuf (batch id and results)
 *   ACK / DROP: the batch id, UTF-8
 * A record whose length runs past the end of the file is a torn tail (a crash mid-write) and
 * ends the segment; a record whose checksum does not match is skipped. Both are counted and
 * logged, never silent. Acks and drops are written without an fsync: losing one only makes a
 * restarted agent resend a batch that ingest de-duplicates by result id.
 *
 * A segment is deleted once every batch written to it is acknowledged or dropped; the active
 * segment rolls over at `segmentMaxBytes`. File I/O is synchronous on purpose: seal, write,
 * fsync and send stay in one order without queues, and there is one fsync per batch (at most
 * every batch delay, or every `batchMaxResults` results), not per result.
 */
import fs from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import type { Logger } from 'pino';
import { ResultBatch } from '../proto/generated/pharos/v1/agent.js';
import type { CheckResult } from '../proto/generated/pharos/v1/result.js';

export interface LoggedBatch {
  readonly batchId: string;
  readonly results: readonly CheckResult[];
  readonly firstAddedAtMs: number;
}

export interface LogRecovery {
  segments: number;
  /** Batches found unacknowledged, handed back in `recovered`. */
  batches: number;
  /** Bytes after a torn record at the end of a segment, dropped. */
  tornBytes: number;
  /** Records whose checksum or content was wrong, skipped. */
  corruptRecords: number;
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

const HEADER = 8;
const TYPE_BATCH = 1;
const TYPE_ACK = 2;
const TYPE_DROP = 3;
/** Larger than any batch the agent writes (10,000 results); a longer length is garbage. */
const MAX_BODY = 256 * 1024 * 1024;
const SEGMENT = /^seg-(\d{16})\.log$/;

interface Segment {
  seq: number;
  file: string;
  bytes: number;
  /** Batches written here and not settled yet. */
  live: Set<string>;
  fd?: number;
}

export function encodeRecord(type: number, payload: Uint8Array): Buffer {
  const body = Buffer.allocUnsafe(1 + payload.length);
  body[0] = type;
  body.set(payload, 1);
  const header = Buffer.allocUnsafe(HEADER);
  header.writeUInt32LE(body.length, 0);
  header.writeUInt32LE(crc32(body), 4);
  return Buffer.concat([header, body]);
}

function batchPayload(batch: LoggedBatch): Uint8Array {
  const proto = ResultBatch.encode({ batchId: batch.batchId, results: batch.results as CheckResult[] }).finish();
  const payload = Buffer.allocUnsafe(8 + proto.length);
  payload.writeDoubleLE(batch.firstAddedAtMs, 0);
  payload.set(proto, 8);
  return payload;
}

type Parsed = { type: typeof TYPE_BATCH; batch: LoggedBatch } | { type: typeof TYPE_ACK | typeof TYPE_DROP; batchId: string };

function parseBody(body: Buffer): Parsed | undefined {
  const type = body[0];
  if (type === TYPE_BATCH && body.length >= 9) {
    const firstAddedAtMs = body.readDoubleLE(1);
    const decoded = ResultBatch.decode(body.subarray(9));
    return { type, batch: { batchId: decoded.batchId, results: decoded.results, firstAddedAtMs } };
  }
  if ((type === TYPE_ACK || type === TYPE_DROP) && body.length > 1) return { type, batchId: body.subarray(1).toString('utf8') };
  return undefined;
}

/** Reads one segment's records; stops at a torn tail. */
export function readSegment(file: string, recovery: LogRecovery): Parsed[] {
  const data = fs.readFileSync(file);
  const out: Parsed[] = [];
  let at = 0;
  while (at < data.length) {
    const length = data.length - at >= HEADER ? data.readUInt32LE(at) : -1;
    if (length < 0 || length === 0 || length > MAX_BODY || at + HEADER + length > data.length) {
      recovery.tornBytes += data.length - at;
      break;
    }
    const body = data.subarray(at + HEADER, at + HEADER + length);
    at += HEADER + length;
    if (crc32(body) !== data.readUInt32LE(at - length - 4)) {
      recovery.corruptRecords++;
      continue;
    }
    try {
      const parsed = parseBody(body);
      if (parsed) out.push(parsed);
      else recovery.corruptRecords++;
    } catch {
      recovery.corruptRecords++;
    }
  }
  return out;
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

/**
 * One agent per data directory: two writers would interleave records. The lock file holds
 * the owner's pid; a lock left by a dead process (kill -9) or by our own pid (a restarted
 * container is often pid 1 again) is taken over.
 */
function lockDir(dir: string): () => void {
  const file = path.join(dir, 'lock');
  try {
    fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const owner = Number(fs.readFileSync(file, 'utf8').trim());
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
      throw new Error(`the agent data directory ${dir} is in use by process ${owner}; give each agent its own PHAROS_AGENT_DATA_DIR`);
    }
    fs.writeFileSync(file, String(process.pid));
  }
  return () => fs.rmSync(file, { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
