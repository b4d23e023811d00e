/**
 * The outbox log's record format (outbox-log.ts): u32 LE body length · u32 LE CRC-32 of the
 * body · body, a body being one type byte and
 *   BATCH: f64 LE firstAddedAtMs · ResultBatch protobuf (batch id and results)
 *   ACK / DROP: the batch id, UTF-8
 * Reading stops at a torn tail (a length past the end of the file: a crash mid-write) and
 * skips a record whose checksum does not match; both are counted.
 */
import fs from 'node:fs';
import { crc32 } from 'node:zlib';
import { ResultBatch } from '../proto/generated/pharos/v1/agent.js';
import type { CheckResult } from '../proto/generated/pharos/v1/result.js';

export interface LoggedBatch {
  readonly batchId: string;
  readonly results: readonly CheckResult[];
  readonly firstAddedAtMs: number;
}

export interface ReadDamage {
  /** Bytes after a torn record at the end of a segment, dropped. */
  tornBytes: number;
  /** Records whose checksum or content was wrong, skipped. */
  corruptRecords: number;
}

const HEADER = 8;
export const TYPE_BATCH = 1;
export const TYPE_ACK = 2;
export const TYPE_DROP = 3;
/** Larger than any batch the agent writes (10,000 results); a longer length is garbage. */
const MAX_BODY = 256 * 1024 * 1024;

export function encodeRecord(type: number, payload: Uint8Array): Buffer {
  const body = Buffer.allocUnsafe(1 + payload.length);
  body[0] = type;
  body.set(payload, 1);
  const header = Buffer.allocUnsafe(HEADER);
  header.writeUInt32LE(body.length, 0);
  header.writeUInt32LE(crc32(body), 4);
  return Buffer.concat([header, body]);
}

export function batchPayload(batch: LoggedBatch): Uint8Array {
  const proto = ResultBatch.encode({ batchId: batch.batchId, results: batch.results as CheckResult[] }).finish();
  const payload = Buffer.allocUnsafe(8 + proto.length);
  payload.writeDoubleLE(batch.firstAddedAtMs, 0);
  payload.set(proto, 8);
  return payload;
}

export type Parsed = { type: typeof TYPE_BATCH; batch: LoggedBatch } | { type: typeof TYPE_ACK | typeof TYPE_DROP; batchId: string };

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
export function readSegment(file: string, damage: ReadDamage): Parsed[] {
  const data = fs.readFileSync(file);
  const out: Parsed[] = [];
  let at = 0;
  while (at < data.length) {
    const length = data.length - at >= HEADER ? data.readUInt32LE(at) : -1;
    if (length < 0 || length === 0 || length > MAX_BODY || at + HEADER + length > data.length) {
      damage.tornBytes += data.length - at;
      break;
    }
    const body = data.subarray(at + HEADER, at + HEADER + length);
    at += HEADER + length;
    if (crc32(body) !== data.readUInt32LE(at - length - 4)) {
      damage.corruptRecords++;
      continue;
    }
    try {
      const parsed = parseBody(body);
      if (parsed) out.push(parsed);
      else damage.corruptRecords++;
    } catch {
      damage.corruptRecords++;
    }
  }
  return out;
}
