/**
 * Encrata enrichment throughput (issue 15): targets enriched per minute by one worker for
 * email and domain monitors against loopback stand-ins (DNS, Gravatar, RDAP, a web site),
 * and the cost of an unchanged run (the same targets again: hashes compared, nothing
 * written). PGlite control plane and the in-process bus, as `pharos dev`; the stand-ins run
 * in this process too, so they share its CPU. Aim: ≥ 3,000 emails/min on 2 cores.
 * Prints one `BENCH {...}` line.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Answer } from 'dns-packet';
import { openControlPlane } from '../support/api-harness.js';
import { startDnsServer } from '../unit/checks/support/dns-server.js';
import { rdapDomain, startRdapServer } from '../unit/checks/support/registry-servers.js';
import { startSourceStandIn } from '../support/encrata-sources.js';
import { MemoryJobBus } from '../../services/lib/adapters/memory/job-bus.js';
import { loadConfig } from '../../services/lib/config.js';
import { createLogger } from '../../services/lib/logger.js';
import { subjectsFor } from '../../services/lib/subjects.js';
import { createGuardedResolver } from '../../services/lib/ssrf/guarded-resolver.js';
import { OrganizationStore } from '../../services/lib/tenancy/organizations.js';
import { EntityMonitorStore } from '../../services/encrata/store.js';
import { createEnrichers } from '../../services/encrata/enrichers.js';
import { openDueRuns, startEncrataWorker } from '../../services/encrata/worker.js';
import type { EntityType } from '../../services/encrata/model.js';

const EMAILS = Number(process.env.BENCH_EMAILS ?? 3000);
const DOMAINS = Number(process.env.BENCH_DOMAINS ?? 500);
const MAIL_DOMAINS = 200;

const records: Answer[] = [];
for (let d = 0; d < Math.max(MAIL_DOMAINS, DOMAINS); d++) {
  const name = `d${d}.test`;
  records.push(
    { name, type: 'MX', data: { preference: 10, exchange: `mx.${name}` } },
    { name, type: 'TXT', data: ['v=spf1 include:_spf.provider.test -all'] },
    { name: `_dmarc.${name}`, type: 'TXT', data: ['v=DMARC1; p=reject'] },
    { name, type: 'A', data: '127.0.0.1' },
    { name, type: 'NS', data: 'ns1.provider.test' },
    { name, type: 'SOA', data: { mname: 'ns1.provider.test', rname: 'hostmaster.provider.test', serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum: 60 } },
  );
}
const dns = await startDnsServer({ records });
const rdap = await startRdapServer((name) => ({ status: 200, body: rdapDomain({ name, registrar: 'Bench Registrar', registeredAt: '2015-01-01T00:00:00Z', expiresAt: '2030-01-01T00:00:00Z', statuses: ['active'] }) }));
const sources = await startSourceStandIn();
const web = http.createServer((_req, res) => { res.writeHead(200, { 'x-frame-options': 'DENY' }); res.end('<h1>ok</h1>'); });
await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));

const { sql, drop } = await openControlPlane(process.env.PHAROS_BENCH_DATABASE_URL);
const bus = new MemoryJobBus();
const subjects = subjectsFor('encratabench');
const logger = createLogger('warn');
const config = loadConfig('dev', {
  PHAROS_LOG_LEVEL: 'warn', PHAROS_ENCRATA_DNS_SERVERS: dns.resolver, PHAROS_GRAVATAR_URL: sources.url, PHAROS_ENCRATA_TIMEOUT_MS: '5000',
});
const built = createEnrichers({
  config: config.encrata,
  resolver: createGuardedResolver({ allowPrivateTargets: true, lookup: async () => [{ address: '127.0.0.1', family: 4 }] }),
  webPorts: { http: (web.address() as AddressInfo).port, https: 1 },
  registries: { rdapBootstrap: { version: '1.0', publication: '2026-01-01T00:00:00Z', services: [[['test'], [rdap.baseUrl]]] } },
});
const worker = await startEncrataWorker({ sql, bus, subjects, logger, enrichers: built.enrichers, concurrency: config.encrata.workerConcurrency });
const org = await new OrganizationStore(sql).create('encrata-bench', 'unlimited');
const store = new EntityMonitorStore(sql);

async function timedRun(monitorId: string): Promise<{ seconds: number; written: number }> {
  const writesBefore = Number((await sql.query<{ n: string }>(`SELECT count(*) AS n FROM encrata_snapshots WHERE monitor_id = $1`, [monitorId])).rows[0].n);
  const stamp = (await sql.query<{ t: string | null }>(`SELECT max(enriched_at)::text AS t FROM encrata_snapshots WHERE monitor_id = $1`, [monitorId])).rows[0].t;
  await store.requestRun(org.id, monitorId, Date.now());
  const started = performance.now();
  await openDueRuns({ sql, bus, subjects, logger, intervalMs: 1000 });
  for (;;) {
    const { rows } = await sql.query<{ done: boolean }>(`SELECT finished_at IS NOT NULL AS done FROM encrata_runs WHERE monitor_id = $1 ORDER BY started_at DESC LIMIT 1`, [monitorId]);
    if (rows[0]?.done) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const seconds = (performance.now() - started) / 1000;
  const { rows } = await sql.query<{ n: string }>(`SELECT count(*) AS n FROM encrata_snapshots WHERE monitor_id = $1 AND ($2::text IS NULL OR enriched_at::text > $2)`, [monitorId, stamp]);
  return { seconds, written: stamp === null ? Number(rows[0].n) - writesBefore : Number(rows[0].n) };
}

async function measure(type: EntityType, targets: string[]) {
  const m = await store.create(org.id, { name: type, monitorType: type, frequency: 'monthly', changeDetection: 'diff_only', trackedFields: [], dataSourceType: 'csv', dataSourceRef: null, targets }, Date.now(), Date.now() + 86_400_000);
  const baseline = await timedRun(m.id);
  const unchanged = await timedRun(m.id);
  return {
    targets: targets.length,
    baselinePerMinute: Math.round(targets.length / baseline.seconds * 60),
    baselineSeconds: Number(baseline.seconds.toFixed(2)),
    unchangedPerMinute: Math.round(targets.length / unchanged.seconds * 60),
    unchangedSeconds: Number(unchanged.seconds.toFixed(2)),
    unchangedSnapshotWrites: unchanged.written,
  };
}

const email = await measure('email', Array.from({ length: EMAILS }, (_, i) => `user${i}@d${i % MAIL_DOMAINS}.test`));
const domain = await measure('domain', Array.from({ length: DOMAINS }, (_, i) => `d${i}.test`));
process.stdout.write(`BENCH ${JSON.stringify({ bench: 'encrata', workerConcurrency: config.encrata.workerConcurrency, email, domain, dnsQueries: dns.questions().length })}\n`);

await worker.unsubscribe();
await built.close();
await bus.close();
await drop();
await dns.close();
await rdap.close();
await sources.close();
await new Promise((resolve) => web.close(resolve));
