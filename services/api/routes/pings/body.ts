import type { Readable } from 'node:stream';

/** Bytes of a ping's body kept as its message; the rest is counted, not stored. */
export const PING_BODY_KEPT_BYTES = 10 * 1024;
/** A body is read to its end (a job's whole log may be posted) but never held beyond the kept bytes. */
export const PING_BODY_LIMIT_BYTES = 100 * 1024 * 1024;

export interface PingBody {
  kept: Buffer;
  bytes: number;
}

/** Reads a ping's body keeping only its first bytes, so a large log costs no memory. */
export function readPingBody(payload: Readable, done: (err: Error | null, body?: PingBody) => void): void {
  const chunks: Buffer[] = [];
  let kept = 0;
  let bytes = 0;
  payload.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (kept < PING_BODY_KEPT_BYTES) {
      const part = chunk.subarray(0, PING_BODY_KEPT_BYTES - kept);
      chunks.push(part);
      kept += part.length;
    }
    if (bytes > PING_BODY_LIMIT_BYTES) payload.destroy(Object.assign(new Error('ping body over 100 MiB'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' }));
  });
  payload.on('end', () => done(null, { kept: Buffer.concat(chunks), bytes }));
  payload.on('error', (err) => done(err));
}
