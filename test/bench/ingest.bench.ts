/**
 * Ingest throughput end to end: gRPC streams (batches of 500, several in flight per stream)
 * → ResultWriter → chDB insert → durable publish → ack. Clients run in a worker thread so
 * they do not share the server's event loop (agents are other machines in production).
 * Run: node --max-semi-space-size=64 --import tsx test/bench/ingest.bench.ts [totalResults] [streams] [logLevel] [inFlightPerStream]
 * (`npm run bench -- ingest` adds the flag: ingest runs with it, docs/operations.md).
 */
// @node-options --max-semi-space-size=64
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { credentials, Metadata } from '@grpc/grpc-js';
import { AgentServiceClient, type StreamResultsResponse } from '../../proto/generated/pharos/v1/agent.js';
import { CheckResult, CheckStatus, ErrorKind, CheckPhase } from '../../proto/generated/pharos/v1/result.js';
import { CheckType } from '../../proto/generated/pharos/v1/check.js';

const BATCH = 500;
/**
 * Batches each stream keeps unacknowledged: 16, what ingest lets one stream have in flight
 * (stream-results.ts; agents allow 32). A closed-loop client measures in-flight ÷ ack latency,
 * so with 8 (the issue 2–15 runs) the window, not ingest, capped the rate once an ack took
 * ~0.33 s. Pass 8 as the fifth argument for that shape.
 */
const IN_FLIGHT_PER_STREAM = Number(process.argv[5] ?? 16);

/** `slotBase`: slot of each stream's first result; the warm-up's slots lie below the measured run's. */
interface ClientJob { port: number; total: number; streams: number; slotBase: number }

async function runClients({ port, total, streams, slotBase }: ClientJob): Promise<{ acked: number; accepted: number; ms: number; ackLatencies: number[] }> {
  const perStream = Math.ceil(total / streams / BATCH);
  const now = slotBase;
  const started = performance.now();
  const ackLatencies: number[] = [];
  let acked = 0;
  let accepted = 0;
  await Promise.all(Array.from({ length: streams }, (_, s) => new Promise<void>((resolve, reject) => {
    // One channel per agent, as separate agent processes would have.
    const client = new AgentServiceClient(`127.0.0.1:${port}`, credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
    const md = new Metadata();
    md.set('authorization', 'Bearer tok-bench');
    const call = client.streamResults(md);
    const sentAt = new Map<string, number>();
    let next = 0;
    let outstanding = 0;
    const send = () => {
      while (outstanding < IN_FLIGHT_PER_STREAM && next < perStream) {
        const b = next++;
        const batchId = `s${s}-b${b}`;
        const results = Array.from({ length: BATCH }, (_, i) => {
          const n = b * BATCH + i;
          const down = n % 50 === 0;
          return CheckResult.fromPartial({
            // Ids as the scheduler makes them (`<monitor>.<region>.<slot>`), each monitor's slots rising.
            resultId: `mon_${s}_${n % 1000}.EuWest.${now + n}`, jobId: `mon_${s}_${n % 1000}.EuWest.${now + n}`, orgId: `org_${n % 20}`, monitorId: `mon_${s}_${n % 1000}`, region: 'x',
            agentId: `agent-${s}`, type: CheckType.CHECK_TYPE_WEBSITE, scheduledAtMs: now + n, startedAtMs: now + n + 2,
            status: down ? CheckStatus.CHECK_STATUS_DOWN : CheckStatus.CHECK_STATUS_UP,
            errorKind: down ? ErrorKind.ERROR_KIND_TIMEOUT : ErrorKind.ERROR_KIND_UNSPECIFIED,
            errorPhase: down ? CheckPhase.CHECK_PHASE_TTFB : CheckPhase.CHECK_PHASE_UNSPECIFIED,
            errorMessage: down ? 'timed out after 10000 ms' : '',
            timings: { dnsMs: 1.2, connectMs: 3.4, tlsMs: 8.9, ttfbMs: 40 + (n % 97), transferMs: 2.1, totalMs: 56 + (n % 97) },
            statusCode: down ? 0 : 200,
          });
        });
        sentAt.set(batchId, performance.now());
        outstanding += 1;
        call.write({ batch: { batchId, results } });
      }
      if (next >= perStream && outstanding === 0) {
        call.end();
        client.close();
        resolve();
      }
    };
    call.on('data', (res: StreamResultsResponse) => {
      if (!res.ack) return;
      ackLatencies.push(performance.now() - sentAt.get(res.ack.batchId)!);
      acked += res.ack.accepted + res.ack.duplicates;
      accepted += res.ack.accepted;
      outstanding -= 1;
      send();
    });
    call.on('error', reject);
    send();
  })));
  return { acked, accepted, ms: performance.now() - started, ackLatencies };
}

if (!isMainThread) {
  parentPort!.postMessage(await runClients(workerData as ClientJob));
} else {
  const { ChdbExecutor } = await import('../../services/lib/adapters/chdb/executor.js');
  const { ClickHouseResultStore } = await import('../../services/lib/results/store.js');
  const { MemoryJobBus } = await import('../../services/lib/adapters/memory/job-bus.js');
  const { MemoryHotState } = await import('../../services/lib/adapters/memory/hot-state.js');
  const { loadConfig } = await import('../../services/lib/config.js');
  const { createLogger } = await import('../../services/lib/logger.js');
  const { subjectsFor } = await import('../../services/lib/subjects.js');
  const { startIngest } = await import('../../services/ingest/server.js');
  const { watermarksFor } = await import('../../services/lib/results/watermarks.js');

  const total = Number(process.argv[2] ?? 300_000);
  const streams = Number(process.argv[3] ?? 4);
  const dir = mkdtempSync(path.join(tmpdir(), 'pharos-ingest-bench-'));
  const exec = ChdbExecutor.open(dir);
  const store = new ClickHouseResultStore(exec, 'pharos_bench');
  await store.migrate();
  const bus = new MemoryJobBus(); // as the embedded process opens it (services/cli/infrastructure.ts)
  const hotState = new MemoryHotState();
  const config = loadConfig('dev', {});
  const ingest = await startIngest({
    config, resultStore: store, bus, subjects: subjectsFor('bench'), hotState, logger: createLogger(process.argv[4] ?? 'warn'),
    tokens: { verify: async (t) => (t === 'tok-bench' ? { tokenId: 'agt_bench', region: 'EuWest', name: 'bench' } : null) },
  });

  const runWorker = (job: ClientJob) => new Promise<Awaited<ReturnType<typeof runClients>>>((resolve, reject) => {
    // Node 20 workers do not inherit tsx's loader for a .ts entry: register it, then import.
    const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`;
    const w = new Worker(boot, { eval: true, workerData: job });
    w.once('message', resolve);
    w.once('error', reject);
  });

  const slotBase = Date.now() - 3_600_000;
  await runWorker({ port: ingest.port, total: 20_000, streams, slotBase: slotBase - 3_600_000 }); // warm-up
  const marks = watermarksFor(exec, 'pharos_bench').stats;
  const before = { ...marks };
  // CPU of the whole process (ingest, chDB's threads and the client worker): a figure that
  // other load on the machine changes less than the wall-clock rate does.
  const cpuBefore = process.cpuUsage();
  const eluBefore = performance.eventLoopUtilization();
  const r = await runWorker({ port: ingest.port, total, streams, slotBase });
  const cpu = process.cpuUsage(cpuBefore);
  const elu = performance.eventLoopUtilization(eluBefore);
  const cpuMsPer1000 = +(((cpu.user + cpu.system) / 1000 / r.acked) * 1000).toFixed(1);
  const [{ n }] = await exec.query<{ n: number | string }>('SELECT count() AS n FROM pharos_bench.check_results_v1');
  const rate = Math.round(r.acked / (r.ms / 1000));
  const lat = r.ackLatencies.sort((a, b) => a - b);
  const q = (p: number) => +lat[Math.min(lat.length - 1, Math.floor(p * lat.length))].toFixed(1);
  console.log(`${streams} streams × batches of ${BATCH} (${IN_FLIGHT_PER_STREAM} in flight each): ${r.acked} results acked in ${(r.ms / 1000).toFixed(2)} s = ${rate} results/s`);
  console.log(`ack latency per batch: p50 ${q(0.5)} ms, p99 ${q(0.99)} ms; rows in table ${Number(n)} (incl. 20000 warm-up)`);
  const lookedUp = marks.lookedUp - before.lookedUp;
  console.log(`process CPU ${cpuMsPer1000} ms per 1000 results (clients included); ingest event loop busy ${(elu.utilization * 100).toFixed(0)}%; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`duplicate check: ${marks.provablyNew - before.provablyNew} ids provably new by slot watermark, ${lookedUp} looked up; ${marks.persistedRows - before.persistedRows} watermark rows written`);
  await ingest.stop();
  await bus.close();
  await hotState.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(`BENCH ${JSON.stringify({ name: 'ingest', engine: 'chdb', streams, batchSize: BATCH, inFlightPerStream: IN_FLIGHT_PER_STREAM, results: r.acked, seconds: +(r.ms / 1000).toFixed(2), resultsPerSecond: rate, ackP50Ms: q(0.5), ackP99Ms: q(0.99), lookedUp, cpuMsPer1000, eventLoopBusy: +elu.utilization.toFixed(2), load1: +loadavg()[0].toFixed(2) })}`);
}
