import { Counter, Histogram, type Registry } from 'prom-client';
import { LATENCY_BUCKETS } from './registry.js';

/** What ingest reports (services/ingest/instrumented.ts wires these around the writer and store). */
export interface IngestMetrics {
  /** An agent batch acknowledged: its size, what was new, what was a duplicate, and the time to its ack. */
  batchAcked(results: number, accepted: number, duplicates: number, seconds: number): void;
  batchFailed(results: number): void;
  /** One insert into the results store (a flush of coalesced batches). */
  flushed(rows: number, seconds: number): void;
  flushFailed(): void;
}

const SIZE_BUCKETS = [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 20000];

export function createIngestMetrics(registry: Registry): IngestMetrics {
  const rows = new Counter({ name: 'pharos_ingest_results_stored_total', help: 'Results stored (new rows inserted into ClickHouse).', registers: [registry] });
  const duplicates = new Counter({ name: 'pharos_ingest_duplicate_results_total', help: 'Results dropped as duplicates (already stored or repeated in a resend).', registers: [registry] });
  const batches = new Counter({ name: 'pharos_ingest_batches_total', help: 'Agent result batches, by outcome (acked, failed: not acknowledged, the agent resends).', labelNames: ['outcome'], registers: [registry] });
  const batchSize = new Histogram({ name: 'pharos_ingest_batch_results', help: 'Results per agent batch.', buckets: SIZE_BUCKETS, registers: [registry] });
  const ackLatency = new Histogram({ name: 'pharos_ingest_ack_duration_seconds', help: 'Time from an agent batch arriving to its ack (stored and handed to alerting).', buckets: LATENCY_BUCKETS, registers: [registry] });
  const flushRows = new Histogram({ name: 'pharos_ingest_flush_rows', help: 'Rows per insert into the results store.', buckets: SIZE_BUCKETS, registers: [registry] });
  const flushLatency = new Histogram({ name: 'pharos_ingest_flush_duration_seconds', help: 'Time one insert into the results store took.', buckets: LATENCY_BUCKETS, registers: [registry] });
  const flushFailures = new Counter({ name: 'pharos_ingest_flush_failures_total', help: 'Inserts into the results store that failed.', registers: [registry] });
  return {
    batchAcked(results, accepted, dups, seconds) {
      batches.inc({ outcome: 'acked' });
      batchSize.observe(results);
      rows.inc(accepted);
      duplicates.inc(dups);
      ackLatency.observe(seconds);
    },
    batchFailed(results) {
      batches.inc({ outcome: 'failed' });
      batchSize.observe(results);
    },
    flushed(n, seconds) {
      flushRows.observe(n);
      flushLatency.observe(seconds);
    },
    flushFailed: () => flushFailures.inc(),
  };
}
