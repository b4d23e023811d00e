/**
 * The scheduler across a NATS outage, on a private nats-server the test stops and starts:
 * jobs that fall due meanwhile are kept and published when NATS returns while their
 * deadline allows, and recorded missed (`bus_unavailable`) otherwise or when the bound is
 * exceeded. Exact slot accounting (result ids are `<monitor>.<region>.<scheduled ms>`):
 * every slot is published once or recorded missed once, none absent, none both.
 *
 * Jobs are taken from the regions' work queues, as agents take them; that a job waits for
 * an agent that is not taking jobs yet is test/integration/region-work-queue.test.ts's.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { CheckJob } from '../../proto/generated/pharos/v1/check.js';
import { ResultBatch } from '../../proto/generated/pharos/v1/agent.js';
import { CheckStatus, ErrorKind, type CheckResult } from '../../proto/generated/pharos/v1/result.js';
import { openNatsJobBus, type NatsJobBus } from '../../services/lib/adapters/nats/job-bus.js';
import { MemoryHotState } from '../../services/lib/adapters/memory/hot-state.js';
import type { HotState } from '../../services/lib/ports/hot-state.js';
import type { JobBus } from '../../services/lib/ports/job-bus.js';
import { startScheduler, type RunningScheduler } from '../../services/scheduler/scheduler.js';
import { subjectsFor } from '../../services/lib/subjects.js';
import { createLogger } from '../../services/lib/logger.js';
import { monitorDefaults, type Monitor } from '../../services/lib/monitors/model.js';
import { eventually, servicesRequired, uniqueName } from '../support/services.js';
import { NATS_SERVER, natsServerAvailable, privateNats, type PrivateNats } from '../support/private-nats.js';
import { pagedList } from '../support/monitor-source.js';

if (!natsServerAvailable && servicesRequired) {
  it('nats-server is installed (PHAROS_TEST_SERVICES=required)', () => {
    throw new Error(`${NATS_SERVER} was not found; the NATS outage suite needs it`);
  });
}

const logger = createLogger('silent');

describe.skipIf(!natsServerAvailable)('scheduler across a NATS outage', () => {
  let nats: PrivateNats | undefined;
  let bus: NatsJobBus | undefined;
  let scheduler: RunningScheduler | undefined;
  const others: RunningScheduler[] = [];
  afterAll(async () => {
    await scheduler?.stop();
    for (const s of others) await s.stop().catch(() => undefined);
    await bus?.close();
    await nats?.dispose();
  });

  it('keeps jobs while NATS is down, publishes those still in time, records the rest missed: every slot once', async () => {
    nats = await privateNats();
    const subjects = subjectsFor(uniqueName('outage'));
    bus = await openNatsJobBus({ url: nats.url, prefix: subjects.prefix, logger, name: 'outage-test' });
    const regions = ['UsEast', 'EuWest'] as const;
    const jobs = new Map<string, CheckJob[]>(regions.map((r) => [r, []]));
    const receivedAt = new Map<string, number>();
    const expired: string[] = [];
    for (const region of regions) {
      // As the region's agents take them: from its work queue.
      await bus.consumeWork({ subject: subjects.jobs(region), onExpired: (msg) => void expired.push(CheckJob.decode(msg.data).jobId) }, async (msg) => {
        const job = CheckJob.decode(msg.data);
        jobs.get(region)!.push(job);
        receivedAt.set(job.jobId, Date.now());
      });
    }
    const missed: CheckResult[] = [];
    await bus.consumeDurable({ durable: 'outage-missed', subject: subjects.missedResults }, async (msg) => {
      missed.push(...ResultBatch.decode(msg.data).results);
    });

    const now = new Date();
    const m: Monitor = {
      ...monitorDefaults([...regions]), name: 'mon_outage', type: 'Website', url: 'http://127.0.0.1:9/', intervalSeconds: 2, timeoutSeconds: 1,
      id: 'mon_outage', orgId: 'org_1', pingToken: null, paused: false, revision: 1, status: 'Pending', lastCheckedAt: null, createdAt: now, updatedAt: now,
    };
    scheduler = await startScheduler({
      monitors: { listActivePage: pagedList(() => [m]), getById: async () => m },
      bus, hotState: new MemoryHotState(), subjects, logger, schedulerId: 'outage', missedSettleMs: 0,
      // Two regions, two or three slots down: the bound is exceeded, so dropping is exercised too.
      backlogMaxJobs: 3,
    });
    await eventually(() => regions.every((r) => jobs.get(r)!.length >= 2), { timeoutMs: 10_000, what: 'jobs before the outage' });

    await nats.stop();
    const stoppedAt = Date.now();
    await eventually(() => Date.now() - stoppedAt >= 5_000, { timeoutMs: 10_000, intervalMs: 100, what: 'five seconds of outage' });
    await nats.start();
    const restartedAt = Date.now();

    await eventually(() => regions.every((r) => jobs.get(r)!.some((j) => j.scheduledAtMs > restartedAt + 2_000)), { timeoutMs: 30_000, what: 'jobs after the outage' });
    await eventually(() => missed.some((r) => r.scheduledAtMs > stoppedAt), { timeoutMs: 30_000, what: 'missed records for the outage' });
    await scheduler.stop();
    scheduler = undefined;
    await bus.flush();

    expect(expired).toEqual([]);
    const reasons = new Set(missed.map((r) => r.errorKind));
    expect(reasons).toEqual(new Set([ErrorKind.ERROR_KIND_BUS_UNAVAILABLE]));
    expect(missed.every((r) => r.status === CheckStatus.CHECK_STATUS_MISSED)).toBe(true);
    for (const region of regions) {
      const published = jobs.get(region)!.map((j) => j.scheduledAtMs);
      const recorded = missed.filter((r) => r.region === region).map((r) => r.scheduledAtMs);
      expect(new Set(published).size).toBe(published.length);
      expect(new Set(recorded).size).toBe(recorded.length);
      expect(recorded.filter((t) => published.includes(t))).toEqual([]);
      const all = [...published, ...recorded].sort((a, b) => a - b);
      for (let i = 1; i < all.length; i++) expect(all[i] - all[i - 1]).toBe(2_000);
      // Every slot inside the outage is accounted for.
      expect(all.filter((t) => t > stoppedAt && t < restartedAt).length).toBeGreaterThanOrEqual(2);
      // Nothing was published past its deadline.
      for (const j of jobs.get(region)!) expect(receivedAt.get(j.jobId)!).toBeLessThanOrEqual(j.deadlineMs);
    }
  });

  it('a scheduler killed during the outage loses no slot: what it held unpublished is recorded missed by the next one', async () => {
    const outage = await privateNats();
    const subjects = subjectsFor(uniqueName('outage_kill'));
    const shared = await openNatsJobBus({ url: outage.url, prefix: subjects.prefix, logger, name: 'outage-kill-test' });
    try {
      const published: CheckJob[] = [];
      await shared.consumeWork({ subject: subjects.jobs('UsEast') }, async (msg) => void published.push(CheckJob.decode(msg.data)));
      const missed: CheckResult[] = [];
      await shared.consumeDurable({ durable: 'outage-kill-missed', subject: subjects.missedResults }, async (msg) => {
        missed.push(...ResultBatch.decode(msg.data).results);
      });
      const now = new Date();
      const m: Monitor = {
        ...monitorDefaults(['UsEast']), name: 'mon_kill', type: 'Website', url: 'http://127.0.0.1:9/', intervalSeconds: 1, timeoutSeconds: 1,
        id: 'mon_kill', orgId: 'org_1', pingToken: null, paused: false, revision: 1, status: 'Pending', lastCheckedAt: null, createdAt: now, updatedAt: now,
      };
      const hotState = new MemoryHotState();
      // The first scheduler's view of its hot state and bus: after `crash()` every call fails,
      // as if its process were gone (kill -9): what it kept in memory goes with it.
      let crashed = false;
      const gone = () => Promise.reject(new Error('process is dead'));
      const view = <T extends object>(t: T): T =>
        new Proxy(t, { get: (o, k) => (crashed && k !== 'close' ? gone : typeof (o as never)[k] === 'function' ? ((o as never)[k] as (...a: unknown[]) => unknown).bind(o) : (o as never)[k]) });
      const first = await startScheduler({
        monitors: { listActivePage: pagedList(() => [m]), getById: async () => m },
        bus: view<JobBus>(shared), hotState: view<HotState>(hotState), subjects, logger, schedulerId: 'kill', missedSettleMs: 0, leaseTtlMs: 60_000,
      });
      others.push(first);
      await eventually(() => published.length >= 2, { timeoutMs: 10_000, what: 'jobs before the outage' });

      await outage.stop();
      const stoppedAt = Date.now();
      // Three slots fall due and are kept (or recorded missed in memory) by the first scheduler.
      await eventually(() => Date.now() - stoppedAt >= 3_500, { timeoutMs: 10_000, intervalMs: 100, what: 'the outage' });
      crashed = true;
      const crashedAt = Date.now();
      await outage.start();
      const second = await startScheduler({
        monitors: { listActivePage: pagedList(() => [m]), getById: async () => m },
        bus: shared, hotState, subjects, logger, schedulerId: 'kill', missedSettleMs: 0, leaseTtlMs: 60_000,
      });
      others.push(second);
      await eventually(() => published.some((j) => j.scheduledAtMs > crashedAt + 2_000), { timeoutMs: 30_000, what: 'jobs from the second scheduler' });
      await eventually(() => missed.some((r) => r.scheduledAtMs > stoppedAt && r.scheduledAtMs < crashedAt), { timeoutMs: 30_000, what: 'the outage recorded' });

      const slots = published.map((j) => j.scheduledAtMs);
      const recorded = missed.map((r) => r.scheduledAtMs);
      expect(new Set(slots).size).toBe(slots.length);
      expect(new Set(recorded).size).toBe(recorded.length);
      expect(missed.every((r) => r.status === CheckStatus.CHECK_STATUS_MISSED && r.resultId === `mon_kill.UsEast.${r.scheduledAtMs}`)).toBe(true);
      // None absent: from the first slot to the last, every second is published or recorded.
      const covered = [...new Set([...slots, ...recorded])].sort((a, b) => a - b);
      for (let i = 1; i < covered.length; i++) expect(covered[i] - covered[i - 1]).toBe(1_000);
      // Every slot of the outage is recorded: the first scheduler died holding them.
      expect(recorded.filter((t) => t > stoppedAt && t < crashedAt).length).toBeGreaterThanOrEqual(3);
      // Both published and recorded only at the marker's edge (ingest keeps the real result).
      for (const both of recorded.filter((t) => slots.includes(t))) expect(stoppedAt - both).toBeLessThanOrEqual(1_000);
    } finally {
      await shared.close();
      await outage.dispose();
    }
  }, 60_000);
});
