import { randomUUID } from 'node:crypto';
import { MonitorChanged } from '../../proto/generated/pharos/v1/control.js';
import type { JobBus, Subscription } from '../lib/ports/job-bus.js';
import type { HotState } from '../lib/ports/hot-state.js';
import type { Subjects } from '../lib/subjects.js';
import type { Logger } from '../lib/logger.js';
import { AGENT_CHECKED_TYPES, type Monitor } from '../lib/monitors/model.js';
import { DueQueue } from './due-queue.js';
import { nextDueMs } from './phase.js';
import { jobDeadlineMs } from '../lib/monitors/check-job.js';
import { createGapRecorder } from './gap-recorder.js';
import { JobBacklog, type KeptJob } from './job-backlog.js';
import { missedResult } from './missed-slots.js';
import type { SchedulerMetrics } from '../lib/metrics/scheduler-metrics.js';
import { createShardMembership } from './shard-membership.js';
import { ownerOf } from './rendezvous.js';
import { Interner, compactMonitor, encodeSnapshotJob, sameSnapshot, type MonitorSnapshot } from './snapshot.js';

/** What the scheduler needs of the monitor store. */
export interface ActiveMonitorSource {
  /**
   * Active (unpaused) monitors with an id after `afterId` (from the first when null), in id
   * order, at most `limit`: a reload reads the store a page at a time and keeps only snapshots.
   */
  listActivePage(afterId: string | null, limit: number): Promise<Monitor[]>;
  getById(id: string): Promise<Monitor | null>;
}

type Job = KeptJob<MonitorSnapshot>;

export interface SchedulerDeps {
  monitors: ActiveMonitorSource;
  bus: JobBus;
  hotState: HotState;
  subjects: Subjects;
  logger: Logger;
  /**
   * Lease holder identity (config.schedulerId): stable across restarts, so a restarted
   * scheduler reclaims its own lease at once; different for every scheduler that runs
   * at the same time.
   */
  schedulerId: string;
  now?: () => number;
  leaseTtlMs?: number;
  fullReloadMs?: number;
  /** Monitors read from the store per page of a reload. */
  reloadPageSize?: number;
  /** Jobs kept while the bus refuses them (config.schedulerBacklogMax). */
  backlogMaxJobs?: number;
  /** How long a takeover waits before recording missed slots (gap-recorder.ts); tests shorten it. */
  missedSettleMs?: number;
  /** Observes every dispatch (benchmarks measure lateness through it). */
  onDispatch?: (monitorId: string, dueMs: number, publishedMs: number) => void;
  /** A `pause` maintenance window holds the monitor at this instant: its check is not sent. */
  inPauseWindow?: (monitor: MonitorSnapshot, atMs: number) => boolean;
  /** Prometheus metrics (services/lib/metrics/scheduler-metrics.ts); absent = none kept. */
  metrics?: SchedulerMetrics;
  /**
   * Sharded scheduling (PHAROS_SCHEDULER_SHARDED): every live scheduler publishes the slots of
   * the monitors rendezvous hashing gives it, instead of one lease holder publishing all
   * (docs/decisions.md "Sharded schedulers"). `ttlMs`: how long a dead scheduler's share waits.
   */
  sharding?: { ttlMs?: number };
}

export interface RunningScheduler {
  /** Publishing now: the lease holder, or (sharded) a live member of the shard set. */
  isLeader(): boolean;
  /** Sharded: the live schedulers this one sees (empty when not sharded). */
  shardMembers(): readonly string[];
  /** Monitors currently scheduled. */
  size(): number;
  stop(): Promise<void>;
}

const LEASE = 'scheduler';
/** Which process currently runs under each scheduler id (see `stillOurs`). */
const INCARNATIONS = 'scheduler-incarnations';
/** The dispatch loop wakes at least this often, so a clock jump or a new earlier entry is seen quickly. */
const MAX_SLEEP_MS = 250;
/** Job publishes of one dispatch pass awaiting their acks at once. */
const PUBLISH_WINDOW = 256;
/** A publish pass running longer than this lets the event loop turn (renewals, timers) between chunks. */
const YIELD_AFTER_MS = 100;

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
  const holder = deps.schedulerId;
  const incarnation = randomUUID();
  const pageSize = deps.reloadPageSize ?? 1_000;
  /** Held monitors as compact snapshots (snapshot.ts), by id and by due-queue handle. */
  const monitors = new Map<string, MonitorSnapshot>();
  const byHandle: Array<MonitorSnapshot | undefined> = [];
  const freeHandles: number[] = [];
  const intern = new Interner();
  const queue = new DueQueue();
  /** Counts full reloads: a held monitor a reload did not see is forgotten. */
  let reloadEpoch = 0;
  /** Counts rebalances: monitors first held in this one or later are the ones it gained. */
  let holdGeneration = 0;
  let leader = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let dispatchedThrough: number | undefined;
  const backlog = new JobBacklog<Job>(deps.backlogMaxJobs ?? 100_000);
  const shardTtlMs = deps.sharding?.ttlMs ?? 3_000;
  const membership = deps.sharding ? createShardMembership({ hotState, schedulerId: holder, incarnation, ttlMs: shardTtlMs, now }) : undefined;
  const renewEveryMs = Math.max(100, Math.floor((membership ? shardTtlMs : leaseTtlMs) / 3));
  const gaps = createGapRecorder({ hotState, bus, subjects, logger, now, settleMs: deps.missedSettleMs, oldestKeptSlot: () => backlog.oldestSlot() });
  // The region's work queue: a job waits there for an agent until its deadline (an agent
  // restarting or re-subscribing loses nothing); msgId = job id, so a re-publish is one job.
  const publishJob = (j: Job) => {
    const job = encodeSnapshotJob(j.monitor, j.region, j.scheduledAtMs);
    const sent = bus.publishWork(subjects.jobs(j.region), job.data, { msgId: job.jobId, deadlineMs: job.deadlineMs });
    return deps.metrics ? sent.then(() => deps.metrics?.published(j.region, 1)) : sent;
  };
  const busMissed = (jobs: Job[]) => {
    if (jobs.length === 0) return;
    deps.metrics?.skipped('bus_unavailable', jobs.length);
    logger.warn({ event: 'scheduler.slots_missed', reason: 'bus_unavailable', slots: jobs.length }, 'jobs not published before their deadline');
    gaps.record(jobs.map((j) => missedResult(j.monitor, j.region, j.scheduledAtMs, 'bus_unavailable')));
  };

  /** Jobs kept while the bus was unreachable: published while their deadline allows, else missed. */
  async function retryKept(t: number): Promise<void> {
    busMissed(backlog.expire(t));
    if (leader && backlog.size) {
      const sent = await backlog.drain(publishJob);
      if (sent) logger.info({ event: 'scheduler.backlog_published', jobs: sent, left: backlog.size }, 'kept jobs published');
    }
    // Not awaited: a durable publish to an unreachable bus can take seconds to fail, and the
    // dispatch loop must not wait for it.
    void gaps.flush();
  }

  /**
   * Holds the monitor as a snapshot. An unchanged one keeps its snapshot (the one just built
   * is dropped at once); a changed one gets the new snapshot under the same handle.
   */
  function place(m: Monitor, checkNow: boolean): void {
    const prev = monitors.get(m.id);
    let s = compactMonitor(m, intern);
    if (prev && sameSnapshot(prev, s)) s = prev;
    else {
      s.handle = prev ? prev.handle : (freeHandles.pop() ?? byHandle.length);
      s.heldSince = prev ? prev.heldSince : holdGeneration;
      byHandle[s.handle] = s;
      monitors.set(m.id, s);
    }
    s.seenIn = reloadEpoch;
    if (checkNow) queue.schedule(s.handle, now());
    else if (!prev || prev.intervalSeconds !== s.intervalSeconds || !queue.has(s.handle)) {
      queue.schedule(s.handle, nextDueMs(s.id, s.intervalSeconds * 1000, now()));
    }
  }

  function forget(id: string): void {
    const s = monitors.get(id);
    if (!s) return;
    monitors.delete(id);
    queue.remove(s.handle);
    byHandle[s.handle] = undefined;
    freeHandles.push(s.handle);
  }

  /** Sharded: a scheduler holds only the monitors it owns, so memory splits with the work. */
  const holds = (monitorId: string) => !membership || membership.holds(monitorId);

  /**
   * Reads every active monitor a page at a time, keeps snapshots of those this scheduler
   * holds and forgets the held ones no page had. One at a time (the periodic reload and a
   * rebalance's queue behind each other), since a reload's sweep must not see another's marks.
   */
  let reloadChain: Promise<void> = Promise.resolve();
  function fullReload(): Promise<void> {
    const run = reloadChain.then(reloadAll);
    reloadChain = run.catch(() => undefined);
    return run;
  }

  async function reloadAll(): Promise<void> {
    const epoch = ++reloadEpoch;
    const startedAt = now();
    let read = 0;
    let pages = 0;
    // Values no held monitor uses any more (deleted organizations, old tag sets) go: the
    // snapshots built from here on use fresh ones (a kept snapshot is then rebuilt once).
    if (intern.size > 2 * monitors.size + 10_000) intern.reset();
    for (let after: string | null = null; ;) {
      const page = await deps.monitors.listActivePage(after, pageSize);
      read += page.length;
      pages++;
      for (const m of page) if (isAgentChecked(m) && holds(m.id)) place(m, false);
      if (page.length < pageSize || stopped) break;
      after = page[page.length - 1].id;
      // Let due slots and renewals run between pages, whatever the source's I/O.
      await new Promise<void>((r) => setImmediate(r));
    }
    if (stopped) return;
    let forgotten = 0;
    for (const s of monitors.values()) {
      if (s.seenIn === epoch) continue;
      forget(s.id);
      forgotten++;
    }
    logger.info({ event: 'scheduler.reloaded', read, pages, held: monitors.size, forgotten, ms: now() - startedAt }, 'monitors reloaded');
  }

  async function reloadOne(id: string, checkNow: boolean): Promise<void> {
    const m = await deps.monitors.getById(id);
    if (!m || m.paused || !isAgentChecked(m) || !holds(id)) forget(id);
    else place(m, checkNow);
  }

  /**
   * Publishes one pass's jobs. A work publish waits for the stream's ack, so they go
   * concurrently (bounded) rather than one round trip after another; refused ones are kept.
   */
  async function publishPass(jobs: Job[]): Promise<void> {
    let ranSince = performance.now();
    for (let i = 0; i < jobs.length; i += PUBLISH_WINDOW) {
      // A big pass (a gained share's recent slots: ~100,000 jobs at a million monitors) must
      // not hold the event loop when the bus answers at once: renewals run in between. An
      // ordinary pass never yields (its jobs would wait behind a reload's page).
      if (performance.now() - ranSince > YIELD_AFTER_MS) {
        await new Promise<void>((r) => setImmediate(r));
        ranSince = performance.now();
      }
      const chunk = jobs.slice(i, i + PUBLISH_WINDOW);
      // Behind kept jobs, wait in line: the bus is still refusing, or just came back.
      if (backlog.size) {
        for (const job of chunk) busMissed(backlog.keep(job));
        continue;
      }
      const outcomes = await Promise.allSettled(chunk.map(publishJob));
      outcomes.forEach((o, k) => {
        if (o.status === 'fulfilled') return;
        const job = chunk[k];
        if (backlog.size === 0) logger.warn({ err: o.reason, monitorId: job.monitor.id, region: job.region }, 'job bus refused a job; keeping jobs until their deadline');
        busMissed(backlog.keep(job));
      });
    }
  }

  async function dispatchDue(): Promise<void> {
    const t = now();
    await retryKept(t);
    const pass: Job[] = [];
    const dispatched: Array<{ monitorId: string; dueMs: number }> = [];
    for (let h = queue.popDue(t); h >= 0; h = queue.popDue(t)) {
      const m = byHandle[h];
      if (!m) continue;
      const dueMs = queue.lastDueMs(h);
      const intervalMs = m.intervalSeconds * 1000;
      queue.schedule(h, nextDueMs(m.id, intervalMs, Math.max(dueMs, t - intervalMs)));
      if (membership ? !membership.owns(m.id) : !leader) continue;
      if (deps.inPauseWindow?.(m, dueMs)) {
        deps.metrics?.skipped('paused', m.regions.length);
        continue;
      }
      for (const region of m.regions) {
        pass.push({ monitor: m, region, scheduledAtMs: dueMs, deadlineMs: jobDeadlineMs(m, dueMs) });
      }
      dispatched.push({ monitorId: m.id, dueMs });
    }
    await publishPass(pass);
    if (deps.onDispatch) for (const d of dispatched) deps.onDispatch(d.monitorId, d.dueMs, now());
    if (deps.metrics) for (const d of dispatched) deps.metrics.dispatched(now() - d.dueMs);
    dispatchedThrough = t;
    if (leader && !membership) await gaps.dispatched(t).catch((err) => logger.warn({ err }, 'progress marker not written'));
  }

  function arm(): void {
    if (stopped) return;
    const next = queue.peekDue();
    const wait = next === undefined ? MAX_SLEEP_MS : Math.max(0, Math.min(MAX_SLEEP_MS, next - now()));
    timer = setTimeout(() => {
      dispatchDue().catch((err) => logger.error({ err }, 'dispatch failed')).finally(arm);
    }, wait);
  }

  /**
   * A stable id means a second process started with the same id (a restart, or a
   * misconfiguration) would renew the same lease. The newest process wins: an older one that
   * sees another incarnation under its id stops leading, so two live schedulers never both
   * publish for longer than one renewal period (and result ids make those jobs idempotent).
   */
  let displaced = false;
  async function stillOurs(): Promise<boolean> {
    if (displaced) return false;
    const current = (await hotState.getRecords(INCARNATIONS))[holder];
    if (current === undefined || current === incarnation) {
      // Refresh (or restore, if hot state lost it) our claim on the id.
      await hotState.putRecord(INCARNATIONS, holder, incarnation, leaseTtlMs * 3);
      return true;
    }
    displaced = true;
    logger.error({ event: 'scheduler.id_taken', holder }, 'another scheduler started with this PHAROS_SCHEDULER_ID; this one stops leading');
    return false;
  }

  /**
   * Sharded: renew this scheduler's record and read the live set. Monitors it gains had their
   * recent slots skipped here while another scheduler owned them — or that one died before
   * publishing them — so those whose deadline has not passed are published now; a slot the
   * previous owner did publish has the same job id, and the bus keeps one.
   */
  let renewing = false;
  async function renewShare(): Promise<void> {
    if (!membership || renewing) return;
    renewing = true;
    try {
      const change = await membership.renew();
      if (!leader) logger.info({ event: 'scheduler.shard_joined', holder, members: change.current }, 'scheduler publishes its share of the monitors');
      leader = true;
      if (change.changed) {
        logger.info({ event: 'scheduler.shards_changed', holder, from: change.previous, to: change.current }, 'scheduler set changed; monitors rebalanced');
        rebalance(now(), change.previous);
      } else if (change.lapsed) {
        // Same owners, but we published nothing while our renewal was stale: our recent slots,
        // as far back as after a death (as the previous owner, we are the one that was away).
        logger.warn({ event: 'scheduler.shard_lapsed', holder }, 'scheduler renewal was late; publishing its recent slots again');
        void publishGained(0, now(), [holder]).catch((err) => logger.error({ err }, 'recent slots not published'));
      }
    } catch (err) {
      leader = membership.members().length > 0;
      logger.warn({ err }, 'scheduler shard renewal failed');
    } finally {
      renewing = false;
    }
  }

  /**
   * Loads what this scheduler owns now and forgets what it gave up, then publishes the gained
   * monitors' recent slots. Runs apart from the renewals (a reload of many monitors must not
   * make this scheduler's record late), one at a time: changes seen meanwhile run it once more,
   * looking back from the first of them.
   */
  let rebalancing: Promise<void> | undefined;
  let rebalanceSince: number | undefined;
  let rebalanceFrom: readonly string[] = [];
  function rebalance(detectedAt: number, previous: readonly string[]): void {
    if (rebalanceSince === undefined) rebalanceFrom = previous;
    rebalanceSince = Math.min(rebalanceSince ?? detectedAt, detectedAt);
    rebalancing ??= (async () => {
      while (rebalanceSince !== undefined && !stopped) {
        const since = rebalanceSince;
        const from = rebalanceFrom;
        rebalanceSince = undefined;
        const gainedFrom = ++holdGeneration;
        await fullReload();
        await publishGained(gainedFrom, since, from);
      }
    })().catch((err) => logger.error({ err }, 'rebalance failed')).finally(() => {
      rebalancing = undefined;
    });
  }

  /** `gainedFrom`: the hold generation from which a held monitor counts as gained (0: all of them). */
  async function publishGained(gainedFrom: number, detectedAt: number, previous: readonly string[]): Promise<void> {
    const t = now();
    // A dead owner's slots can go unpublished as far back as its last renewal before its
    // record expired (the record's TTL and our next renewal), with one renewal to spare.
    const afterDeathMs = shardTtlMs + 3 * renewEveryMs;
    // A live owner stops within one of its renewals of ours: two renewals back is enough.
    const afterHandOverMs = 2 * renewEveryMs;
    const current = membership!.members();
    const others = previous.length ? previous : current.filter((id) => id !== holder);
    const pass: Job[] = [];
    for (const m of monitors.values()) {
      if (m.heldSince < gainedFrom) continue;
      const intervalMs = m.intervalSeconds * 1000;
      const queued = queue.dueOf(m.handle) ?? Infinity;
      const previousOwner = ownerOf(m.id, others);
      const lookbackMs = previousOwner !== undefined && previousOwner !== holder && current.includes(previousOwner) ? afterHandOverMs : afterDeathMs;
      for (let slot = nextDueMs(m.id, intervalMs, detectedAt - lookbackMs - 1); slot < queued && slot <= t; slot += intervalMs) {
        const deadlineMs = jobDeadlineMs(m, slot);
        if (deadlineMs <= t || deps.inPauseWindow?.(m, slot)) continue;
        for (const region of m.regions) pass.push({ monitor: m, region, scheduledAtMs: slot, deadlineMs });
      }
    }
    if (pass.length === 0) return;
    logger.info({ event: 'scheduler.gained_slots_published', jobs: pass.length }, 'recent slots of gained monitors published');
    await publishPass(pass);
  }

  async function renewLease(): Promise<void> {
    if (membership) return renewShare();
    try {
      const held = (await stillOurs()) && (await hotState.acquireLease(LEASE, holder, leaseTtlMs));
      if (held !== leader) logger.info({ event: held ? 'scheduler.lease_acquired' : 'scheduler.lease_lost', holder }, held ? 'scheduler is now the leader' : 'scheduler lost the lease');
      const tookOver = held && !leader;
      leader = held;
      // Everything before our own first slot that the predecessor did not dispatch was missed.
      if (tookOver) await gaps.tookOver(monitors.values(), (m) => queue.dueOf(m.handle)).catch((err) => logger.error({ err }, 'missed slots not recorded'));
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
  deps.metrics?.observe(() => ({ monitors: monitors.size, leader, backlog: backlog.size }));
  // Sharded: the first renewal loads the monitors this scheduler owns.
  if (!membership) await fullReload();
  if (!membership) await hotState.putRecord(INCARNATIONS, holder, incarnation, leaseTtlMs * 3);
  await renewLease();
  const leaseTimer = setInterval(() => void renewLease(), renewEveryMs);
  const reloadTimer = setInterval(() => {
    fullReload().catch((err) => logger.error({ err }, 'full reload failed'));
  }, fullReloadMs);
  arm();
  logger.info({ event: 'scheduler.started', monitors: monitors.size, leader }, 'scheduler started');

  return {
    isLeader: () => leader,
    shardMembers: () => membership?.members() ?? [],
    size: () => monitors.size,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      clearInterval(leaseTimer);
      clearInterval(reloadTimer);
      await changes.unsubscribe();
      await gaps.stop();
      // Sharded: give the share up now, so the others take it at their next renewal.
      if (membership) {
        await rebalancing;
        await membership.leave().catch(() => undefined);
      }
      // Not when a newer process runs under our id: the lease is its lease now.
      else if (leader && (await stillOurs().catch(() => false))) {
        // Exactly where we stopped, so a standby records precisely the slots nobody published.
        if (dispatchedThrough !== undefined) await gaps.dispatched(dispatchedThrough, true).catch(() => undefined);
        await hotState.releaseLease(LEASE, holder).catch(() => undefined);
      }
      leader = false;
    },
  };
}

/** Job monitors get no agent jobs: their heartbeats arrive as pings (services/heartbeats). */
function isAgentChecked(m: Pick<Monitor, 'type'>): boolean {
  return AGENT_CHECKED_TYPES.includes(m.type);
}
