/** Latency of a call: a few warm-up calls, then `iterations` timed ones; p50, p99 and max in ms (printed too). `pct`: a percentile of sorted samples. */
export const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

export async function measureLatency(name: string, iterations: number, fn: () => Promise<unknown> | unknown): Promise<{ p50: number; p99: number; max: number }> {
  for (let i = 0; i < 5; i++) await fn(); // warm caches
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const r = { p50: +pct(times, 0.5).toFixed(2), p99: +pct(times, 0.99).toFixed(2), max: +times.at(-1)!.toFixed(2) };
  console.log(`${name}: p50 ${r.p50} ms, p99 ${r.p99} ms, max ${r.max} ms over ${iterations} runs`);
  return r;
}
