/**
 * Group commit for heartbeat pings: pings that arrive while a batch is being written wait
 * for the next one, so a burst becomes a few large transactions instead of one per ping,
 * with no added delay when traffic is light (a lone ping is written at once). One batch is
 * written at a time: batches touching the same monitors would only wait on each other's
 * row locks. The queue is bounded, so a flood (or a slow store) is refused, not buffered.
 */
import type { HeartbeatStore, IncomingPing, PingReceipt, PublishResults } from './heartbeat-store.js';

interface Pending {
  ping: IncomingPing;
  resolve(receipt: PingReceipt): void;
  reject(err: unknown): void;
}

/** Thrown by `record` when too many pings already wait: the caller answers 503 and the sender retries. */
export class PingQueueFull extends Error {
  constructor() {
    super('too many pings are waiting to be recorded');
    this.name = 'PingQueueFull';
  }
}

export interface PingRecorderOptions {
  maxBatch?: number;
  /** Pings waiting at most; beyond this `record` rejects with PingQueueFull. */
  maxQueued?: number;
}

export class PingRecorder {
  private queue: Pending[] = [];
  private writing: Promise<void> | null = null;
  private readonly maxBatch: number;
  private readonly maxQueued: number;

  constructor(
    private readonly store: HeartbeatStore,
    private readonly publish: PublishResults,
    opts: PingRecorderOptions = {},
  ) {
    this.maxBatch = opts.maxBatch ?? 2_000;
    this.maxQueued = opts.maxQueued ?? 20_000;
  }

  /** Resolves once the ping and the result it implies are durable. */
  record(ping: IncomingPing): Promise<PingReceipt> {
    if (this.queue.length >= this.maxQueued) return Promise.reject(new PingQueueFull());
    return new Promise((resolve, reject) => {
      this.queue.push({ ping, resolve, reject });
      this.writing ??= this.drainQueue().finally(() => {
        this.writing = null;
      });
    });
  }

  /** Waits until every ping handed over so far is written (shutdown). */
  async drain(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async drainQueue(): Promise<void> {
    // Let the pings of this event-loop turn join the first batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.queue.length) await this.write(this.queue.splice(0, this.maxBatch));
  }

  /**
   * Writes a batch; if it fails, each ping is retried alone, so one ping the store refuses
   * (or a monitor deleted meanwhile) fails only its own request, not its batch-mates'.
   */
  private async write(batch: Pending[]): Promise<void> {
    try {
      const receipts = await this.store.recordPings(batch.map((p) => p.ping), this.publish);
      batch.forEach((p, i) => p.resolve(receipts[i]!));
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err);
      for (const p of batch) await this.write([p]);
    }
  }
}
