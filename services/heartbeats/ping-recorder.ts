/**
 * Group commit for heartbeat pings: pings that arrive while batches are being written wait
 * for the next one, so a burst becomes a few large transactions instead of one per ping,
 * with no added delay when traffic is light (a lone ping is written at once). A few batches
 * are written at once to hide the store's round trips; the store locks each monitor's clock,
 * in id order, so two batches touching one monitor apply in turn.
 */
import type { HeartbeatStore, IncomingPing, PingReceipt, PublishResults } from './heartbeat-store.js';

interface Pending {
  ping: IncomingPing;
  resolve(receipt: PingReceipt): void;
  reject(err: unknown): void;
}

export class PingRecorder {
  private queue: Pending[] = [];
  private readonly writers = new Set<Promise<void>>();

  constructor(
    private readonly store: HeartbeatStore,
    private readonly publish: PublishResults,
    private readonly maxBatch = 2_000,
    private readonly maxConcurrentBatches = 1,
  ) {}

  /** Resolves once the ping and the result it implies are durable. */
  record(ping: IncomingPing): Promise<PingReceipt> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ping, resolve, reject });
      if (this.writers.size < this.maxConcurrentBatches) {
        const writer: Promise<void> = this.drainQueue().finally(() => this.writers.delete(writer));
        this.writers.add(writer);
      }
    });
  }

  /** Waits until every ping handed over so far is written (shutdown). */
  async drain(): Promise<void> {
    while (this.writers.size) await Promise.all(this.writers);
  }

  private async drainQueue(): Promise<void> {
    // Let the pings of this event-loop turn join the first batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const receipts = await this.store.recordPings(batch.map((p) => p.ping), this.publish);
        batch.forEach((p, i) => p.resolve(receipts[i]!));
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
  }
}
