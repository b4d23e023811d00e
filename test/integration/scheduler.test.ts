import { afterEach, describe, expect, it } from 'vitest';
import { CheckJob } from '../../proto/generated/pharos/v1/check.js';
import { ResultBatch } from '../../proto/generated/pharos/v1/agent.js';
import { CheckResult, CheckStatus, ErrorKind } from '../../proto/generated/pharos/v1/result.js';
import { MonitorChanged } from '../../proto/generated/pharos/v1/control.js';
import { startScheduler, type RunningScheduler } from '../../services/scheduler/scheduler.js';
import { MemoryJobBus } from '../../services/lib/adapters/memory/job-bus.js';
import { MemoryHotState } from '../../services/lib/adapters/memory/hot-state.js';
import { openRedisHotState } from '../../services/lib/adapters/redis/hot-state.js';
import { subjectsFor } from '../../services/lib/subjects.js';
import { createLogger } from '../../services/lib/logger.js';
import { monitorDefaults, type Monitor } from '../../services/lib/monitors/model.js';
import type { HotState } from '../../services/lib/ports/hot-state.js';
import { eventually, realService, uniqueName } from '../support/services.js';
import { pagedList } from '../support/monitor-source.js';

const logger = createLogger('silent');
const subjects = subjectsFor('sched');

function monitor(id: string, over: Partial<Monitor> = {}): Monitor {
  const now = new Date();
  return {
    ...monitorDefaults(['UsEast', 'EuWest']), name: id, type: 'Website', url: 'http://127.0.0.1:9/',
    id, orgId: 'org_1', pingToken: null, paused: false, revision: 1, status: 'Pending', lastCheckedAt: null, createdAt: now, updatedAt: now, ...over,
  };
}

/** A monitor source the test can change, like the store behind the api. */
function source(initial: Monitor[]) {
  const byId = new Map(initial.map((m) => [m.id, m]));
  return {
    byId,
    listActivePage: pagedList(() => [...byId.values()].filter((m) => !m.paused)),
    getById: async (id: string) => byId.get(id) ?? null,
  };
}

async function collectJobs(bus: MemoryJobBus, region: string) {
  const jobs: CheckJob[] = [];
  await bus.subscribe(subjects.jobs(region), (data) => { jobs.push(CheckJob.decode(data)); });
  return jobs;
}

const running: RunningScheduler[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

describe('scheduler', () => {
  it('publishes one job per region for a new monitor within a second of its change notice, with a deadline', async () => {
    const bus = new MemoryJobBus();
    const monitors = source([]);
    const us = await collectJobs(bus, 'UsEast');
    const eu = await collectJobs(bus, 'EuWest');
    running.push(await startScheduler({ monitors, bus, hotState: new MemoryHotState(), subjects, logger, schedulerId: 'solo' }));

    const m = monitor('mon_new', { intervalSeconds: 60 });
    monitors.byId.set(m.id, m);
    const noticedAt = Date.now();
    await bus.publish(subjects.monitorsChanged, MonitorChanged.encode({ monitorId: m.id, orgId: m.orgId, checkNow: true }).finish());
    await eventually(() => us.length === 1 && eu.length === 1, { timeoutMs: 1_000, what: 'jobs in both regions within a second' });
    expect(Date.now() - noticedAt).toBeLessThan(1_000);
    const job = us[0];
    expect(job).toMatchObject({ monitorId: 'mon_new', orgId: 'org_1', region: 'UsEast', timeoutMs: 30_000 });
    expect(job.jobId).toBe(`mon_new.UsEast.${job.scheduledAtMs}`);
    expect(job.deadlineMs - job.scheduledAtMs).toBe(60_000);
    expect(job.settings).toEqual({ $case: 'website', value: expect.objectContaining({ url: 'http://127.0.0.1:9/', method: 'GET', expectedStatusCode: 200 }) });
  });

  it('keeps a monitor on its phase grid, one job per interval, and stops after a delete notice', async () => {
    const bus = new MemoryJobBus();
    const m = monitor('mon_grid', { intervalSeconds: 1, timeoutSeconds: 1, regions: ['UsEast'] });
    const monitors = source([m]);
    const us = await collectJobs(bus, 'UsEast');
    running.push(await startScheduler({ monitors, bus, hotState: new MemoryHotState(), subjects, logger, schedulerId: 'solo' }));
    await eventually(() => us.length >= 3, { timeoutMs: 5_000, what: 'three jobs' });
    const times = us.map((j) => j.scheduledAtMs);
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBe(1_000);
    expect(new Set(times.map((t) => t % 1_000)).size).toBe(1);

    monitors.byId.delete(m.id);
    const scheduler = running[0];
    await bus.publish(subjects.monitorsChanged, MonitorChanged.encode({ monitorId: m.id, orgId: m.orgId, checkNow: false }).finish());
    await eventually(() => scheduler.size() === 0, { timeoutMs: 1_000, what: 'the monitor to leave the schedule' });
    const count = us.length;
    const quietUntil = Date.now() + 2_500;
    await eventually(() => Date.now() > quietUntil, { timeoutMs: 5_000, what: 'two and a half intervals' });
    expect(us.length).toBe(count);
  });

  it('a periodic reload reads the store in pages: picks up changes, forgets deleted and paused monitors, keeps the others on their slots', async () => {
    const bus = new MemoryJobBus();
    const ids = ['mon_p1', 'mon_p2', 'mon_p3', 'mon_p4', 'mon_p5', 'mon_p6', 'mon_p7'];
    const monitors = source(ids.map((id) => monitor(id, { intervalSeconds: 1, timeoutSeconds: 1, regions: ['UsEast'] })));
    const pages: Array<[string | null, number]> = [];
    const listActivePage = monitors.listActivePage;
    monitors.listActivePage = async (after, limit) => { pages.push([after, limit]); return listActivePage(after, limit); };
    const us = await collectJobs(bus, 'UsEast');
    const scheduler = await startScheduler({ monitors, bus, hotState: new MemoryHotState(), subjects, logger, schedulerId: 'solo', reloadPageSize: 3, fullReloadMs: 300 });
    running.push(scheduler);
    expect(scheduler.size()).toBe(7);
    // 7 monitors in pages of 3: three reads, each after the last id of the page before.
    expect(pages.slice(0, 3)).toEqual([[null, 3], ['mon_p3', 3], ['mon_p6', 3]]);

    // Changed without a notice: a deleted, a paused, a new monitor and a new URL, seen by the next reload.
    monitors.byId.delete('mon_p2');
    monitors.byId.set('mon_p5', { ...monitors.byId.get('mon_p5')!, paused: true });
    monitors.byId.set('mon_p8', monitor('mon_p8', { intervalSeconds: 1, timeoutSeconds: 1, regions: ['UsEast'] }));
    monitors.byId.set('mon_p1', { ...monitors.byId.get('mon_p1')!, url: 'http://127.0.0.1:9/changed', revision: 2 });
    const changedAt = Date.now();
    await eventually(() => scheduler.size() === 6 && us.some((j) => j.monitorId === 'mon_p8'), { timeoutMs: 3_000, what: 'the reload to see the changes' });
    const after = Date.now() + 1_000;
    await eventually(() => Date.now() > after + 1_100, { timeoutMs: 5_000, what: 'two more intervals' });
    const since = (id: string) => us.filter((j) => j.monitorId === id && j.scheduledAtMs > after);
    expect(since('mon_p2')).toEqual([]);
    expect(since('mon_p5')).toEqual([]);
    for (const id of ['mon_p1', 'mon_p3', 'mon_p4', 'mon_p6', 'mon_p7', 'mon_p8']) expect(since(id).length, id).toBeGreaterThanOrEqual(1);
    const p1 = us.filter((j) => j.monitorId === 'mon_p1' && j.scheduledAtMs > changedAt + 1_000);
    expect(p1.length).toBeGreaterThan(0);
    expect(p1.every((j) => j.settings?.$case === 'website' && j.settings.value.url === 'http://127.0.0.1:9/changed' && j.monitorRevision === 2)).toBe(true);
    // Every monitor stayed on its phase grid: one job per slot, none doubled by the reloads.
    const slots = us.map((j) => j.jobId);
    expect(new Set(slots).size).toBe(slots.length);
  });

  const redisUrl = realService('redis');
  const leaseBackends: Array<[string, () => Promise<HotState>]> = [['memory', async () => new MemoryHotState()]];
  if (redisUrl) leaseBackends.push(['redis', () => openRedisHotState({ url: redisUrl, prefix: `${uniqueName('sched')}:` })]);

  it.each(leaseBackends)('only the lease holder publishes; a standby takes over when it stops (%s)', async (_name, open) => {
    const hotState = await open();
    const bus = new MemoryJobBus();
    const m = monitor('mon_lease', { intervalSeconds: 1, timeoutSeconds: 1, regions: ['UsEast'] });
    const monitors = source([m]);
    const us = await collectJobs(bus, 'UsEast');
    const a = await startScheduler({ monitors, bus, hotState, subjects, logger, schedulerId: 'a', leaseTtlMs: 600 });
    const b = await startScheduler({ monitors, bus, hotState, subjects, logger, schedulerId: 'b', leaseTtlMs: 600 });
    running.push(b);
    expect([a.isLeader(), b.isLeader()].filter(Boolean)).toHaveLength(1);
    const [leader, standby] = a.isLeader() ? [a, b] : [b, a];
    await eventually(() => us.length >= 2, { timeoutMs: 5_000, what: 'jobs from the leader' });
    // Exactly one job per slot while two schedulers run.
    const slots = us.map((j) => j.scheduledAtMs);
    expect(new Set(slots).size).toBe(slots.length);

    await leader.stop();
    await eventually(() => standby.isLeader(), { timeoutMs: 3_000, what: 'the standby to take the lease' });
    const before = us.length;
    await eventually(() => us.length >= before + 2, { timeoutMs: 5_000, what: 'jobs from the new leader' });
    const all = us.map((j) => j.scheduledAtMs);
    expect(new Set(all).size).toBe(all.length);
    await hotState.close();
  });

  it.each(leaseBackends)('a scheduler killed and restarted under the same id leads at once, without waiting out its lease (%s)', async (_name, open) => {
    const hotState = await open();
    const bus = new MemoryJobBus();
    const m = monitor('mon_restart', { intervalSeconds: 1, timeoutSeconds: 1, regions: ['UsEast'] });
    const us = await collectJobs(bus, 'UsEast');
    // What `kill -9` leaves behind: the dead process's lease, still valid for a long time.
    expect(await hotState.acquireLease('scheduler', 'host-1', 60_000)).toBe(true);
    const stranger = await startScheduler({ monitors: source([m]), bus, hotState, subjects, logger, schedulerId: 'host-2', leaseTtlMs: 60_000 });
    running.push(stranger);
    expect(stranger.isLeader()).toBe(false);

    const restarted = await startScheduler({ monitors: source([m]), bus, hotState, subjects, logger, schedulerId: 'host-1', leaseTtlMs: 60_000 });
    running.push(restarted);
    expect(restarted.isLeader()).toBe(true);
    await eventually(() => us.length >= 1, { timeoutMs: 2_000, what: 'a job from the restarted scheduler' });
    await hotState.close();
  });

  it.each(leaseBackends)('a standby with another id takes a dead holder\'s lease within the lease time (%s)', async (_name, open) => {
    const hotState = await open();
    const bus = new MemoryJobBus();
    const m = monitor('mon_dead', { intervalSeconds: 1, timeoutSeconds: 1, regions: ['UsEast'] });
    const leaseTtlMs = 900;
    expect(await hotState.acquireLease('scheduler', 'dead-host', leaseTtlMs)).toBe(true);
    const diedAt = Date.now();
    const standby = await startScheduler({ monitors: source([m]), bus, hotState, subjects, logger, schedulerId: 'standby', leaseTtlMs });
    running.push(standby);
    expect(standby.isLeader()).toBe(false);
    await eventually(() => standby.isLeader(), { timeoutMs: 3_000, what: 'the standby to take the lease' });
    // The lease plus at most one renewal period (ttl / 3), with room for a slow machine.
    expect(Date.now() - diedAt).toBeLessThan(leaseTtlMs + leaseTtlMs / 3 + 500);
    await hotState.close();
  });

  it.each(leaseBackends)('of two live schedulers given the same id, only the newer one keeps publishing (%s)', async (_name, open) => {
    const hotState = await open();
    const bus = new MemoryJobBus();
    const m = monitor('mon_twin', { intervalSeconds: 1, timeoutSeconds: 1, regions: ['UsEast'] });
    const older = await startScheduler({ monitors: source([m]), bus, hotState, subjects, logger, schedulerId: 'twin', leaseTtlMs: 600 });
    running.push(older);
    expect(older.isLeader()).toBe(true);
    const newer = await startScheduler({ monitors: source([m]), bus, hotState, subjects, logger, schedulerId: 'twin', leaseTtlMs: 600 });
    running.push(newer);
    await eventually(() => !older.isLeader(), { timeoutMs: 2_000, what: 'the older twin to stop leading' });
    expect(newer.isLeader()).toBe(true);
    // Stopping the displaced one must not release the newer one's lease.
    await older.stop();
    expect(await hotState.acquireLease('scheduler', 'someone-else', 600)).toBe(false);
    await hotState.close();
  });

  /** A hot state and bus as one process sees them: after `crash()` every call fails, as if the process were gone. */
  function processView(hotState: HotState, bus: MemoryJobBus) {
    let crashed = false;
    const gone = () => Promise.reject(new Error('process is dead'));
    const view = {
      crash: () => { crashed = true; },
      hotState: new Proxy(hotState, { get: (t, k) => (crashed && k !== 'close' ? gone : (t as never)[k]) }) as HotState,
      bus: new Proxy(bus, { get: (t, k) => (crashed ? gone : typeof (t as never)[k] === 'function' ? ((t as never)[k] as (...a: unknown[]) => unknown).bind(t) : (t as never)[k]) }) as MemoryJobBus,
    };
    return view;
  }

  async function collectMissed(bus: MemoryJobBus) {
    const missed: CheckResult[] = [];
    await bus.consumeDurable({ durable: uniqueName('missed'), subject: subjects.missedResults }, async (msg) => {
      missed.push(...ResultBatch.decode(msg.data).results);
    });
    return missed;
  }

  it.each(leaseBackends)('after kill -9 and a restart, every slot is published once or recorded missed, none absent (%s)', async (_name, open) => {
    const hotState = await open();
    const bus = new MemoryJobBus();
    const m = monitor('mon_gap', { intervalSeconds: 1, timeoutSeconds: 1, regions: ['UsEast', 'EuWest'] });
    const jobs = { UsEast: await collectJobs(bus, 'UsEast'), EuWest: await collectJobs(bus, 'EuWest') };
    const missed = await collectMissed(bus);

    const first = processView(hotState, bus);
    const dead = await startScheduler({ monitors: source([m]), bus: first.bus, hotState: first.hotState, subjects, logger, schedulerId: 'host-1', leaseTtlMs: 60_000, missedSettleMs: 0 });
    running.push(dead);
    await eventually(() => jobs.UsEast.length >= 3, { timeoutMs: 5_000, what: 'jobs before the crash' });
    first.crash();
    const crashedAt = Date.now();
    // Down for a few slots before the restart.
    await eventually(() => Date.now() - crashedAt > 2_500, { timeoutMs: 5_000, intervalMs: 100, what: 'the outage' });

    const restarted = await startScheduler({ monitors: source([m]), bus, hotState, subjects, logger, schedulerId: 'host-1', leaseTtlMs: 60_000, missedSettleMs: 0 });
    running.push(restarted);
    expect(restarted.isLeader()).toBe(true);
    await eventually(() => missed.length >= 4 && jobs.UsEast.at(-1)!.scheduledAtMs > crashedAt + 3_000, { timeoutMs: 8_000, what: 'missed records and new jobs' });

    for (const region of ['UsEast', 'EuWest'] as const) {
      const published = jobs[region].map((j) => j.scheduledAtMs);
      const recorded = missed.filter((r) => r.region === region);
      expect(recorded.every((r) => r.status === CheckStatus.CHECK_STATUS_MISSED && r.errorKind === ErrorKind.ERROR_KIND_SCHEDULER_DOWN)).toBe(true);
      expect(recorded.every((r) => r.resultId === `mon_gap.${region}.${r.scheduledAtMs}`)).toBe(true);
      const missedSlots = recorded.map((r) => r.scheduledAtMs);
      expect(new Set(published).size).toBe(published.length);
      expect(new Set(missedSlots).size).toBe(missedSlots.length);
      // The marker trails the last publish by at most a second: only slots in that trail can be
      // both published and recorded (ingest keeps the real result, which arrives first).
      for (const both of missedSlots.filter((t) => published.includes(t))) expect(crashedAt - both).toBeLessThanOrEqual(1_000);
      const covered = [...new Set([...published, ...missedSlots])].sort((a, b) => a - b);
      for (let i = 1; i < covered.length; i++) expect(covered[i] - covered[i - 1]).toBe(1_000);
      expect(missedSlots.some((t) => t > crashedAt)).toBe(true);
    }
    await hotState.close();
  });

  it.each(leaseBackends)('a standby taking over from a stopped leader records exactly the slots between them as missed (%s)', async (_name, open) => {
    const hotState = await open();
    const bus = new MemoryJobBus();
    const m = monitor('mon_handover', { intervalSeconds: 1, timeoutSeconds: 1, regions: ['UsEast'] });
    const us = await collectJobs(bus, 'UsEast');
    const missed = await collectMissed(bus);
    const leaseTtlMs = 3_000;
    const a = await startScheduler({ monitors: source([m]), bus, hotState, subjects, logger, schedulerId: 'a', leaseTtlMs, missedSettleMs: 0 });
    await eventually(() => us.length >= 2, { timeoutMs: 5_000, what: 'jobs from the leader' });
    const b = await startScheduler({ monitors: source([m]), bus, hotState, subjects, logger, schedulerId: 'b', leaseTtlMs, missedSettleMs: 0 });
    running.push(b);
    await a.stop();
    // Someone else holds the lease for a while (a third scheduler that then died): slots pass with no leader.
    expect(await hotState.acquireLease('scheduler', 'short-lived', 2_500)).toBe(true);
    await eventually(() => b.isLeader(), { timeoutMs: 6_000, what: 'the standby to take over' });
    await eventually(() => missed.length >= 1 && us.length >= 4, { timeoutMs: 6_000, what: 'missed records and jobs from the standby' });
    const published = us.map((j) => j.scheduledAtMs);
    const missedSlots = missed.map((r) => r.scheduledAtMs);
    // A clean stop writes its exact progress: no slot is both published and missed.
    expect(missedSlots.filter((t) => published.includes(t))).toEqual([]);
    const covered = [...published, ...missedSlots].sort((x, y) => x - y);
    for (let i = 1; i < covered.length; i++) expect(covered[i] - covered[i - 1]).toBe(1_000);
    await hotState.close();
  });
});

