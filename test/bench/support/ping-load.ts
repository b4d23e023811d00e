/**
 * Load generator for the ping benchmark, run in its own process so it does not share the
 * api's event loop: keeps CONCURRENCY pings in flight over keep-alive connections for
 * SECONDS, spread over the tokens given, and prints one JSON line of what it measured.
 */
import { Pool } from 'undici';

const [baseUrl, tokensCsv] = process.argv.slice(2);
const tokens = tokensCsv!.split(',');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);

const pool = new Pool(baseUrl!, { connections: CONCURRENCY });
const latencies: number[] = [];
let failures = 0;
let n = 0;
const end = performance.now() + SECONDS * 1000;

async function worker(): Promise<void> {
  while (performance.now() < end) {
    const token = tokens[n++ % tokens.length];
    const started = performance.now();
    const res = await pool.request({ path: `/ping/${token}`, method: 'POST', body: 'ok', headers: { 'content-type': 'text/plain' } });
    await res.body.text();
    if (res.statusCode === 200) latencies.push(performance.now() - started);
    else failures++;
  }
}

const began = performance.now();
await Promise.all(Array.from({ length: CONCURRENCY }, worker));
const elapsed = (performance.now() - began) / 1000;
await pool.close();
latencies.sort((a, b) => a - b);
const pick = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)]! * 100) / 100;
process.stdout.write(`${JSON.stringify({ pings: latencies.length, failures, seconds: elapsed, p50Ms: pick(0.5), p99Ms: pick(0.99) })}\n`);
