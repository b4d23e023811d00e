/**
 * Heartbeat ping ingestion: how many Job pings per second the api records (history row,
 * heartbeat clock, durable hand-off of the result) with a burst of concurrent senders.
 * The api runs here; the load comes from a second process (support/ping-load.ts). Uses
 * Postgres when PHAROS_BENCH_DATABASE_URL is set, else PGlite (the embedded default).
 * Aim: ≥ 5,000 pings/s on the 2-core machine. Prints one `BENCH {...}` line.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../../services/api/app.js';
import { HeartbeatStore } from '../../services/heartbeats/heartbeat-store.js';
import { IncidentStore } from '../../services/alerting/incident-store.js';
import { loadConfig } from '../../services/lib/config.js';
import { createLogger } from '../../services/lib/logger.js';
import { subjectsFor } from '../../services/lib/subjects.js';
import { MonitorStore } from '../../services/lib/monitors/store.js';
import { monitorDefaults } from '../../services/lib/monitors/model.js';
import { ApiKeyStore } from '../../services/lib/tenancy/api-keys.js';
import { OrganizationStore } from '../../services/lib/tenancy/organizations.js';
import { PlanQuotas } from '../../services/lib/tenancy/quotas.js';
import { TeamStore } from '../../services/lib/tenancy/teams.js';
import { MemoryJobBus } from '../../services/lib/adapters/memory/job-bus.js';
import { MemoryHotState } from '../../services/lib/adapters/memory/hot-state.js';
import { openControlPlane } from '../support/api-harness.js';
import type { ResultStore } from '../../services/lib/ports/results-store.js';
import { ResultBatch } from '../../proto/generated/pharos/v1/agent.js';

const MONITORS = Number(process.env.BENCH_MONITORS ?? 100);
const databaseUrl = process.env.PHAROS_BENCH_DATABASE_URL;
const logger = createLogger('warn');
const { sql, drop } = await openControlPlane(databaseUrl);
const monitors = new MonitorStore(sql);
const heartbeats = new HeartbeatStore(sql);
const orgs = new OrganizationStore(sql);
const bus = new MemoryJobBus();
const subjects = subjectsFor('pingbench');
let handedOver = 0;
// Stands in for ingest's consumer: counts the results handed over (the bus stores them durably in memory).
await bus.consumeDurable({ durable: 'bench', subject: subjects.heartbeatResults }, async (msg) => {
  handedOver += ResultBatch.decode(msg.data).results.length;
});

const org = await orgs.create('ping-bench', 'unlimited');
const tokens: string[] = [];
for (let i = 0; i < MONITORS; i++) {
  const m = await monitors.create(org.id, { ...monitorDefaults(['UsEast']), name: `job ${i}`, type: 'Job', cronExpression: '* * * * *' });
  await heartbeats.reschedule(m, Date.now(), Date.now());
  tokens.push(m.pingToken!);
}

const app = await buildApp({
  config: loadConfig('dev', { PHAROS_LOG_LEVEL: 'warn' }), logger, sql, monitors, heartbeats, incidents: new IncidentStore(sql), apiKeys: new ApiKeyStore(sql), quotas: new PlanQuotas(sql),
  teams: new TeamStore(sql), orgs, results: {} as ResultStore, hotState: new MemoryHotState(), bus, subjects,
});
const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });

const dir = path.dirname(fileURLToPath(import.meta.url));
const rssBefore = process.memoryUsage().rss;
const load = await new Promise<{ pings: number; failures: number; seconds: number; p50Ms: number; p99Ms: number }>((resolve, reject) => {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(dir, 'support/ping-load.ts'), baseUrl, tokens.join(',')], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load generator exited ${code}`))));
});
await app.close();
const { rows } = await sql.query<{ n: string | number }>('SELECT count(*) AS n FROM job_pings');
const stored = Number(rows[0]!.n);

const figures = {
  bench: 'pings',
  store: databaseUrl ? 'postgres' : 'pglite',
  monitors: MONITORS,
  pingsPerSecond: Math.round(load.pings / load.seconds),
  p50Ms: load.p50Ms,
  p99Ms: load.p99Ms,
  failures: load.failures,
  stored,
  resultsHandedOver: handedOver,
  rssMiB: Math.round(Math.max(rssBefore, process.memoryUsage().rss) / 1048576),
};
process.stdout.write(`BENCH ${JSON.stringify(figures)}\n`);
await bus.close();
await drop();
if (stored !== load.pings || handedOver !== load.pings) {
  process.stderr.write(`every acknowledged ping must be stored and handed over once: acked ${load.pings}, stored ${stored}, handed over ${handedOver}\n`);
  process.exit(1);
}
