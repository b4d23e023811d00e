/**
 * Ingest's metrics, kept outside the writer's hot path code: a ResultWriter that times each
 * batch from arrival to ack, and a ResultStore whose inserts (one per flush) are timed.
 */
import type { IngestMetrics } from '../lib/metrics/ingest-metrics.js';
import type { ResultStore } from '../lib/ports/results-store.js';
import { ResultWriter, type BatchOutcome, type IncomingResult, type ResultWriterDeps, type ResultWriterOptions } from './result-writer.js';

export class InstrumentedResultWriter extends ResultWriter {
  constructor(private readonly metrics: IngestMetrics, deps: ResultWriterDeps, opts?: ResultWriterOptions) {
    super({ ...deps, store: timedInserts(deps.store, metrics) }, opts);
  }

  override async write(items: IncomingResult[]): Promise<BatchOutcome> {
    const started = performance.now();
    try {
      const outcome = await super.write(items);
      this.metrics.batchAcked(items.length, outcome.accepted, outcome.duplicates, (performance.now() - started) / 1000);
      return outcome;
    } catch (err) {
      this.metrics.batchFailed(items.length);
      throw err;
    }
  }
}

/** The same store, its `insertResults` timed; every other call passes through untouched. */
export function timedInserts(store: ResultStore, metrics: IngestMetrics): ResultStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'insertResults') {
        return async (rows: Parameters<ResultStore['insertResults']>[0]) => {
          const started = performance.now();
          try {
            await target.insertResults(rows);
          } catch (err) {
            metrics.flushFailed();
            throw err;
          }
          metrics.flushed(rows.length, (performance.now() - started) / 1000);
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
