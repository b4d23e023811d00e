import { randomUUID } from 'node:crypto';
import { MonitorChanged } from '../../proto/generated/pharos/v1/control.js';
import type { JobBus, Subscription } from '../lib/ports/job-bus.js';
import type { HotState } from '../lib/ports/hot-state.js';
import type { Subjects } from '../lib/subjects.js';
import type { Logger } from '../lib/logger.js';
import { AGENT_CHECKED_TYPES, type Monitor } from '../lib/monitors/model.js';
import { DueQueue } from './due-queue.js';
import { nextDueMs } from './phase.js';
import { buildCheckJob, encodeCheckJob } from '../lib/monitors/check-job.js';

/** What the scheduler needs of the monitor store. */
export interface ActiveMonitorSource {
  listActive(): Promise<Monitor[]>;
  getById(id: string): Promise<Monitor | null>;
}

export interface SchedulerDeps {
  monitors: ActiveMonitorSource;
  bus: JobBus;
  hotState: HotState;
  subjects: Subjects;
  logger: Logger;
  now?: () => number;
  leaseTtlMs?: number;
  fullReloadMs?: number;
  /** Observes every dispatch (benchmarks measure lateness through it). */
  onDispatch?: (monitorId: string, dueMs: number, publishedMs: number) => void;
  /** A `pause` maintenance window holds the monitor at this instant: its check is not sent. */
  inPauseWindow?: (monitor: Monitor, atMs: number) => boolean;
}

export interface RunningScheduler {
  isLeader(): boolean;
  /** Monitors currently scheduled. */
  size(): number;
  stop(): Promise<void>;
}

const LEASE = 'scheduler';
/** The dispatch loop wakes at least this often, so a clock jump or a new earlier entry is seen quickly. */
const MAX_SLEEP_MS = 250;

/**
 * Holds the active monitors in memory and publishes one job per due monitor per region.
 * Only the holder of the `scheduler` lease publishes; a standby keeps its monitors loaded
 * and takes over within one lease period when the leader stops renewing.
 */
export async function startScheduler(deps: SchedulerDeps): Promise<RunningScheduler> {
  const { bus, hotState, subjects, logger } = deps;
  const now = deps.now ?? Date.now;
  const leaseTtlMs = deps.leaseTtlMs ?? 10_000;
  const fullReloadMs = deps.fullReloadMs ?? 60_000;
  const holder = randomUUID();
  const monitors = new Map<string, Monitor>();
  const queue = new DueQueue();
  let leader = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  function place(m: Monitor, checkNow: boolean): void {
    const prev = monitors.get(m.id);
    monitors.set(m.id, m);
    if (checkNow) queue.schedule(m.id, now());
    else if (!prev || prev.intervalSeconds !== m.intervalSeconds || !queue.has(m.id)) {
      queue.schedule(m.id, nextDueMs(m.id, m.intervalSeconds * 1000, now()));
    }
  }

  function forget(id: string): void {
    monitors.delete(id);
    queue.remove(id);
  }

  async function fullReload(): Promise<void> {
    const active = await deps.monitors.listActive();
    const seen = new Set<string>();
    for (const m of active) {
      if (!isAgentChecked(m)) continue;
      seen.add(m.id);
      place(m, false);
    }
    for (const id of [...monitors.keys()]) if (!seen.has(id)) forget(id);
  }

  async function reloadOne(id: string, checkNow: boolean): Promise<void> {
    const m = await deps.monitors.getById(id);
    if (!m || m.paused || !isAgentChecked(m)) forget(id);
    else place(m, checkNow);
  }

  async function dispatchDue(): Promise<void> {
    const t = now();
    for (let due = queue.popDue(t); due; due = queue.popDue(t)) {
      const m = monitors.get(due.monitorId);
      if (!m) continue;
      const intervalMs = m.intervalSeconds * 1000;
      queue.schedule(m.id, nextDueMs(m.id, intervalMs, Math.max(due.dueMs, t - intervalMs)));
      if (!leader || deps.inPauseWindow?.(m, due.dueMs)) continue;
      for (const region of m.regions) {
        try {
          await bus.publish(subjects.jobs(region), encodeCheckJob(buildCheckJob(m, region, due.dueMs)));
        } catch (err) {
          logger.error({ err, monitorId: m.id, region }, 'job publish failed');
        }
      }
      deps.onDispatch?.(m.id, due.dueMs, now());
    }
  }

  function arm(): void {
    if (stopped) return;
    const next = queue.peekDue();
    const wait = next === undefined ? MAX_SLEEP_MS : Math.max(0, Math.min(MAX_SLEEP_MS, next - now()));
    timer = setTimeout(() => {
      dispatchDue().catch((err) => logger.error({ err }, 'dispatch failed')).finally(arm);
    }, wait);
  }

  async function renewLease(): Promise<void> {
    try {
      const held = await hotState.acquireLease(LEASE, holder, leaseTtlMs);
      if (held !== leader) logger.info({ event: held ? 'scheduler.lease_acquired' : 'scheduler.lease_lost', holder }, held ? 'scheduler is now the leader' : 'scheduler lost the lease');
      leader = held;
    } catch (err) {
      // Without a confirmed lease we must assume another scheduler may publish.
      leader = false;
      logger.warn({ err }, 'lease renewal failed');
    }
  }

  const changes: Subscription = await bus.subscribe(subjects.monitorsChanged, async (data) => {
    const notice = MonitorChanged.decode(data);
    await reloadOne(notice.monitorId, notice.checkNow).catch((err) => logger.error({ err, monitorId: notice.monitorId }, 'monitor reload failed'));
  });
  await fullReload();
  await renewLease();
  const leaseTimer = setInterval(() => void renewLease(), Math.max(100, Math.floor(leaseTtlMs / 3)));
  const reloadTimer = setInterval(() => {
    fullReload().catch((err) => logger.error({ err }, 'full reload failed'));
  }, fullReloadMs);
  arm();
  logger.info({ event: 'scheduler.started', monitors: monitors.size, leader }, 'scheduler started');

  return {
    isLeader: () => leader,
    size: () => monitors.size,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      clearInterval(leaseTimer);
      clearInterval(reloadTimer);
      await changes.unsubscribe();
      if (leader) await hotState.releaseLease(LEASE, holder).catch(() => undefined);
      leader = false;
    },
  };
}

/** Job monitors get no agent jobs: their heartbeats arrive as pings (services/heartbeats). */
function isAgentChecked(m: Monitor): boolean {
  return AGENT_CHECKED_TYPES.includes(m.type);
}
