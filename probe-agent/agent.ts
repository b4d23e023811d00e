/**
 * The probe agent: takes its region's check jobs from the bus (sharing them with the
 * region's other agents through the region's work queue), runs them, and streams the results to
 * ingest. It holds no database credentials and imports no storage code: everything it
 * touches is passed in.
 */
import os from 'node:os';
import type { Logger } from 'pino';
import { CheckJob } from '../proto/generated/pharos/v1/check.js';
import type { AgentConfig } from '../services/lib/config.js';
import type { JobBus, Subscription } from '../services/lib/ports/job-bus.js';
import type { Subjects } from '../services/lib/subjects.js';
import type { BackoffPolicy } from './backoff.js';
import type { CheckerTable } from './checks/registry.js';
import { MAX_CHECK_TIMEOUT_SECONDS } from '../contracts/limits.js';
import { createHeldJobs } from './held-jobs.js';
import { AgentFatalError } from './ingest-errors.js';
import { createOutbox, segmentBytes, type OutboxDepth, type OutboxDrops } from './outbox.js';
import { openOutboxLog, type OutboxLog } from './outbox-log.js';
import { createCheckRunner } from './runner.js';
import { createIngestTransport, ingestCredentials } from './transport.js';
import type { AgentMetrics } from './metrics.js';

export { AgentFatalError } from './ingest-errors.js';

export const AGENT_VERSION = '0.1.0';

/**
 * How long a taken job stays with a live agent before the queue gives it to another: the
 * longest check timeout plus a margin for waiting for a free slot and for the batch's seal.
 * An agent that dies loses its jobs to the others after the consumer's ack wait (30 s).
 */
const JOB_HOLD_MS = MAX_CHECK_TIMEOUT_SECONDS * 1000 + 60_000;

export interface AgentDeps {
  config: AgentConfig;
  region: string;
  token: string;
  bus: JobBus;
  subjects: Subjects;
  logger: Logger;
  /**
   * The checkers, built with the operator's SSRF guard as their target resolver
   * (`createCheckers({ resolveTarget })`). Required so no caller runs unguarded by omission.
   */
  checkers: CheckerTable;
  /** Wall clock, unix ms. */
  now?: () => number;
  /** Reconnect backoff towards ingest (tests shorten it). */
  backoff?: BackoffPolicy;
  /** Bounds of a graceful stop. */
  stopTimeouts?: { drainMs: number; flushMs: number };
  /** Prometheus metrics (probe-agent/metrics.ts); absent = none kept. */
  metrics?: AgentMetrics;
  /**
   * What a sealed batch survives before ingest acknowledges it: `power-loss` (the default:
   * written and fdatasynced) or `process-crash` (written, not synced: the embedded agents of
   * `pharos dev`, whose ingest stores results in the same machine's chDB, which does not sync
   * its inserts either, so a sync here would buy nothing end to end).
   */
  outboxDurability?: 'power-loss' | 'process-crash';
}

export interface AgentStats {
  inFlight: number;
  queued: number;
  outbox: OutboxDepth;
  dropped: OutboxDrops;
  /** Batches the outbox log could not write to disk. */
  unlogged: number;
  /** Jobs taken from the queue whose results are not on disk yet (unacknowledged). */
  held: number;
  connected: boolean;
}

export interface RunningAgent {
  readonly agentId: string;
  stats(): AgentStats;
  /**
   * Graceful stop: take no more jobs, let running checks finish (bounded), flush the outbox
   * to ingest (bounded), close. Results still unacknowledged at the end are logged.
   */
  stop(): Promise<void>;
  /** Settles when the agent has stopped: rejects with `AgentFatalError` if ingest refused it. */
  readonly done: Promise<void>;
}

const DEFAULT_STOP_TIMEOUTS = { drainMs: 10_000, flushMs: 5_000 };

export async function startAgent(deps: AgentDeps): Promise<RunningAgent> {
  const { config, region, logger, bus, subjects } = deps;
  const now = deps.now ?? Date.now;
  const stopTimeouts = deps.stopTimeouts ?? DEFAULT_STOP_TIMEOUTS;
  const log = logger.child({ agentId: config.agentId, region });
  const channelCredentials = ingestCredentials(config);

  let outboxLog: OutboxLog;
  try {
    outboxLog = openOutboxLog({
      dir: config.dataDir, logger: log, segmentMaxBytes: segmentBytes(config.outboxMaxBytes),
      sync: deps.outboxDurability === 'process-crash' ? () => {} : undefined,
    });
  } catch (err) {
    throw new AgentFatalError(`cannot open the outbox log in ${config.dataDir}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const outbox = createOutbox({
    log: outboxLog,
    maxBytes: config.outboxMaxBytes,
    maxAgeMs: config.outboxMaxAgeMs,
    batchMaxResults: config.batchMaxResults,
    batchMaxDelayMs: config.batchMaxDelayMs,
    logger: log,
    now,
  });
  // A job is acknowledged once its result is on disk: its batch sealed and fsynced.
  const held = createHeldJobs();
  outbox.onSealed((batch) => held.durable(batch.results.map((r) => r.resultId)));
  const runner = createCheckRunner({
    checkers: deps.checkers,
    concurrency: config.concurrency,
    agentId: config.agentId,
    region,
    logger: log,
    now,
    onResult: (result) => {
      deps.metrics?.checked(result);
      outbox.add(result);
    },
    onAbandoned: (job) => held.release(job.jobId, 'check abandoned without a result'),
  });

  let settleDone!: { resolve(): void; reject(err: Error): void };
  const done = new Promise<void>((resolve, reject) => {
    settleDone = { resolve, reject };
  });
  // Callers that never await `done` must not crash the process on a fatal stop.
  done.catch(() => undefined);

  let stopping: Promise<void> | undefined;
  const transport = createIngestTransport({
    address: config.ingestAddress,
    credentials: channelCredentials,
    token: deps.token,
    agentId: config.agentId,
    region,
    version: AGENT_VERSION,
    hostname: os.hostname(),
    presenceIntervalMs: config.presenceIntervalMs,
    outbox,
    inFlight: () => runner.inFlight(),
    logger: log,
    backoff: deps.backoff,
    onReconnecting: deps.metrics?.reconnecting,
    onFatal: (err) => {
      log.error({ err: err.message }, 'ingest refused this agent; stopping');
      void stop(err);
    },
  });

  deps.metrics?.observe(() => {
    const depth = outbox.depth();
    const oldest = outbox.pending().next().value;
    return {
      inFlight: runner.inFlight(),
      outboxResults: depth.results,
      outboxBytes: depth.bytes,
      outboxOldestAgeMs: oldest ? Math.max(0, now() - oldest.firstAddedAtMs) : 0,
      connected: transport.connected(),
    };
  });

  try {
    const first = await transport.start();
    if (!first.registered) log.warn({ address: config.ingestAddress }, 'ingest not reachable yet; running checks and keeping results in the outbox');
  } catch (err) {
    await transport.stop();
    outbox.close();
    throw err;
  }

  let subscription: Subscription | undefined;
  // Resolves (the bus acknowledges the job) once the job's result — run, or reported as
  // skipped — is on disk; rejects (the job goes back to the queue) if it ends without one.
  const take = (data: Uint8Array): Promise<void> => {
    let job: CheckJob;
    try {
      job = CheckJob.decode(data);
    } catch (err) {
      log.error({ err: err instanceof Error ? err.message : String(err), bytes: data.length }, 'undecodable check job dropped');
      return Promise.resolve();
    }
    const durable = held.hold(job.jobId);
    runner.submit(job);
    return durable;
  };
  try {
    // The region's work queue, shared with its other agents: jobs published while no agent
    // was taking them wait here until their deadline. One that waited past it is handed to
    // the runner anyway, which reports it as skipped (docs/decisions.md, "No silent gaps").
    subscription = await bus.consumeWork(
      {
        subject: subjects.jobs(region),
        onExpired: (m) => take(m.data),
        // As many as the runner can run and queue plus one open batch of finished ones; the
        // rest stay in the queue for the region's other agents.
        maxInFlight: config.concurrency * 5 + config.batchMaxResults,
        holdMs: JOB_HOLD_MS,
      },
      (m) => take(m.data),
    );
  } catch (err) {
    await transport.stop();
    outbox.close();
    throw err;
  }
  // Ingest may have refused the agent while the subscription was being set up.
  if (stopping) await subscription.unsubscribe();
  else log.info({ subject: subjects.jobs(region), concurrency: config.concurrency }, 'agent started');

  function stop(fatal?: AgentFatalError): Promise<void> {
    stopping ??= (async () => {
      // Stop taking jobs first: what this agent pulled but has not handed to its runner goes
      // back to the region's queue for another agent, instead of being reported skipped.
      await subscription?.unsubscribe().catch((err: unknown) => log.warn({ err: String(err) }, 'unsubscribe failed'));
      runner.close();
      if (!(await runner.drain(stopTimeouts.drainMs))) {
        runner.abandon(`agent stopping: checks still running after ${stopTimeouts.drainMs} ms`);
      }
      if (!fatal && !(await transport.flush(stopTimeouts.flushMs))) {
        log.warn({ outbox: outbox.depth(), dataDir: config.dataDir }, 'stopping with results ingest has not acknowledged; the outbox log keeps them for the next start');
      }
      await transport.stop();
      // Results finished since the last seal go to disk (the next start resends them) and
      // their jobs are acknowledged; a job still held has no result and goes back to the queue.
      outbox.seal();
      const released = held.size();
      held.releaseAll('agent stopped before the job had a result');
      outbox.close();
      log.info({ dropped: outbox.dropped(), released }, 'agent stopped');
      if (fatal) settleDone.reject(fatal);
      else settleDone.resolve();
    })();
    return stopping;
  }

  return {
    agentId: config.agentId,
    stats: () => ({
      inFlight: runner.inFlight(),
      queued: runner.queued(),
      outbox: outbox.depth(),
      dropped: outbox.dropped(),
      unlogged: outbox.unlogged(),
      held: held.size(),
      connected: transport.connected(),
    }),
    stop: () => stop(),
    done,
  };
}
