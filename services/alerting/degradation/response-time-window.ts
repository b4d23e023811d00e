/**
 * The recent successful response times per monitor, for monitor.degraded's P95. Kept in the
 * alerting process's memory, bounded both ways (samples per monitor, monitors tracked, least
 * recently seen dropped first): it is a cache of what ClickHouse holds, refilled by the next
 * checks after a restart. Whether a monitor is degraded is not kept here but on its status
 * row, so a restart neither repeats nor loses the event.
 */
export interface ResponseTimeSample {
  resultId: string;
  atMs: number;
  ms: number;
}

/** Fewer successful checks than this in the window say nothing about a P95. */
export const MIN_SAMPLES = 5;

export class ResponseTimeWindows {
  private readonly windows = new Map<string, ResponseTimeSample[]>();

  constructor(private readonly limits: { maxMonitors: number; maxSamples: number } = { maxMonitors: 50_000, maxSamples: 1_000 }) {}

  /**
   * Adds a sample (once per result id) and returns the P95 over the `windowMs` ending at the
   * newest sample, or null with fewer than MIN_SAMPLES in it.
   */
  observe(monitorId: string, windowMs: number, sample: ResponseTimeSample): number | null {
    const samples = this.windows.get(monitorId) ?? [];
    // Re-inserting moves the monitor to the end: the first key is the least recently seen.
    this.windows.delete(monitorId);
    this.windows.set(monitorId, samples);
    if (!samples.some((s) => s.resultId === sample.resultId)) samples.push(sample);
    const newest = Math.max(...samples.map((s) => s.atMs));
    const kept = samples.filter((s) => s.atMs > newest - windowMs).slice(-this.limits.maxSamples);
    samples.splice(0, samples.length, ...kept);
    while (this.windows.size > this.limits.maxMonitors) this.windows.delete(this.windows.keys().next().value!);
    return p95(kept.map((s) => s.ms));
  }

  get size(): number {
    return this.windows.size;
  }
}

/** Nearest-rank 95th percentile; null with too few values. */
export function p95(values: number[]): number | null {
  if (values.length < MIN_SAMPLES) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(0.95 * sorted.length) - 1];
}
