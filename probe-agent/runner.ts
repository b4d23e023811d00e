/**
 * Runs check jobs with bounded concurrency. A job that arrives after its deadline, or
 * passes it while waiting for a slot, is not run but reported as skipped (the scheduler
 * already considers it stale). Every job ends as exactly one `CheckResult`, except checks
 * abandoned at shutdown, which are logged and reported to `onAbandoned`.
 */
import type { Logger } from 'pino';
import { checkTypeToJSON, type CheckJob } from '../proto/generated/pharos/v1/check.js';
import {
  CheckPhase,
  CheckStatus,
  ErrorKind,
  checkPhaseToJSON,
  checkStatusToJSON,
  errorKindToJSON,
  type CheckResult,
} from '../proto/generated/pharos/v1/result.js';
import { emptyTimings, type CheckOutcome } from './checks/checker.js';
import { runCheck, type CheckerTable } from './checks/registry.js';

export interface CheckRunnerDeps {
  checkers: CheckerTable;
  /** Checks running at once. */
  concurrency: number;
  /** Jobs waiting for a slot at most; beyond that a job is skipped at once. Default 4 × concurrency. */
  maxQueued?: number;
  agentId: string;
  /** Written into results for readability; ingest overwrites it from the agent's token. */
  region: string;
  logger: Logger;
  /** Wall clock, unix ms. */
  now: () => number;
  onResult(result: CheckResult): void;
  /** A running check aborted by `abandon`: it has no result, so its job can go to another agent. */
  onAbandoned?(job: CheckJob): void;
}

export interface CheckRunner {
  submit(job: CheckJob): void;
  inFlight(): number;
  queued(): number;
  /** Stops taking jobs: later submissions are reported as skipped. */
  close(): void;
  /** Resolves true once nothing runs or waits, false if `timeoutMs` passes first. */
  drain(timeoutMs: number): Promise<boolean>;
  /** Aborts running checks (their results are dropped, with a log) and skips waiting jobs. */
  abandon(reason: string): void;
}

const SWEEP_INTERVAL_MS = 250;

export function createCheckRunner(deps: CheckRunnerDeps): CheckRunner {
  const { checkers, concurrency, logger, now } = deps;
  const maxQueued = deps.maxQueued ?? concurrency * 4;
  const waiting: CheckJob[] = [];
  const running = new Set<AbortController>();
  let active = 0;
  let closed = false;
  let sweepTimer: NodeJS.Timeout | undefined;
  let idleWaiters: Array<() => void> = [];

  function submit(job: CheckJob): void {
    const arrivedAt = now();
    if (closed) return skip(job, 'agent is shutting down', arrivedAt);
    if (pastDeadline(job, arrivedAt)) return skip(job, `arrived ${arrivedAt - job.deadlineMs} ms after its deadline`, arrivedAt);
    if (active < concurrency) return start(job, arrivedAt);
    if (waiting.length >= maxQueued) return skip(job, `agent saturated: ${maxQueued} jobs already waiting`, arrivedAt);
    waiting.push(job);
    // Checks can hold their slots for their whole timeout; the sweep reports waiting jobs
    // whose deadline passes meanwhile without waiting for a slot to free up.
    sweepTimer ??= setInterval(sweepExpired, SWEEP_INTERVAL_MS).unref();
  }

  function start(job: CheckJob, arrivedAt: number): void {
    active++;
    const controller = new AbortController();
    running.add(controller);
    const startedAtMs = now();
    runCheck(checkers, job, controller.signal)
      .then((outcome) => {
        if (controller.signal.aborted) {
          logger.warn({ jobId: job.jobId, monitorId: job.monitorId, orgId: job.orgId, reason: String(controller.signal.reason) }, 'check abandoned, no result');
          deps.onAbandoned?.(job);
          return;
        }
        emit(job, startedAtMs, outcome, startedAtMs - arrivedAt);
      })
      .finally(() => {
        running.delete(controller);
        active--;
        startWaiting();
        if (active === 0 && waiting.length === 0) notifyIdle();
      });
  }

  function startWaiting(): void {
    while (active < concurrency && waiting.length > 0) {
      const job = waiting.shift()!;
      const at = now();
      if (pastDeadline(job, at)) skip(job, 'deadline passed while waiting for a free slot', at);
      else start(job, at);
    }
    if (waiting.length === 0) stopSweep();
  }

  function sweepExpired(): void {
    const at = now();
    let kept = 0;
    for (const job of waiting) {
      if (pastDeadline(job, at)) skip(job, 'deadline passed while waiting for a free slot', at);
      else waiting[kept++] = job;
    }
    waiting.length = kept;
    if (kept === 0) {
      stopSweep();
      if (active === 0) notifyIdle();
    }
  }

  function stopSweep(): void {
    if (sweepTimer) clearInterval(sweepTimer);
    sweepTimer = undefined;
  }

  function skip(job: CheckJob, reason: string, at: number): void {
    const outcome: CheckOutcome = {
      status: CheckStatus.CHECK_STATUS_DOWN,
      errorKind: ErrorKind.ERROR_KIND_DEADLINE_MISSED,
      errorPhase: CheckPhase.CHECK_PHASE_UNSPECIFIED,
      errorMessage: reason,
      timings: emptyTimings(),
      statusCode: 0,
    };
    emit(job, at, outcome, 0, CheckStatus.CHECK_STATUS_SKIPPED);
  }

  function emit(job: CheckJob, startedAtMs: number, outcome: CheckOutcome, waitedMs: number, status: CheckStatus = outcome.status): void {
    const result: CheckResult = {
      resultId: job.jobId,
      jobId: job.jobId,
      orgId: job.orgId,
      monitorId: job.monitorId,
      region: deps.region,
      agentId: deps.agentId,
      type: job.type,
      scheduledAtMs: job.scheduledAtMs,
      startedAtMs,
      status,
      errorKind: outcome.errorKind,
      errorPhase: outcome.errorPhase,
      errorMessage: outcome.errorMessage,
      timings: outcome.timings,
      statusCode: outcome.statusCode,
      tls: outcome.tls,
      assertions: outcome.assertions ?? [],
      ping: outcome.ping,
      dns: outcome.dns,
      domain: outcome.domain,
    };
    logCheck(result, waitedMs);
    deps.onResult(result);
  }

  function logCheck(result: CheckResult, waitedMs: number): void {
    const event = {
      jobId: result.jobId,
      monitorId: result.monitorId,
      orgId: result.orgId,
      type: checkTypeToJSON(result.type),
      status: checkStatusToJSON(result.status),
      errorKind: result.errorKind ? errorKindToJSON(result.errorKind) : undefined,
      errorPhase: result.errorPhase ? checkPhaseToJSON(result.errorPhase) : undefined,
      error: result.errorMessage || undefined,
      statusCode: result.statusCode || undefined,
      totalMs: result.timings?.totalMs,
      waitedMs,
      lateMs: result.startedAtMs - result.scheduledAtMs,
    };
    if (result.status === CheckStatus.CHECK_STATUS_UP) logger.debug(event, 'check run');
    else logger.info(event, 'check run');
  }

  function notifyIdle(): void {
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  return {
    submit,
    inFlight: () => active,
    queued: () => waiting.length,
    close() {
      closed = true;
    },
    drain(timeoutMs) {
      if (active === 0 && waiting.length === 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        idleWaiters.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    },
    abandon(reason) {
      const at = now();
      for (const job of waiting.splice(0)) skip(job, reason, at);
      stopSweep();
      for (const controller of running) controller.abort(new Error(reason));
    },
  };
}

function pastDeadline(job: CheckJob, at: number): boolean {
  // proto3 zero means the publisher set no deadline.
  return job.deadlineMs > 0 && at > job.deadlineMs;
}
