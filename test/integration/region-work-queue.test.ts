/**
 * Jobs wait for their region's agents (issue 10, docs/decisions.md "No silent gaps"), over
 * the machine's NATS: the scheduler publishes jobs while the region has no agent; when
 * agents start they run every job still in time exactly once (counted at the check targets
 * themselves, and stored once by ingest), and report the one whose deadline passed while it
 * waited as skipped. The suite's streams (unique prefix) are deleted afterwards.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MonitorChanged } from '../../proto/generated/pharos/v1/control.js';
import { startAgent, type RunningAgent } from '../../probe-agent/agent.js';
import { createCheckers } from '../../probe-agent/checks/registry.js';
import { startIngest, type IngestServer } from '../../services/ingest/server.js';
import { loadConfig } from '../../services/lib/config.js';
import { createLogger } from '../../services/lib/logger.js';
import { subjectsFor } from '../../services/lib/subjects.js';
import { MemoryJobBus } from '../../services/lib/adapters/memory/job-bus.js';
import { MemoryHotState } from '../../services/lib/adapters/memory/hot-state.js';
import { openNatsJobBus, type NatsJobBus } from '../../services/lib/adapters/nats/job-bus.js';
import { openChdbResultStore } from '../../services/lib/results/open.js';
import { startScheduler, type RunningScheduler } from '../../services/scheduler/scheduler.js';
import { buildCheckJob, encodeCheckJob } from '../../services/lib/monitors/check-job.js';
import { monitorDefaults, type Monitor } from '../../services/lib/monitors/model.js';
import { eventually, realService, uniqueName } from '../support/services.js';
import { deletePrefixStreams } from '../support/nats-streams.js';
import { pagedList } from '../support/monitor-source.js';

const natsUrl = realService('nats');

describe.skipIf(!natsUrl)('region work queue over NATS: jobs wait for the region\'s agents', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pharos-workq-'));
  const subjects = subjectsFor(uniqueName('workq'));
  const logger = createLogger('silent');
  const buses: NatsJobBus[] = [];
  const agents: RunningAgent[] = [];
  const targets: net.Server[] = [];
  let scheduler: RunningScheduler | undefined;
  let ingest: IngestServer | undefined;

  afterAll(async () => {
    await scheduler?.stop();
    for (const a of agents) await a.stop();
    await ingest?.stop();
    for (const t of targets) t.close();
    for (const b of buses) await b.close();
    await deletePrefixStreams(natsUrl!, subjects.prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  async function openBus(name: string): Promise<NatsJobBus> {
    const bus = await openNatsJobBus({ url: natsUrl!, prefix: subjects.prefix, logger, name });
    buses.push(bus);
    return bus;
  }

  /** A TCP target counting the connections (= check runs) it gets. */
  async function countingTarget(): Promise<{ port: number; runs: () => number }> {
    let runs = 0;
    const server = net.createServer((s) => {
      runs += 1;
      s.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    targets.push(server);
    return { port: (server.address() as net.AddressInfo).port, runs: () => runs };
  }

  it('runs jobs published while no agent was up once each when agents start, and reports an expired one as skipped', async () => {
    const config = loadConfig('dev', { PHAROS_REGIONS: 'UsEast', PHAROS_AGENT_BATCH_DELAY_MS: '20' });
    const store = openChdbResultStore(path.join(dir, 'ch'), 'pharos');
    await store.migrate();
    ingest = await startIngest({
      config, resultStore: store, bus: new MemoryJobBus(), subjects, hotState: new MemoryHotState(), logger,
      tokens: { verify: async (t) => (t === 'tok-us-0123456789abcdef0123' ? { tokenId: 'agt_1', region: 'UsEast', name: 'vm' } : null) },
    });

    // Three Port monitors checked daily: their jobs, published now (check now), are good for a day,
    // and their regular phase slot (somewhere in the day) practically never falls inside the test.
    const now = new Date();
    const monitors: Array<Monitor & { target: Awaited<ReturnType<typeof countingTarget>> }> = [];
    for (let i = 0; i < 3; i++) {
      const target = await countingTarget();
      monitors.push({
        ...monitorDefaults(['UsEast']), name: `wq${i}`, type: 'Port', hostname: '127.0.0.1', port: target.port, url: null,
        intervalSeconds: 86_400, timeoutSeconds: 5,
        id: `mon_wq${i}`, orgId: 'org_wq', pingToken: null, paused: false, revision: 1, status: 'Pending', lastCheckedAt: null, createdAt: now, updatedAt: now,
        target,
      });
    }
    const byId = new Map(monitors.map((m) => [m.id, m]));
    const schedulerBus = await openBus('workq-scheduler');
    const published: string[] = [];
    scheduler = await startScheduler({
      monitors: { listActivePage: pagedList(() => monitors), getById: async (id) => byId.get(id) ?? null },
      bus: schedulerBus, hotState: new MemoryHotState(), subjects, logger, schedulerId: 'workq',
      onDispatch: (monitorId, dueMs) => void published.push(`${monitorId}.UsEast.${dueMs}`),
    });
    await eventually(() => scheduler!.isLeader(), { what: 'the scheduler to lead' });
    // No agent of UsEast exists yet: with core NATS these jobs would be gone.
    for (const m of monitors) {
      await schedulerBus.publish(subjects.monitorsChanged, MonitorChanged.encode({ monitorId: m.id, orgId: m.orgId, checkNow: true }).finish());
    }
    await eventually(() => monitors.every((m) => published.some((id) => id.startsWith(`${m.id}.`))), { what: 'a job per monitor published' });
    // And one whose deadline passes while it waits (as a slot of a 1 s monitor would).
    const late = { ...monitors[0], id: 'mon_wq_late', intervalSeconds: 1 };
    const lateJob = buildCheckJob(late, 'UsEast', Date.now());
    await schedulerBus.publishWork(subjects.jobs('UsEast'), encodeCheckJob(lateJob), { msgId: lateJob.jobId, deadlineMs: lateJob.deadlineMs });
    await eventually(() => Date.now() > lateJob.deadlineMs, { what: 'the late job\'s deadline to pass' });
    expect(monitors.map((m) => m.target.runs())).toEqual([0, 0, 0]);

    // Two agents of the region start and share what waited.
    for (const agentId of ['wq-agent-1', 'wq-agent-2']) {
      agents.push(await startAgent({
        config: { ...config.agent, ingestAddress: `127.0.0.1:${ingest.port}`, agentId },
        region: 'UsEast', token: 'tok-us-0123456789abcdef0123', bus: await openBus(agentId), subjects, logger, checkers: createCheckers(),
      }));
    }

    const stored = async (m: Pick<Monitor, 'id' | 'orgId'>) => store.recentResults({ orgId: m.orgId, monitorId: m.id, limit: 10 });
    await eventually(async () => {
      for (const m of monitors) if ((await stored(m)).length === 0) return false;
      return (await stored(late)).length > 0;
    }, { timeoutMs: 20_000, what: 'results of every waiting job' });
    // Barrier: one more job, taken after any duplicate of the first ones would have been.
    const barrier = buildCheckJob(monitors[0], 'UsEast', Date.now());
    await schedulerBus.publishWork(subjects.jobs('UsEast'), encodeCheckJob(barrier), { msgId: barrier.jobId, deadlineMs: barrier.deadlineMs });
    await eventually(() => monitors[0].target.runs() === 2, { timeoutMs: 10_000, what: 'the barrier job to run' });
    await eventually(async () => (await stored(monitors[0])).length === 2, { timeoutMs: 10_000, what: 'the barrier result' });

    expect(monitors.map((m) => m.target.runs())).toEqual([2, 1, 1]);
    for (const m of monitors.slice(1)) {
      const results = await stored(m);
      expect(results).toHaveLength(1);
      expect(results[0]).toMatchObject({ status: 'up', region: 'UsEast' });
      expect(published).toContain(results[0].resultId);
    }
    const lateResults = await stored(late);
    expect(lateResults).toHaveLength(1);
    expect(lateResults[0]).toMatchObject({ resultId: lateJob.jobId, status: 'skipped' });
  });
});
