/**
 * Alert pipeline latency: from the result that crosses the failure threshold reaching ingest
 * (ResultWriter.write, as a gRPC batch hands it over) to its `monitor.down` webhook reaching
 * a loopback receiver: writer batching (maxDelayMs 100, ingest's default) → chDB insert →
 * durable publish → status evaluator (status, incident and outbox in one transaction) →
 * nudge → delivery worker → signed POST. One monitor crosses at a time, so this is the
 * latency of an idle pipeline, not of a queue.
 * PGlite (the embedded default), or Postgres when PHAROS_BENCH_DATABASE_URL is set.
 * Run: node --import tsx test/bench/alert-latency.bench.ts [samples]
 */
import { CheckResult, CheckStatus, ErrorKind, CheckPhase } from '../../proto/generated/pharos/v1/result.js';
import { CheckType } from '../../proto/generated/pharos/v1/check.js';
import { monitorDefaults } from '../../services/lib/monitors/model.js';
import { subjectsFor } from '../../services/lib/subjects.js';
import { createLogger } from '../../services/lib/logger.js';
import { ResultWriter } from '../../services/ingest/result-writer.js';
import { toStoredResult } from '../../services/ingest/to-stored-result.js';
import { startStatusEvaluator } from '../../services/alerting/status-evaluator.js';
import { MonitorStatusStore } from '../../services/alerting/status-store.js';
import { IncidentStore } from '../../services/alerting/incident-store.js';
import { AlertOutbox } from '../../services/alerting/deliveries/outbox.js';
import { arrivalWhere, startAlertingStack } from './support/alerting-stack.js';
import { percentile } from './stats.js';

const SAMPLES = Number(process.argv[2] ?? process.env.BENCH_SAMPLES ?? 100);
const stack = await startAlertingStack();
const { h, orgId, channelId } = stack;
const engine = process.env.PHAROS_BENCH_DATABASE_URL ? 'postgres' : 'pglite';
const logger = createLogger('silent');
const subjects = subjectsFor('test');
const writer = new ResultWriter({ store: h.results, hotState: h.hotState, bus: h.bus, subjects, logger });
const worker = stack.startWorker();
const statuses = new MonitorStatusStore(h.sql);
const evaluator = await startStatusEvaluator({
  bus: h.bus, subjects, monitors: h.monitors, statuses, incidents: new IncidentStore(h.sql), outbox: new AlertOutbox(),
  onDeliveriesQueued: () => worker.nudge(), logger,
});

let seq = 0;
function result(monitorId: string, up: boolean) {
  const n = ++seq;
  const now = Date.now();
  const message = CheckResult.fromPartial({
    resultId: `${monitorId}.local.${n}`, jobId: `${monitorId}.local.${n}`, orgId, monitorId, region: 'local', agentId: 'bench',
    type: CheckType.CHECK_TYPE_WEBSITE, scheduledAtMs: now - 5, startedAtMs: now - 3,
    status: up ? CheckStatus.CHECK_STATUS_UP : CheckStatus.CHECK_STATUS_DOWN,
    errorKind: up ? ErrorKind.ERROR_KIND_UNSPECIFIED : ErrorKind.ERROR_KIND_CONNECTION_REFUSED,
    errorPhase: up ? CheckPhase.CHECK_PHASE_UNSPECIFIED : CheckPhase.CHECK_PHASE_CONNECT,
    errorMessage: up ? '' : 'connect ECONNREFUSED', statusCode: up ? 200 : 0,
    timings: { dnsMs: 0, connectMs: 1, tlsMs: 0, ttfbMs: 2, transferMs: 0, totalMs: 3 },
  });
  return { stored: toStoredResult(message, 'local', 30), message };
}

const statusOf = async (id: string) => (await h.monitors.getById(id))?.status;
const latencies: number[] = [];
const incidentLatencies: number[] = [];
for (let i = 0; i < SAMPLES; i++) {
  const m = await h.monitors.create(orgId, { ...monitorDefaults(['local']), name: `latency ${i}`, type: 'Website', url: 'https://example.com', alertChannelIds: [channelId] });
  await writer.write([result(m.id, true)]);
  while ((await statusOf(m.id)) !== 'Up') await new Promise((r) => setTimeout(r, 5));
  const t0 = performance.timeOrigin + performance.now();
  const down = arrivalWhere(stack, (a) => a.monitorId === m.id && a.event === 'monitor.down');
  const incident = arrivalWhere(stack, (a) => a.monitorId === m.id && a.event === 'incident.created');
  void writer.write([result(m.id, false)]);
  latencies.push((await down).atMs - t0);
  incidentLatencies.push((await incident).atMs - t0);
}

await evaluator.unsubscribe();
await writer.drain();
await stack.close();
const sorted = latencies.sort((a, b) => a - b);
const sortedIncident = incidentLatencies.sort((a, b) => a - b);
const figures = {
  bench: 'alert-latency', engine, samples: SAMPLES,
  downP50Ms: percentile(sorted, 0.5), downP99Ms: percentile(sorted, 0.99), downMaxMs: percentile(sorted, 1),
  incidentCreatedP50Ms: percentile(sortedIncident, 0.5), incidentCreatedP99Ms: percentile(sortedIncident, 0.99),
};
console.log(`BENCH ${JSON.stringify(figures)}`);
