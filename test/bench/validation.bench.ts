/**
 * Validation amplification: what a 400 costs for a large bad request (issue 10). A body of
 * 100,000 bad array items, sent 5 times; prints the error body's size, the time per
 * request and the heap growth. Before bounding (ajv allErrors, every detail returned) the
 * issue measured a 35.7 MB body, 1.1 s and +118 MB. Prints one `BENCH {...}` line.
 */
import { startApiHarness } from '../support/api-harness.js';

const ITEMS = 100_000;
const ROUNDS = 5;

// Each request an hour after the last, so the 10-creations-an-hour limit never answers first.
let clock = Date.now();
const h = await startApiHarness({ now: () => (clock += 3_600_000) });
const t = await h.tenant(['*']);
const shapes = {
  // A schema error per item: each tag must be a string.
  schemaErrors: JSON.stringify({ name: 'big', type: 'Website', url: 'https://example.com', tags: Array(ITEMS).fill({}) }),
  // A text error per item: NUL characters Postgres cannot store.
  textErrors: JSON.stringify({ name: 'big', type: 'Website', url: 'https://example.com', dnsExpectedValues: Array(ITEMS).fill('\u0000') }),
};
const figures: Record<string, unknown> = { bench: 'validation', items: ITEMS };
for (const [shape, payload] of Object.entries(shapes)) {
  const heapBefore = process.memoryUsage().heapUsed;
  let peakHeap = heapBefore;
  let bytes = 0;
  let status = 0;
  const started = performance.now();
  for (let i = 0; i < ROUNDS; i++) {
    const res = await h.app.inject({ method: 'POST', url: '/api/monitors', headers: { 'x-api-key': t.key, 'content-type': 'application/json' }, payload });
    bytes = res.rawPayload.length;
    status = res.statusCode;
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }
  figures[shape] = {
    requestKB: Math.round(payload.length / 1024),
    status,
    errorBodyBytes: bytes,
    msPerRequest: Math.round((performance.now() - started) / ROUNDS),
    heapGrowthMB: Math.round((peakHeap - heapBefore) / 1e6),
  };
}
process.stdout.write(`BENCH ${JSON.stringify(figures)}\n`);
await h.close();
