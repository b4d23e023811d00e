/**
 * One Prometheus registry per process (prom-client), created by the composition root and
 * passed to each role's metrics module; nothing here is a module-level singleton, so two
 * networks in one test process never share counters.
 *
 * Names follow Prometheus conventions: `pharos_<role>_<what>_<unit>`, `_total` for counters,
 * base units (seconds, bytes). Labels are bounded sets only — check types, outcomes, regions
 * the operator declared, route patterns, status codes — never tenant or monitor ids.
 */
import { Registry, collectDefaultMetrics } from 'prom-client';

export { Registry };

const EVENT_LOOP_SAMPLE_MS = 100;

export function createMetricsRegistry(opts: { defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  // process_* and nodejs_* (CPU, memory, event loop lag, GC): the standard names dashboards expect.
  // Event loop delay sampled every 100 ms rather than prom-client's 10: its timer woke an idle
  // process 100 times a second, a third of an idle `pharos dev`'s CPU (docs/performance.md).
  // A stall longer than 100 ms is still measured whole; shorter ones are sampled less often.
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  return registry;
}

/** Seconds buckets for sub-second work with a tail (HTTP, flushes, deliveries). */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
