/**
 * The Diligent role of a process (`pharos dev`, `pharos server`, `pharos diligent-worker`):
 * the scheduler loop and a worker over the process's store and bus. Several processes may run
 * it at once: the scan locks rows (SKIP LOCKED) and the work queue shares its messages.
 * Outbound traffic goes through the SSRF guard with the operator's private-target policy;
 * registry lookups use the operator's RDAP bootstrap copy, as Domain checks do. Executions run
 * in every region of PHAROS_DILIGENT_REGIONS; a process with PHAROS_REGION among them serves
 * only its own region's queue, one without serves every region's.
 */
import type { Config } from '../lib/config.js';
import type { Logger } from '../lib/logger.js';
import type { JobBus } from '../lib/ports/job-bus.js';
import type { SqlClient } from '../lib/ports/sql-client.js';
import { createGuardedResolver } from '../lib/ssrf/guarded-resolver.js';
import { createRegistryLookup } from '../../probe-agent/checks/domain-registry/lookup.js';
import { AlertOutbox } from '../alerting/deliveries/outbox.js';
import { createRiskCheckRunner } from './checks/index.js';
import { startDiligentScheduler } from './scheduler.js';
import { createDnsProbe } from './site/dns-probe.js';
import { createSiteFetcher } from './site/site-fetcher.js';
import { MonitoringStore } from './store.js';
import { diligentSubjects } from './subjects.js';
import { startDiligentWorker } from './worker.js';

export async function startDiligentRole(deps: { config: Readonly<Config>; sql: SqlClient; bus: JobBus; logger: Logger }): Promise<{ stop(): Promise<void> }> {
  const { config, sql, bus } = deps;
  const logger = deps.logger.child({ component: 'diligent' });
  const store = new MonitoringStore(sql);
  const subjects = diligentSubjects(config.natsPrefix);
  const fetcher = createSiteFetcher({ resolver: createGuardedResolver({ allowPrivateTargets: config.allowPrivateTargets }) });
  const checkDeps = {
    fetcher,
    dns: createDnsProbe(),
    registry: createRegistryLookup({ rdapBootstrap: config.rdapBootstrapFile }),
    mccOverrides: (orgId: string) => store.mccOverrides(orgId),
  };
  const outbox = new AlertOutbox();
  // A process in a region serves that region's queue; one without (pharos dev, a one-site server) serves them all.
  const own = config.agent.region;
  const served = own && config.diligentRegions.includes(own) ? [own] : config.diligentRegions;
  const workers = await Promise.all(served.map((region) => startDiligentWorker({
    store, bus, subjects, logger, concurrency: config.diligentConcurrency, outbox, region,
    runChecks: createRiskCheckRunner({ ...checkDeps, region }),
  })));
  const scheduler = await startDiligentScheduler({ sql, store, bus, subjects, logger, regions: config.diligentRegions, outbox });
  return {
    async stop() {
      await scheduler.stop();
      for (const w of workers) await w.stop();
      await fetcher.close();
    },
  };
}
