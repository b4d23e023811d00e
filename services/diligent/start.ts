/**
 * The Diligent role of a process (`pharos dev`, `pharos server`, `pharos diligent-worker`):
 * the scheduler loop and a worker over the process's store and bus. Several processes may run
 * it at once: the scan locks rows (SKIP LOCKED) and the work queue shares its messages.
 * Outbound traffic goes through the SSRF guard with the operator's private-target policy;
 * registry lookups use the operator's RDAP bootstrap copy, as Domain checks do.
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
  const runChecks = createRiskCheckRunner({
    fetcher,
    dns: createDnsProbe(),
    registry: createRegistryLookup({ rdapBootstrap: config.rdapBootstrapFile }),
    region: config.agent.region,
    mccOverrides: (orgId) => store.mccOverrides(orgId),
  });
  const worker = await startDiligentWorker({ store, bus, subjects, runChecks, logger, concurrency: config.diligentConcurrency, outbox: new AlertOutbox() });
  const scheduler = await startDiligentScheduler({ sql, store, bus, subjects, logger });
  return {
    async stop() {
      await scheduler.stop();
      await worker.stop();
      await fetcher.close();
    },
  };
}
