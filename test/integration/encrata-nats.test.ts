/**
 * The Encrata worker role distributed: two workers on the machine's NATS (JetStream work
 * queue) and Postgres share one run's chunks; every chunk is enriched and counted exactly
 * once, and a second scan while the run is open opens nothing (the monitor is no longer due).
 * Streams (unique prefix) and the schema are removed afterwards.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { openControlPlane } from '../support/api-harness.js';
import { eventually, realService, uniqueName } from '../support/services.js';
import { deletePrefixStreams } from '../support/nats-streams.js';
import { startDnsServer, type DnsTestServer } from '../unit/checks/support/dns-server.js';
import { startSourceStandIn, type SourceStandIn } from '../support/encrata-sources.js';
import { openNatsJobBus, type NatsJobBus } from '../../services/lib/adapters/nats/job-bus.js';
import { loadConfig } from '../../services/lib/config.js';
import { createLogger } from '../../services/lib/logger.js';
import { subjectsFor } from '../../services/lib/subjects.js';
import { createGuardedResolver } from '../../services/lib/ssrf/guarded-resolver.js';
import { OrganizationStore } from '../../services/lib/tenancy/organizations.js';
import { EntityMonitorStore } from '../../services/encrata/store.js';
import { createEnrichers } from '../../services/encrata/enrichers.js';
import { openDueRuns, startEncrataWorker } from '../../services/encrata/worker.js';
import type { Subscription } from '../../services/lib/ports/job-bus.js';
import type { SqlClient } from '../../services/lib/ports/sql-client.js';

const natsUrl = realService('nats');
const databaseUrl = realService('database');

describe.skipIf(!natsUrl || !databaseUrl)('encrata workers over NATS and Postgres', () => {
  const subjects = subjectsFor(uniqueName('encrata'));
  const logger = createLogger('silent');
  const buses: NatsJobBus[] = [];
  const workers: Subscription[] = [];
  const closers: Array<() => Promise<void>> = [];
  let dns: DnsTestServer | undefined;
  let sources: SourceStandIn | undefined;
  let drop: (() => Promise<void>) | undefined;

  afterAll(async () => {
    for (const w of workers) await w.unsubscribe();
    for (const c of closers) await c();
    for (const b of buses) await b.close();
    await deletePrefixStreams(natsUrl!, subjects.prefix);
    await drop?.();
    await dns?.close();
    await sources?.close();
  });

  it('two workers share a run\'s chunks; each is counted once', async () => {
    const plane = await openControlPlane(databaseUrl);
    drop = plane.drop;
    const sql: SqlClient = plane.sql;
    dns = await startDnsServer({ records: Array.from({ length: 10 }, (_, d) => ({ name: `d${d}.test`, type: 'MX' as const, data: { preference: 10, exchange: `mx.d${d}.test` } })) });
    sources = await startSourceStandIn();
    const config = loadConfig('dev', { PHAROS_LOG_LEVEL: 'silent', PHAROS_ENCRATA_DNS_SERVERS: dns.resolver, PHAROS_GRAVATAR_URL: sources.url, PHAROS_ENCRATA_TIMEOUT_MS: '2000' });
    const resolver = createGuardedResolver({ allowPrivateTargets: true });
    for (const name of ['w1', 'w2']) {
      const bus = await openNatsJobBus({ url: natsUrl!, prefix: subjects.prefix, logger, name });
      buses.push(bus);
      const built = createEnrichers({ config: config.encrata, resolver });
      closers.push(built.close);
      workers.push(await startEncrataWorker({ sql, bus, subjects, logger, enrichers: built.enrichers, concurrency: 2 }));
    }
    const org = await new OrganizationStore(sql).create(uniqueName('org'), 'unlimited');
    const store = new EntityMonitorStore(sql);
    const emails = Array.from({ length: 120 }, (_, i) => `user${i}@d${i % 10}.test`);
    const m = await store.create(org.id, { name: 'many', monitorType: 'email', frequency: 'monthly', changeDetection: 'diff_only', trackedFields: [], dataSourceType: 'csv', dataSourceRef: null, targets: emails }, Date.now(), Date.now() + 86_400_000);

    const scan = { sql, bus: buses[0], subjects, logger, intervalMs: 1000 };
    expect(await openDueRuns(scan)).toBe(1);
    expect(await openDueRuns(scan)).toBe(0);
    const run = await eventually(async () => {
      const { rows } = await sql.query<{ chunks_total: number; chunks_done: number; targets_unchanged: number; targets_changed: number; finished_at: Date | null }>(
        `SELECT chunks_total, chunks_done, targets_unchanged, targets_changed, finished_at FROM encrata_runs WHERE monitor_id = $1`, [m.id]);
      return rows[0]?.finished_at ? rows[0] : undefined;
    }, { what: 'the run to finish', timeoutMs: 30_000 });
    expect(run).toMatchObject({ chunks_total: 3, chunks_done: 3, targets_unchanged: 120, targets_changed: 0 });
    const { rows } = await sql.query<{ n: string }>(`SELECT count(*) AS n FROM encrata_snapshots WHERE monitor_id = $1`, [m.id]);
    expect(Number(rows[0].n)).toBe(120);
    expect((await store.snapshots(m.id, ['user7@d7.test'])).get('user7@d7.test')!.record).toMatchObject({ mx: { hosts: ['10 mx.d7.test'] } });
  });
});
