/**
 * The `encrata-worker` role: the scheduler loop and the enrichment consumer in one process.
 * `pharos dev` and `pharos server` start it with their other roles; `pharos encrata-worker`
 * runs it alone to scale enrichment out (every worker shares the work queue, and the scans
 * of several take disjoint monitors: FOR UPDATE SKIP LOCKED).
 */
import type { Config } from '../lib/config.js';
import type { Logger } from '../lib/logger.js';
import type { JobBus } from '../lib/ports/job-bus.js';
import type { HotState } from '../lib/ports/hot-state.js';
import type { SqlClient } from '../lib/ports/sql-client.js';
import type { Subjects } from '../lib/subjects.js';
import { createGuardedResolver } from '../lib/ssrf/guarded-resolver.js';
import { createEnrichers } from './enrichers.js';
import { createEncrataScheduler, startEncrataWorker } from './worker.js';

export async function startEncrataRole(deps: { config: Readonly<Config>; sql: SqlClient; bus: JobBus; subjects: Subjects; logger: Logger; hotState?: HotState }): Promise<{ stop(): Promise<void> }> {
  const { config } = deps;
  const { logger } = deps;
  const { enrichers, close } = createEnrichers({
    config: config.encrata,
    // A monitored domain's web site is a tenant's target: through the SSRF guard.
    resolver: createGuardedResolver({ allowPrivateTargets: config.allowPrivateTargets }),
    registries: { rdapBootstrap: config.rdapBootstrapFile },
    // Per-source request spacing shared by every worker of this deployment.
    hotState: deps.hotState,
  });
  const worker = await startEncrataWorker({ sql: deps.sql, bus: deps.bus, subjects: deps.subjects, logger, enrichers, concurrency: config.encrata.workerConcurrency });
  const scheduler = createEncrataScheduler({ sql: deps.sql, bus: deps.bus, subjects: deps.subjects, logger, intervalMs: config.encrata.scanIntervalMs });
  void scheduler.run();
  return {
    async stop() {
      await scheduler.stop();
      await worker.unsubscribe();
      await close();
    },
  };
}
