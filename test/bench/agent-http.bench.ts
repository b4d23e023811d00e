/**
 * Probe agent throughput: Website checks through the real checker, runner and outbox, each
 * on a fresh connection, against a local HTTP target running in a separate process (so it
 * does not share the agent's event loop). Prints checks/s, check duration percentiles and
 * RSS, then one `BENCH {...}` line. Figures, not a pass/fail test.
 *
 *   node --import tsx test/bench/agent-http.bench.ts [--seconds 10] [--concurrency 64] [--host 127.0.0.1] [--outbox disk|memory] [--metrics on|off]
 *
 * `--outbox disk` (the agent's default) writes and fsyncs every sealed batch to an outbox log
 * in a temp directory, as `pharos agent` does; `memory` is the outbox without its log.
 * `--metrics on` (the agent's default) counts every check in the agent's Prometheus metrics
 * and scrapes them once a second, as Prometheus would; `off` leaves them out (issue 16's
 * metrics overhead: run both and compare checks/s).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import type { CheckJob } from '../../proto/generated/pharos/v1/check.js';
import { websiteJob } from '../unit/checks/support/targets.js';
import { CheckStatus, type CheckResult } from '../../proto/generated/pharos/v1/result.js';
import { createCheckers } from '../../probe-agent/checks/registry.js';
import { createOutbox, segmentBytes } from '../../probe-agent/outbox.js';
import { openOutboxLog } from '../../probe-agent/outbox-log.js';
import { createCheckRunner } from '../../probe-agent/runner.js';
import { createAgentMetrics } from '../../probe-agent/metrics.js';
import { createMetricsRegistry } from '../../services/lib/metrics/registry.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '64' },
    host: { type: 'string', default: '127.0.0.1' },
    outbox: { type: 'string', default: 'disk' },
    metrics: { type: 'string', default: 'on' },
  },
});
const seconds = Number(args.seconds);
const concurrency = Number(args.concurrency);

/** The target: plain node:http, a small HTML body, in its own process. */
const TARGET_SOURCE = `
const http = require('node:http');
const body = Buffer.from('<html><body>' + 'pharos '.repeat(100) + '</body></html>');
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/html', 'content-length': body.length });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
`;

function startTarget(): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, ['-e', TARGET_SOURCE], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', (chunk: Buffer) => resolve({ port: Number(chunk.toString().trim()), child }));
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const { port, child } = await startTarget();
  const url = `http://${args.host}:${port}/`;
  const logger = pino({ level: 'info' }, pino.destination('/dev/null'));
  const maxBytes = 64 * 1024 * 1024;
  const logDir = args.outbox === 'disk' ? fs.mkdtempSync(path.join(tmpdir(), 'pharos-bench-outbox-')) : undefined;
  const syncs = { count: 0, ms: 0 };
  const log = logDir
    ? openOutboxLog({
        dir: logDir, logger, segmentMaxBytes: segmentBytes(maxBytes),
        sync: (fd) => {
          const t = performance.now();
          fs.fdatasyncSync(fd);
          syncs.ms += performance.now() - t;
          syncs.count++;
        },
      })
    : undefined;
  const outbox = createOutbox({
    log,
    maxBytes,
    maxAgeMs: 3_600_000,
    batchMaxResults: 500,
    batchMaxDelayMs: 200,
    logger,
    now: Date.now,
  });
  // Stands in for ingest: acknowledge each batch as soon as it is sealed.
  outbox.onSealed((batch) => queueMicrotask(() => outbox.ack(batch.batchId)));

  const registry = args.metrics === 'on' ? createMetricsRegistry() : undefined;
  const metrics = registry ? createAgentMetrics(registry) : undefined;
  let scrapes = 0;
  const scraper = registry ? setInterval(() => void registry.metrics().then(() => scrapes++), 1_000) : undefined;

  const durations: number[] = [];
  let done = 0;
  let failed = 0;
  let firstFailure = '';
  let measuring = false;
  let feeding = true;
  let seq = 0;

  const runner = createCheckRunner({
    checkers: createCheckers(),
    concurrency,
    maxQueued: concurrency,
    agentId: 'bench',
    region: 'local',
    logger,
    now: Date.now,
    onResult(result: CheckResult) {
      metrics?.checked(result);
      outbox.add(result);
      if (measuring) {
        done++;
        durations.push(result.timings?.totalMs ?? 0);
        if (result.status !== CheckStatus.CHECK_STATUS_UP) {
          failed++;
          firstFailure ||= result.errorMessage;
        }
      }
      if (feeding) submitOne();
    },
  });

  function submitOne(): void {
    const job: CheckJob = { ...websiteJob({ url }, 10_000), jobId: `bench_${++seq}`, orgId: 'org_bench', monitorId: `mon_${seq % 1000}` };
    runner.submit(job);
  }

  // Warm up (JIT, llhttp WASM) for one second, then measure.
  for (let i = 0; i < concurrency; i++) submitOne();
  await new Promise((r) => setTimeout(r, 1_000));
  measuring = true;
  const syncsAtStart = { ...syncs };
  let peakRss = 0;
  const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 250);
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1_000));
  const elapsedS = (performance.now() - started) / 1_000;
  const measured = done;
  const measuredSyncs = { count: syncs.count - syncsAtStart.count, ms: syncs.ms - syncsAtStart.ms };
  const cpu = process.cpuUsage(cpuStart);
  measuring = false;
  feeding = false;
  clearInterval(rssTimer);
  clearInterval(scraper);
  await runner.drain(15_000);
  outbox.close();
  if (logDir) fs.rmSync(logDir, { recursive: true, force: true });
  child.kill();

  durations.sort((a, b) => a - b);
  const figures = {
    name: 'agent_http_checks_per_s',
    checks_per_s: Math.round(measured / elapsedS),
    checks: measured,
    failed,
    seconds: Number(elapsedS.toFixed(2)),
    concurrency,
    host: args.host,
    p50_ms: Number(percentile(durations, 50).toFixed(2)),
    p99_ms: Number(percentile(durations, 99).toFixed(2)),
    rss_mb: Math.round(Math.max(peakRss, process.memoryUsage().rss) / 1024 / 1024),
    agent_cpu_pct: Math.round(((cpu.user + cpu.system) / 1_000 / (elapsedS * 1_000)) * 100),
    outbox: args.outbox,
    metrics: args.metrics,
    scrapes,
    fsyncs: measuredSyncs.count,
    fsync_ms_avg: measuredSyncs.count ? Number((measuredSyncs.ms / measuredSyncs.count).toFixed(2)) : 0,
    fresh_connection_per_check: true,
    target: 'node:http in a separate process, same host',
  };
  process.stdout.write(
    `agent http checks: ${figures.checks_per_s} checks/s over ${figures.seconds} s at concurrency ${concurrency}; ` +
      `check duration p50 ${figures.p50_ms} ms, p99 ${figures.p99_ms} ms; RSS ${figures.rss_mb} MiB; agent CPU ${figures.agent_cpu_pct}%; ` +
      `outbox ${figures.outbox} (${figures.fsyncs} fsyncs, avg ${figures.fsync_ms_avg} ms); metrics ${figures.metrics}` +
      (failed ? `; ${failed} failed (first: ${firstFailure})` : '') +
      '\n',
  );
  process.stdout.write(`BENCH ${JSON.stringify(figures)}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
