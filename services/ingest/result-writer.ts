/**
 * ResultWriter: coalesces the result batches of every agent stream into one ClickHouse
 * insert (a "group commit"), so ClickHouse sees few large inserts however many agents
 * are connected.
 *
 * Order of one flush, and why:
 *   1. de-duplicate by result id inside the flush;
 *   2. drop ids hot state has seen — seen means stored AND published, so they are done;
 *   3. ask the store about the rest: an id stored by an earlier attempt that crashed (or
 *      failed to publish) before marking it seen is not inserted again, but is published
 *      again (the bus de-duplicates by msgId; alerting is idempotent);
 *   4. insert the new rows; 5. publish to alerting; 6. mark seen; 7. resolve the batches.
 * Marking seen only after publishing means a publish failure cannot turn into an id that
 * is acknowledged as a duplicate but never reached alerting. Any failure rejects every
 * batch of the flush: nothing is acknowledged, the agents resend, and steps 2–3 make the
 * resend safe.
 */
import type { Logger } from '../lib/logger.js';
import type { HotState } from '../lib/ports/hot-state.js';
import type { JobBus } from '../lib/ports/job-bus.js';
import type { ResultStore } from '../lib/ports/results-store.js';
import type { Subjects } from '../lib/subjects.js';
import type { StoredResult } from '../lib/results/types.js';
import { CheckResult } from '../../proto/generated/pharos/v1/result.js';

export const SEEN_NAMESPACE = 'results';

export interface IncomingResult {
  stored: StoredResult;
  /** The wire message with the region already replaced by the token's. */
  message: CheckResult;
}

export interface BatchOutcome {
  accepted: number;
  duplicates: number;
}

export interface ResultWriterOptions {
  /** Rows per insert at most. */
  maxRows?: number;
  /** How long a lone batch waits for company before it is written. */
  maxDelayMs?: number;
  /** How long hot state remembers a stored id; older resends are caught by the store. */
  seenTtlMs?: number;
  /** Concurrent publishes to the bus during a flush. */
  publishConcurrency?: number;
}

export interface ResultWriterDeps {
  store: ResultStore;
  hotState: HotState;
  bus: JobBus;
  subjects: Subjects;
  logger: Logger;
}

interface Pending {
  items: IncomingResult[];
  resolve(outcome: BatchOutcome): void;
  reject(err: unknown): void;
}

export class ResultWriter {
  private readonly maxRows: number;
  private readonly maxDelayMs: number;
  private readonly seenTtlMs: number;
  private readonly publishConcurrency: number;
  private queue: Pending[] = [];
  private queuedRows = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly deps: ResultWriterDeps, opts: ResultWriterOptions = {}) {
    this.maxRows = opts.maxRows ?? 5_000;
    this.maxDelayMs = opts.maxDelayMs ?? 100;
    this.seenTtlMs = opts.seenTtlMs ?? 15 * 60_000;
    this.publishConcurrency = opts.publishConcurrency ?? 512;
  }

  /** Resolves once every result of the batch is stored and handed to alerting. */
  write(items: IncomingResult[]): Promise<BatchOutcome> {
    if (items.length === 0) return Promise.resolve({ accepted: 0, duplicates: 0 });
    return new Promise<BatchOutcome>((resolve, reject) => {
      this.queue.push({ items, resolve, reject });
      this.queuedRows += items.length;
      if (this.queuedRows >= this.maxRows) this.kick();
      else this.timer ??= setTimeout(() => this.kick(), this.maxDelayMs);
    });
  }

  /** Writes whatever is queued and waits for it. */
  async drain(): Promise<void> {
    this.kick();
    while (this.running) await this.running;
  }

  private kick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.running || this.queue.length === 0) return;
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
  }

  /**
   * One flush at a time. What queues up meanwhile is written right after, so under load
   * inserts grow to maxRows on their own and a quiet network still writes within maxDelayMs.
   */
  private async loop(): Promise<void> {
    while (this.queue.length > 0) {
      const taken: Pending[] = [];
      let rows = 0;
      while (this.queue.length > 0 && (taken.length === 0 || rows + this.queue[0].items.length <= this.maxRows)) {
        const next = this.queue.shift()!;
        taken.push(next);
        rows += next.items.length;
      }
      this.queuedRows -= rows;
      await this.flush(taken, rows);
    }
  }

  private async flush(batches: Pending[], rows: number): Promise<void> {
    const started = performance.now();
    const { store, hotState, logger } = this.deps;
    const event: Record<string, unknown> = { event: 'ingest.flush', agentBatches: batches.length, results: rows };
    try {
      const unique = new Map<string, IncomingResult>();
      for (const b of batches) for (const item of b.items) if (!unique.has(item.stored.resultId)) unique.set(item.stored.resultId, item);
      const ids = [...unique.keys()];

      const lap = stopwatch();
      const seen = await hotState.filterSeen(SEEN_NAMESPACE, ids);
      const unseen = ids.filter((id) => !seen.has(id));
      event.seenMs = lap();
      const stored = await this.alreadyStored(unseen.map((id) => unique.get(id)!.stored));
      const fresh = unseen.filter((id) => !stored.has(id));
      event.lookupMs = lap();

      if (fresh.length > 0) await store.insertResults(fresh.map((id) => unique.get(id)!.stored));
      event.insertMs = lap();
      await this.publish(unseen.map((id) => unique.get(id)!.message));
      event.publishMs = lap();
      if (unseen.length > 0) await hotState.markSeen(SEEN_NAMESPACE, unseen, this.seenTtlMs);
      event.markSeenMs = lap();

      const freshIds = new Set(fresh);
      let accepted = 0;
      for (const b of batches) {
        // An id counts as accepted once, for the first batch that brought it.
        let n = 0;
        for (const item of b.items) if (freshIds.delete(item.stored.resultId)) n += 1;
        accepted += n;
        b.resolve({ accepted: n, duplicates: b.items.length - n });
      }
      Object.assign(event, { accepted, duplicates: rows - accepted, seenBefore: seen.size, storedBefore: stored.size, republished: stored.size });
      // The wide event per agent batch is the stream's; this one shows how batches coalesced.
      logger.debug({ ...event, durationMs: Math.round(performance.now() - started) }, 'results flushed');
    } catch (err) {
      // Returned, not logged: each batch's own event records the failure.
      for (const b of batches) b.reject(err);
    }
  }

  private async alreadyStored(results: StoredResult[]): Promise<Set<string>> {
    const byOrg = new Map<string, string[]>();
    for (const r of results) {
      const ids = byOrg.get(r.orgId);
      if (ids) ids.push(r.resultId);
      else byOrg.set(r.orgId, [r.resultId]);
    }
    // Asked all at once: a store may answer them together (ClickHouseResultStore does).
    const answers = await Promise.all([...byOrg].map(([org, ids]) => this.deps.store.existingIds(org, ids)));
    return new Set(answers.flatMap((s) => [...s]));
  }

  private async publish(messages: CheckResult[]): Promise<void> {
    const { bus, subjects } = this.deps;
    for (let i = 0; i < messages.length; i += this.publishConcurrency) {
      await Promise.all(
        messages.slice(i, i + this.publishConcurrency).map((m) =>
          bus.publishDurable(subjects.results(m.region), CheckResult.encode(m).finish(), m.resultId)),
      );
    }
  }
}

function stopwatch(): () => number {
  let last = performance.now();
  return () => {
    const now = performance.now();
    const ms = Math.round((now - last) * 10) / 10;
    last = now;
    return ms;
  };
}
