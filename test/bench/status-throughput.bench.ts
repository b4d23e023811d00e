/**
 * Status path capacity (issue 18): how many results a second the status evaluator turns
 * into stored statuses. BENCH_MONITORS Website monitors (default 5,000), BENCH_ROUNDS results
 * each (default 4), all published on the durable results stream at once (in chunks of 500,
 * as ingest does), then timed until every monitor's status row holds its last result.
 * The evaluator is assembled as services/cli/network.ts does (incidents, outbox); every
 * result is Up, so this is the steady state of a healthy network, no transitions after the
 * first. PGlite (in memory; in a data folder, as `pharos dev` keeps it, with
 * BENCH_PGLITE_DIR=<empty dir>) and the in-process bus by default; Postgres with PHAROS_BENCH_DATABASE_URL,
 * NATS JetStream with PHAROS_BENCH_NATS_URL. `pharos dev` at 10,000 monitors every 20 s
 * needs 500/s; `pharos server` at 400 checks/s needs 400/s.
 * Run: npm run bench -- status-throughput
 */
import { CheckResult, CheckStatus } from '../../proto/generated/pharos/v1/result.js';
import { CheckType } from '../../proto/generated/pharos/v1/check.js';
import { monitorDefaults } from '../../services/lib/monitors/model.js';
import { MonitorStore } from '../../services/lib/monitors/store.js';
import { OrganizationStore } from '../../services/lib/tenancy/organizations.js';
import { subjectsFor } from '../../services/lib/subjects.js';
import { createLogger } from '../../services/lib/logger.js';
import { MemoryJobBus } from '../../services/lib/adapters/memory/job-bus.js';
import { openNatsJobBus } from '../../services/lib/adapters/nats/job-bus.js';
import type { JobBus } from '../../services/lib/ports/job-bus.js';
import { startStatusEvaluator } from '../../services/alerting/status-evaluator.js';
import { MonitorStatusStore } from '../../services/alerting/status-store.js';
import { IncidentStore } from '../../services/alerting/incident-store.js';
import { AlertOutbox } from '../../services/alerting/deliveries/outbox.js';
import { openControlPlane } from '../support/api-harness.js';
import { deletePrefixStreams } from '../support/nats-streams.js';
import { uniqueName } from '../support/services.js';

const MONITORS = Number(process.env.BENCH_MONITORS ?? 5_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const databaseUrl = process.env.PHAROS_BENCH_DATABASE_URL;
const natsUrl = process.env.PHAROS_BENCH_NATS_URL;
const logger = createLogger('silent');
const prefix = uniqueName('stb');
const subjects = subjectsFor(prefix);

const { sql, drop } = await openControlPlane(databaseUrl, process.env.BENCH_PGLITE_DIR);
const bus: JobBus = natsUrl ? await openNatsJobBus({ url: natsUrl, prefix, logger, name: 'status-throughput-bench' }) : new MemoryJobBus({ maxMessages: MONITORS * ROUNDS + 1_000 });
const monitors = new MonitorStore(sql);
const orgId = (await new OrganizationStore(sql).create('status throughput')).id;
const ids: string[] = [];
for (let i = 0; i < MONITORS; i++) {
  ids.push((await monitors.create(orgId, { ...monitorDefaults(['local']), name: `throughput ${i}`, type: 'Website', url: 'https://example.com', intervalSeconds: 20 })).id);
}
const evaluator = await startStatusEvaluator({
  bus, subjects, monitors, statuses: new MonitorStatusStore(sql), incidents: new IncidentStore(sql), outbox: new AlertOutbox(), logger,
});

const baseMs = Date.now() - ROUNDS * 20_000;
const lastAtMs = baseMs + (ROUNDS - 1) * 20_000;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let round = 0; round < ROUNDS; round++) {
  for (let i = 0; i < ids.length; i += 500) {
    await bus.publishDurableBatch(ids.slice(i, i + 500).map((monitorId) => {
      const resultId = `${monitorId}.local.${round}`;
      const message = CheckResult.fromPartial({
        resultId, jobId: resultId, orgId, monitorId, region: 'local', agentId: 'bench', type: CheckType.CHECK_TYPE_WEBSITE,
        scheduledAtMs: baseMs + round * 20_000, startedAtMs: baseMs + round * 20_000, status: CheckStatus.CHECK_STATUS_UP,
        statusCode: 200, timings: { dnsMs: 0, connectMs: 1, tlsMs: 0, ttfbMs: 2, transferMs: 0, totalMs: 3 },
      });
      return { subject: subjects.results('local'), data: CheckResult.encode(message).finish(), msgId: resultId };
    }));
  }
}
const publishedS = (performance.now() - t0) / 1000;
const deadline = Date.now() + 600_000;
for (;;) {
  if (Date.now() > deadline) throw new Error(`statuses did not catch up with the last round within 600 s`);
  const { rows } = await sql.query<{ n: string | number }>(`SELECT count(*) AS n FROM monitor_status WHERE last_checked_at = to_timestamp($1 / 1000.0)`, [lastAtMs]);
  if (Number(rows[0]?.n) === MONITORS) break;
  await new Promise((r) => setTimeout(r, 20));
}
const elapsedS = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const results = MONITORS * ROUNDS;
const figures = {
  bench: 'status-throughput', engine: databaseUrl ? 'postgres' : 'pglite', bus: natsUrl ? 'nats' : 'memory', monitors: MONITORS, results,
  publishSeconds: Math.round(publishedS * 10) / 10, seconds: Math.round(elapsedS * 10) / 10,
  resultsPerSecond: Math.round(results / elapsedS),
  // This process's CPU: the evaluator, the bus and (PGlite) the database; the publishing too.
  cpuMsPerResult: Math.round(((cpu.user + cpu.system) / 1000 / results) * 100) / 100,
};
console.log(`${results} results for ${MONITORS} monitors on ${figures.engine} + ${figures.bus} bus: ${figures.resultsPerSecond}/s (${figures.seconds} s), ${figures.cpuMsPerResult} CPU-ms per result`);
console.log(`BENCH ${JSON.stringify(figures)}`);
await evaluator.unsubscribe();
await bus.close();
await drop();
if (natsUrl) await deletePrefixStreams(natsUrl, prefix);
