/**
 * The shipped ASN data (services/encrata/sources/asn-database.ts, ip-location-db): how long a
 * worker takes to load it, the longest event-loop delay while it loads (it parses in slices
 * that yield), the memory it keeps, and the cost of one lookup. Figures in docs/performance.md.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import os from 'node:os';
import { ShippedAsnDatabase } from '../../services/encrata/sources/asn-database.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const MiB = 2 ** 20;

gc();
const before = process.memoryUsage();
const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();
const started = performance.now();
const db = await ShippedAsnDatabase.load();
const loadMs = performance.now() - started;
delay.disable();
const peakRss = process.resourceUsage().maxRSS / 1024;
gc();
const after = process.memoryUsage();

// Addresses spread over both families (about half fall in announced space).
const addresses = Array.from({ length: 200_000 }, (_, i) => (i % 2
  ? `${(i * 7919) % 223 + 1}.${i % 256}.${(i >> 8) % 256}.${i % 200}`
  : `2001:${(i % 0xfff).toString(16)}::${(i % 0xffff).toString(16)}`));
const t = performance.now();
let found = 0;
for (const a of addresses) if (db.lookup(a)) found++;
const lookupUs = ((performance.now() - t) * 1000) / addresses.length;

process.stdout.write(`BENCH ${JSON.stringify({
  bench: 'encrata-asn', ranges: db.size, loadMs: Math.round(loadMs), maxEventLoopDelayMs: Math.round(delay.max / 1e6),
  retainedHeapMiB: +((after.heapUsed - before.heapUsed) / MiB).toFixed(1), retainedArrayBuffersMiB: +((after.arrayBuffers - before.arrayBuffers) / MiB).toFixed(1),
  peakRssMiB: Math.round(peakRss), lookupUs: +lookupUs.toFixed(2), lookups: addresses.length, found, loadAverage: os.loadavg().map((l) => +l.toFixed(2)),
})}\n`);
