/**
 * Results waiting for ingest's acknowledgement. Results are grouped into batches (by count
 * or by delay); a batch keeps its id across resends so ingest recognises a resent batch,
 * and leaves only when acknowledged. The outbox is bounded in bytes and in age: past a cap
 * the oldest batches are dropped, each drop logged as an error and counted, never silently.
 *
 * With a log (outbox-log.ts) a batch is written to disk and fsynced when it is sealed, before
 * anyone sees it, and batches the log recovered from a previous run are pending from the
 * start under their original ids. Acks and drops are recorded there too.
 */
import type { Logger } from 'pino';
import { ulid } from 'ulid';
import { CheckResult } from '../proto/generated/pharos/v1/result.js';
import type { OutboxLog } from './outbox-log.js';

export interface PendingBatch {
  readonly batchId: string;
  readonly results: readonly CheckResult[];
  /** Encoded size of the results. */
  readonly bytes: number;
  /** When the oldest result of the batch entered the outbox, unix ms. */
  readonly firstAddedAtMs: number;
}

export interface OutboxDepth {
  results: number;
  bytes: number;
  batches: number;
}

export interface OutboxDrops {
  batches: number;
  results: number;
}

export interface ResultOutbox {
  add(result: CheckResult): void;
  /** Closes the open batch now (e.g. before a shutdown flush). */
  seal(): void;
  /** Sealed batches not yet acknowledged, oldest first. */
  pending(): IterableIterator<PendingBatch>;
  /** Removes an acknowledged batch; false when it is unknown (already acked or dropped). */
  ack(batchId: string): boolean;
  depth(): OutboxDepth;
  dropped(): OutboxDrops;
  /** Called with each newly sealed batch; returns an unsubscribe function. */
  onSealed(listener: (batch: PendingBatch) => void): () => void;
  /** Drops batches past the age cap now (also done on every add and on a timer). */
  expire(): void;
  /** Batches the log could not write (disk full, I/O error): sent, but lost if the agent crashes. */
  unlogged(): number;
  close(): void;
}

export interface OutboxOptions {
  maxBytes: number;
  maxAgeMs: number;
  batchMaxResults: number;
  batchMaxDelayMs: number;
  logger: Logger;
  now: () => number;
  newBatchId?: () => string;
  /** The disk layer; without it the outbox lives in memory only. */
  log?: OutboxLog;
}

interface OpenBatch {
  results: CheckResult[];
  bytes: number;
  firstAddedAtMs: number;
}

export function createOutbox(options: OutboxOptions): ResultOutbox {
  const { maxBytes, maxAgeMs, batchMaxResults, batchMaxDelayMs, logger, now, log } = options;
  const newBatchId = options.newBatchId ?? (() => ulid());
  // A Map keeps insertion order (oldest first) and deletes any batch in O(1) on ack.
  const sealed = new Map<string, PendingBatch>();
  const listeners = new Set<(batch: PendingBatch) => void>();
  const drops: OutboxDrops = { batches: 0, results: 0 };
  let open: OpenBatch | undefined;
  let sealTimer: NodeJS.Timeout | undefined;
  let totalResults = 0;
  let totalBytes = 0;
  let unlogged = 0;
  /**
   * The log's files also hold settled records until a whole segment is settled; past this,
   * the oldest batches are dropped. The slack covers the active segment: it rolls over at
   * `segmentMaxBytes` but may end with one batch and some ack records past it.
   */
  const maxDiskBytes = maxBytes + 2 * (log?.segmentMaxBytes ?? 0);
  for (const batch of log?.recovered ?? []) {
    const bytes = batch.results.reduce((sum, r) => sum + CheckResult.encode(r).finish().length, 0);
    sealed.set(batch.batchId, { ...batch, bytes });
    totalResults += batch.results.length;
    totalBytes += bytes;
  }
  const expiryTimer = setInterval(expire, Math.max(1_000, Math.min(60_000, Math.floor(maxAgeMs / 10)))).unref();

  function add(result: CheckResult): void {
    const bytes = CheckResult.encode(result).finish().length;
    open ??= { results: [], bytes: 0, firstAddedAtMs: now() };
    open.results.push(result);
    open.bytes += bytes;
    totalResults++;
    totalBytes += bytes;
    if (open.results.length >= batchMaxResults) seal();
    else sealTimer ??= setTimeout(seal, batchMaxDelayMs);
    enforceCaps();
  }

  function seal(): void {
    if (sealTimer) clearTimeout(sealTimer);
    sealTimer = undefined;
    if (!open || open.results.length === 0) return;
    const batch: PendingBatch = { batchId: newBatchId(), ...open };
    open = undefined;
    if (log) {
      try {
        log.append(batch);
      } catch (err) {
        unlogged++;
        logger.error(
          { batchId: batch.batchId, results: batch.results.length, err: err instanceof Error ? err.message : String(err), unloggedBatchesTotal: unlogged },
          'outbox log write failed: batch kept in memory only, lost if the agent crashes',
        );
      }
    }
    sealed.set(batch.batchId, batch);
    for (const listener of listeners) listener(batch);
  }

  function enforceCaps(): void {
    expire();
    while (totalBytes > maxBytes) {
      if (sealed.size === 0) seal();
      const oldest = sealed.values().next().value;
      if (!oldest) break;
      drop(oldest, `outbox over ${maxBytes} bytes`);
    }
    while (log && log.diskBytes() > maxDiskBytes) {
      const oldest = sealed.values().next().value;
      if (!oldest) break;
      drop(oldest, `outbox log over ${maxDiskBytes} bytes on disk`);
    }
  }

  function expire(): void {
    const cutoff = now() - maxAgeMs;
    for (const batch of sealed.values()) {
      if (batch.firstAddedAtMs >= cutoff) break;
      drop(batch, `older than ${maxAgeMs} ms`);
    }
    if (open && open.firstAddedAtMs < cutoff) {
      seal();
      expire();
    }
  }

  function drop(batch: PendingBatch, reason: string): void {
    remove(batch);
    log?.settle(batch.batchId, 'drop');
    drops.batches++;
    drops.results += batch.results.length;
    logger.error(
      { batchId: batch.batchId, results: batch.results.length, bytes: batch.bytes, reason, droppedResultsTotal: drops.results },
      'outbox full: dropped unacknowledged results',
    );
  }

  function remove(batch: PendingBatch): void {
    sealed.delete(batch.batchId);
    totalResults -= batch.results.length;
    totalBytes -= batch.bytes;
  }

  // Recovered batches count against the caps like any other (an old run may have had larger ones).
  if (sealed.size > 0) enforceCaps();

  return {
    add,
    seal,
    pending: () => sealed.values(),
    ack(batchId) {
      const batch = sealed.get(batchId);
      if (!batch) return false;
      remove(batch);
      log?.settle(batchId, 'ack');
      return true;
    },
    depth: () => ({ results: totalResults, bytes: totalBytes, batches: sealed.size + (open ? 1 : 0) }),
    dropped: () => ({ ...drops }),
    onSealed(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    expire,
    unlogged: () => unlogged,
    close() {
      if (sealTimer) clearTimeout(sealTimer);
      sealTimer = undefined;
      clearInterval(expiryTimer);
      listeners.clear();
      log?.close();
    },
  };
}

/**
 * Segment size for a byte cap: small next to the cap, so the active segment alone never
 * trips the disk bound, and large enough that rolling over is rare.
 */
export function segmentBytes(maxBytes: number): number {
  return Math.max(1, Math.min(8 * 1024 * 1024, Math.floor(maxBytes / 16)));
}
