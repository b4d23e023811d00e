/**
 * The Diligent scheduler: schedules of days to weeks are stored next-run times, so this is a
 * small loop over rows, not timers. Each step, in one transaction, takes the due monitorings
 * (next_run_at reached or a run requested; idle and active; row-locked so two schedulers
 * never queue one twice), turns a monitoring past its expiry inactive, and otherwise records
 * an execution, moves the monitoring to QUEUED and its next_run_at on by whole periods.
 * After the commit it publishes one work message per execution and Diligent region. An execution whose message
 * was lost (the bus was down, an in-process bus restarted, a worker died holding it) is
 * re-published when it has been queued or running for longer than `redispatchAfterMs`, with
 * its attempt number in the msgId; the worker's completion is idempotent, so a duplicate
 * run stores nothing twice. An execution some regions answered but not all is completed at
 * the regions' deadline, the silent ones inconclusive (region-merge.ts).
 */
import type { JobBus, Subscription } from '../lib/ports/job-bus.js';
import type { SqlClient } from '../lib/ports/sql-client.js';
import type { Logger } from '../lib/logger.js';
import { createPollLoop, type PollLoop } from '../lib/poll-loop.js';
import { periodMs } from './contract.js';
import { encodeExecutionJob } from './job.js';
import type { Execution, Monitoring, MonitoringStore } from './store.js';
import { DEFAULT_DILIGENT_REGION, type DiligentSubjects } from './subjects.js';
import type { AlertOutbox } from '../alerting/deliveries/outbox.js';
import { announceThrough } from './verdict-events.js';

export interface DiligentSchedulerOptions {
  sql: SqlClient;
  store: MonitoringStore;
  bus: JobBus;
  subjects: DiligentSubjects;
  logger: Logger;
  now?: () => number;
  /** Default 5 s; run requests also arrive as notices (subjects.due), which nudge the loop. */
  pollIntervalMs?: number;
  /** Re-publish an execution queued or running for longer than this (default 15 min; longer than any run). */
  redispatchAfterMs?: number;
  /** Monitorings taken per transaction (default 200). */
  batchSize?: number;
  /** The Diligent regions every execution runs in, one work message each (default [`local`]). */
  regions?: readonly string[];
  /**
   * How long after its job was published an execution that some regions answered waits for
   * the others (default 10 min, under redispatchAfterMs); then it completes with the missing
   * regions inconclusive.
   */
  regionDeadlineMs?: number;
  /** Where changed verdicts of executions completed at the deadline are announced (as the worker does). */
  outbox?: AlertOutbox;
}

export interface DiligentScheduler {
  /** One scan: expire, queue and re-publish what is due now. Returns the executions published. */
  step(): Promise<number>;
  nudge(): void;
  stop(): Promise<void>;
}

/** How long a work message may wait in the queue; past it the sweep re-publishes the execution. */
export const WORK_MESSAGE_TTL_MS = 3_600_000;

/** The first slot after `nowMs` on the monitoring's period grid, never past its expiry. */
export function nextSlot(m: Pick<Monitoring, 'nextRunAtMs' | 'frequency' | 'expiresAtMs'>, nowMs: number): number {
  const period = periodMs(m.frequency);
  let next = m.nextRunAtMs ?? nowMs;
  if (next <= nowMs) next += Math.ceil((nowMs - next + 1) / period) * period;
  // At the expiry the scheduler turns the monitoring inactive, so the expiry is the last "run" it needs to see.
  return Math.min(next, m.expiresAtMs);
}

export function createDiligentScheduler(opts: DiligentSchedulerOptions): DiligentScheduler {
  const now = opts.now ?? Date.now;
  const log = opts.logger.child({ component: 'diligent-scheduler' });
  const batchSize = opts.batchSize ?? 200;
  const redispatchAfterMs = opts.redispatchAfterMs ?? 15 * 60_000;
  const regionDeadlineMs = opts.regionDeadlineMs ?? 10 * 60_000;
  const regions = opts.regions && opts.regions.length > 0 ? [...opts.regions] : [DEFAULT_DILIGENT_REGION];
  const announce = opts.outbox ? announceThrough(opts.outbox) : undefined;

  /** One work message per region that has not reported yet. */
  async function publish(e: Execution): Promise<void> {
    // An execution queued before regions existed (no regions recorded) goes to the first configured region.
    const to = (e.regions.length > 0 ? e.regions : [regions[0]]).filter((r) => !e.regionResults[r]);
    for (const region of to) {
      // The bus judges deadlines by its own (wall) clock, not the scheduler's domain clock.
      await opts.bus.publishWork(opts.subjects.work(region), encodeExecutionJob({ executionId: e.id, region }), { msgId: `${e.id}#${e.attempt}@${region}`, deadlineMs: Date.now() + WORK_MESSAGE_TTL_MS });
    }
  }

  async function step(): Promise<number> {
    const t = now();
    const expired: string[] = [];
    const queued = await opts.sql.transaction(async (tx) => {
      const out: Execution[] = [];
      for (const m of await opts.store.lockDue(tx, t, batchSize)) {
        if (m.expiresAtMs <= t) {
          await opts.store.expire(tx, m.id, t);
          expired.push(m.id);
          continue;
        }
        const scheduled = m.nextRunAtMs !== null && m.nextRunAtMs <= t;
        const slotMs = scheduled ? m.nextRunAtMs! : m.runRequestedAtMs!;
        out.push(await opts.store.markQueued(tx, m, {
          id: `${m.id}.${slotMs}`, trigger: m.runRequestedAtMs !== null ? 'run_now' : 'schedule', nextRunAtMs: scheduled ? nextSlot(m, t) : m.nextRunAtMs, nowMs: t, regions,
        }));
      }
      return out;
    });
    // Regions that did not answer in time count as inconclusive; the others' findings are kept.
    const overdue = regions.length > 1 ? await opts.store.finishOverdue(t - regionDeadlineMs, t, batchSize, announce) : [];
    const stale = await opts.store.redispatchStale(t - redispatchAfterMs, t, batchSize);
    let published = 0;
    for (const e of [...queued, ...stale]) {
      try {
        await publish(e);
        published++;
      } catch (err) {
        // Stays queued in the store; the sweep re-publishes it once it is stale.
        log.warn({ err, event: 'diligent.publish_failed', executionId: e.id }, 'execution not published; it will be re-published');
      }
    }
    if (queued.length || stale.length || expired.length || overdue.length) {
      log.info({
        event: 'diligent.scheduled', queued: queued.length, republished: stale.map((e) => e.id), expired,
        finishedAtDeadline: overdue.map((o) => ({ executionId: o.execution.id, missing: o.missing })),
      }, 'diligent scan');
    }
    return published;
  }

  return {
    step,
    nudge: () => undefined,
    stop: async () => undefined,
  };
}

/** The scheduler as a running loop, nudged by run-request notices. */
export async function startDiligentScheduler(opts: DiligentSchedulerOptions): Promise<DiligentScheduler> {
  const scheduler = createDiligentScheduler(opts);
  const loop: PollLoop = createPollLoop({
    step: () => scheduler.step(),
    intervalMs: opts.pollIntervalMs ?? 5_000,
    onError: (err) => opts.logger.warn({ err, event: 'diligent.scan_failed' }, 'diligent scan failed; retrying at the next poll'),
  });
  const notices: Subscription = await opts.bus.subscribe(opts.subjects.due, () => loop.nudge());
  void loop.run();
  return {
    step: scheduler.step,
    nudge: () => loop.nudge(),
    async stop() {
      await notices.unsubscribe();
      await loop.stop();
    },
  };
}
