/**
 * Jobs drained from a region's work queue by one agent: `--jobs` Port checks against a local
 * TCP target are published first, then an agent starts and takes them through the real
 * NATS consumer, runner and outbox log (its ingest is unreachable, so results stay in the
 * outbox: only the queue path is measured). Done when every job's result is in the outbox
 * and the consumer holds nothing unacknowledged — the agent acks a job once its result is
 * sealed and fsynced. Prints jobs/s, how many were skipped rather than run, and the
 * consumer's peak unacknowledged count, then one
 * `BENCH {...}` line. Figures, not a pass/fail test. Needs PHAROS_BENCH_NATS_URL (skipped
 * without it).
 *
 *   PHAROS_BENCH_NATS_URL=nats://127.0.0.1:4222 node --import tsx test/bench/agent-queue.bench.ts [--jobs 20000]
 */
import fs from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { pino } from 'pino';
import { CheckJob, CheckType } from '../../proto/generated/pharos/v1/check.js';
import { startAgent } from '../../probe-agent/agent.js';
import { createCheckers } from '../../probe-agent/checks/registry.js';
import { openNatsJobBus } from '../../services/lib/adapters/nats/job-bus.js';
import { loadConfig } from '../../services/lib/config.js';
import { subjectsFor, workConsumerName, workStreamName } from '../../services/lib/subjects.js';
import { deletePrefixStreams } from '../support/nats-streams.js';

const natsUrl = process.env.PHAROS_BENCH_NATS_URL;
if (!natsUrl) {
  process.stdout.write('agent-queue: PHAROS_BENCH_NATS_URL not set, skipped\n');
  process.exit(0);
}
const { values: args } = parseArgs({ options: { jobs: { type: 'string', default: '20000' } } });
const jobs = Number(args.jobs);
const logger = pino({ level: 'silent' });
const prefix = `bench_q_${Date.now().toString(36)}`;
const subjects = subjectsFor(prefix);
const region = 'EuWest';
const dir = fs.mkdtempSync(path.join(tmpdir(), 'pharos-agent-queue-'));

const target = net.createServer((s) => s.end());
await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
const port = (target.address() as net.AddressInfo).port;

const publisher = await openNatsJobBus({ url: natsUrl, prefix, logger, name: 'bench-publisher' });
const at = Date.now();
const pubs: Promise<void>[] = [];
for (let i = 0; i < jobs; i++) {
  const job = CheckJob.fromPartial({
    jobId: `mon_${i}.${region}.${at}`, orgId: 'org_bench', monitorId: `mon_${i}`, region, type: CheckType.CHECK_TYPE_PORT,
    scheduledAtMs: at, deadlineMs: at + 600_000, timeoutMs: 5_000, attempt: 1,
    settings: { $case: 'port', value: { hostname: '127.0.0.1', port } },
  });
  pubs.push(publisher.publishWork(subjects.jobs(region), CheckJob.encode(job).finish(), { msgId: job.jobId, deadlineMs: job.deadlineMs }));
  if (pubs.length >= 1_000) await Promise.all(pubs.splice(0));
}
await Promise.all(pubs);

const nc = await connect({ servers: natsUrl });
const jsm = await jetstreamManager(nc);
const consumerInfo = () => jsm.consumers.info(workStreamName(prefix), workConsumerName(subjects.jobs(region)));

const config = loadConfig('agent', { PHAROS_REGION: region, PHAROS_AGENT_TOKEN: 'bench', PHAROS_INGEST_ADDRESS: '127.0.0.1:1', PHAROS_AGENT_DATA_DIR: path.join(dir, 'agent') });
const agentBus = await openNatsJobBus({ url: natsUrl, prefix, logger, name: 'bench-agent', declareStreams: false });
const started = performance.now();
// Skipped results (e.g. "agent saturated") are cheap: counted apart so they cannot pass for throughput.
let skipped = 0;
const agentLogger = pino({ level: 'info' }, { write: (line: string) => void (line.includes('CHECK_STATUS_SKIPPED') && skipped++) });
const agent = await startAgent({ config: config.agent, region, token: 'bench', bus: agentBus, subjects, logger: agentLogger, checkers: createCheckers(), backoff: { baseMs: 60_000, capMs: 60_000 } });
let peakUnacked = 0;
for (;;) {
  const info = await consumerInfo();
  peakUnacked = Math.max(peakUnacked, info.num_ack_pending);
  if (agent.stats().outbox.results >= jobs && info.num_ack_pending === 0 && info.num_pending === 0) break;
  await new Promise((r) => setTimeout(r, 20));
}
const seconds = (performance.now() - started) / 1000;
const figures = { bench: 'agent-queue', jobs, seconds: Number(seconds.toFixed(2)), jobsPerSecond: Math.round(jobs / seconds), skipped, ranPerSecond: Math.round((jobs - skipped) / seconds), peakUnacked, concurrency: config.agent.concurrency };
process.stdout.write(`${jobs} jobs from the queue in ${seconds.toFixed(2)} s: ${figures.jobsPerSecond}/s, ${skipped} of them skipped, peak unacknowledged ${peakUnacked}\n`);
process.stdout.write(`BENCH ${JSON.stringify(figures)}\n`);

await agent.stop();
await agentBus.close();
await publisher.close();
await nc.close();
await deletePrefixStreams(natsUrl, prefix);
target.close();
fs.rmSync(dir, { recursive: true, force: true });
