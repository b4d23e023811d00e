/**
 * The Diligent worker role: takes executions from its region's work queue
 * (`<p>.jobs.diligent.<region>`), marks the monitoring RUNNING, runs its checks (outbound
 * through the SSRF guard, never in the api), stores its region's findings — and, when it is
 * the last region to report, the merged findings, returning the monitoring to IDLE — in one
 * transaction, and only then acknowledges the message. Checks whose verdict changed are announced through the
 * notifications outbox on that same transaction (verdict-events.ts). A worker that stops or dies before that leaves the
 * message unacknowledged: the queue hands it to another worker, and the scheduler's sweep
 * re-publishes anything still open later. A delivery of an execution that is already
 * complete is acknowledged without running anything.
 */
import type { JobBus, Subscription, WorkMessage } from '../lib/ports/job-bus.js';
import type { Logger } from '../lib/logger.js';
import type { CheckName } from './contract.js';
import type { Finding } from './checks/finding.js';
import { decodeExecutionJob } from './job.js';
import type { MonitoringStore } from './store.js';
import type { AlertOutbox } from '../alerting/deliveries/outbox.js';
import { announceThrough } from './verdict-events.js';
import { DEFAULT_DILIGENT_REGION } from './subjects.js';
import type { DiligentSubjects } from './subjects.js';

export interface RunRequest {
  website: string;
  checks: CheckName[];
  /** The customer, for its settings (MCC overrides). */
  orgId?: string;
}

/** Runs the requested checks of one website; resolves with one finding per check, never rejects for the target's sake. */
export type RunChecks = (request: RunRequest, signal: AbortSignal) => Promise<Finding[]>;

export interface DiligentWorkerOptions {
  store: MonitoringStore;
  bus: JobBus;
  subjects: DiligentSubjects;
  runChecks: RunChecks;
  logger: Logger;
  now?: () => number;
  /** Executions run at once by this worker (default 16: they wait on the network, not the CPU). */
  concurrency?: number;
  /** One execution's time limit (default 120 s); checks past it answer inconclusive. */
  runTimeoutMs?: number;
  /** The Diligent region this worker serves: it takes `<p>.jobs.diligent.<region>` (default `local`). */
  region?: string;
  /** Where changed verdicts are announced (monitoring.flagged / monitoring.verdict_changed); absent: not announced. */
  outbox?: AlertOutbox;
}

export interface DiligentWorker {
  /** Stops taking work; runs in progress are aborted and their messages handed back. */
  stop(): Promise<void>;
}

class Stopping extends Error {
  constructor() {
    super('worker stopping; execution handed back');
  }
}

export async function startDiligentWorker(opts: DiligentWorkerOptions): Promise<DiligentWorker> {
  const now = opts.now ?? Date.now;
  const log = opts.logger.child({ component: 'diligent-worker' });
  const runTimeoutMs = opts.runTimeoutMs ?? 120_000;
  const stopping = new AbortController();
  const region = opts.region ?? DEFAULT_DILIGENT_REGION;
  const announce = opts.outbox ? announceThrough(opts.outbox) : undefined;

  async function handle(msg: WorkMessage): Promise<void> {
    const job = decodeExecutionJob(msg.data);
    if (!job) {
      log.warn({ event: 'diligent.bad_job', subject: msg.subject }, 'work message is not an execution job; dropped');
      return;
    }
    const execution = await opts.store.execution(job.executionId);
    if (!execution || execution.status === 'completed' || execution.regionResults[region]) return;
    const monitoring = await opts.store.monitoringById(execution.monitoringId);
    if (!monitoring) return; // deleted meanwhile
    const startedAt = now();
    await opts.store.markRunning(execution.id, monitoring.id, startedAt);
    const signal = AbortSignal.any([stopping.signal, AbortSignal.timeout(runTimeoutMs)]);
    const wall = Date.now();
    const findings = await opts.runChecks({ website: monitoring.website, checks: execution.checks, orgId: monitoring.orgId }, signal);
    if (stopping.signal.aborted) throw new Stopping();
    const report = await opts.store.reportRegion(execution.id, region, findings, now(), announce);
    log.info({
      event: 'diligent.execution', executionId: execution.id, monitoringId: monitoring.id, orgId: monitoring.orgId, attempt: execution.attempt,
      delivery: msg.deliveryCount, region, outcome: report.outcome, waitingFor: report.waitingFor, deliveriesQueued: report.deliveriesQueued, durationMs: Date.now() - wall, verdicts: Object.fromEntries(findings.map((f) => [f.check, f.verdict])),
      ...(report.findings ? { merged: Object.fromEntries(report.findings.map((f) => [f.check, f.regions_disagree ? 'disagree' : f.verdict])) } : {}),
    }, 'diligent execution finished');
  }

  const sub: Subscription = await opts.bus.consumeWork(
    { subject: opts.subjects.work(region), maxInFlight: opts.concurrency ?? 16, holdMs: runTimeoutMs + 60_000, maxDeliver: 5, onExpired: () => undefined },
    handle,
  );
  return {
    async stop() {
      stopping.abort(new Stopping());
      await sub.unsubscribe();
    },
  };
}
