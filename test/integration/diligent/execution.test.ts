/**
 * Diligent executions travel the work queue: stored schedules with a controllable clock,
 * run_now, expiry, running_state IDLE → QUEUED → RUNNING → IDLE, and a restart in the middle
 * of a run losing nothing (the message handed back or re-published, the run completed once).
 * Real Postgres and NATS when configured; PGlite and the in-process bus otherwise.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { openControlPlane } from '../../support/api-harness.js';
import { eventually, realService, uniqueName } from '../../support/services.js';
import { deletePrefixStreams } from '../../support/nats-streams.js';
import { createLogger } from '../../../services/lib/logger.js';
import { MemoryJobBus } from '../../../services/lib/adapters/memory/job-bus.js';
import { openNatsJobBus } from '../../../services/lib/adapters/nats/job-bus.js';
import type { JobBus } from '../../../services/lib/ports/job-bus.js';
import type { SqlClient } from '../../../services/lib/ports/sql-client.js';
import { OrganizationStore } from '../../../services/lib/tenancy/organizations.js';
import { MonitoringStore, type Monitoring } from '../../../services/diligent/store.js';
import { diligentSubjects } from '../../../services/diligent/subjects.js';
import { createDiligentScheduler, type DiligentScheduler } from '../../../services/diligent/scheduler.js';
import { startDiligentWorker, type DiligentWorker, type RunChecks } from '../../../services/diligent/worker.js';
import type { Finding } from '../../../services/diligent/checks/finding.js';
import { DAY_MS, type CheckName, type Frequency } from '../../../services/diligent/contract.js';

const databaseUrl = realService('database');
const natsUrl = realService('nats');
const logger = createLogger('silent');
const prefix = uniqueName('dil');
const subjects = diligentSubjects(prefix);
const T0 = Date.parse('2026-03-01T00:00:00Z');
const REDISPATCH_MS = 15 * 60_000;

let sql: SqlClient;
let drop: () => Promise<void>;
let store: MonitoringStore;
let orgId: string;
let clock = T0;
const now = () => clock;
const buses: JobBus[] = [];
const workers: DiligentWorker[] = [];

async function openBus(): Promise<JobBus> {
  const bus = natsUrl
    ? await openNatsJobBus({ url: natsUrl, prefix, logger, name: 'pharos-test-diligent', workAckWaitMs: 1_000, backoffMs: [100] })
    : new MemoryJobBus({ workAckWaitMs: 1_000, backoffMs: [100] });
  buses.push(bus);
  return bus;
}

/** Checks that finish when the test says so: each call waits for `release()`, and records what it was asked. */
function gatedRunner() {
  const calls: Array<{ website: string; checks: CheckName[]; orgId?: string }> = [];
  let open = false;
  const waiting: Array<() => void> = [];
  const runChecks: RunChecks = async (request, signal) => {
    calls.push(request);
    if (!open) {
      await new Promise<void>((resolve, reject) => {
        waiting.push(resolve);
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    }
    return request.checks.map((check): Finding => ({ check, verdict: 'clear', confidence: 0.9, summary: `${check} ran for ${request.website}`, evidence: [] }));
  };
  return { runChecks, calls, release: () => { open = true; waiting.splice(0).forEach((r) => r()); } };
}

async function createMonitoring(over: { frequency?: Frequency; expiresInMs?: number; runNow?: boolean } = {}): Promise<Monitoring> {
  const frequency = over.frequency ?? 'weekly';
  const m = await store.create({
    id: randomUUID(), orgId, website: `https://${uniqueName('site').replace(/_/g, '-')}.example.org`, canonicalOrigin: uniqueName('origin'),
    checks: ['non_operational_website', 'high_risk_mcc'], frequency, nextRunAtMs: clock + 7 * DAY_MS, runRequested: over.runNow ?? false,
    expiresAtMs: clock + (over.expiresInMs ?? 180 * DAY_MS), nowMs: clock,
  });
  return m!;
}

const reload = async (id: string) => (await store.get(orgId, id))!;
const executionsOf = async (id: string) => (await store.executions(orgId, id, 100, 0)).items;

beforeAll(async () => {
  ({ sql, drop } = await openControlPlane(databaseUrl));
  store = new MonitoringStore(sql);
  orgId = (await new OrganizationStore(sql).create(uniqueName('org'), 'unlimited')).id;
});
afterEach(async () => {
  for (const w of workers.splice(0)) await w.stop();
});
afterAll(async () => {
  for (const b of buses) await b.close().catch(() => undefined);
  if (natsUrl) await deletePrefixStreams(natsUrl, prefix);
  await drop?.();
});

describe('diligent executions', () => {
  let scheduler: DiligentScheduler;
  let bus: JobBus;
  beforeAll(async () => {
    bus = await openBus();
    scheduler = createDiligentScheduler({ sql, store, bus, subjects, logger, now, redispatchAfterMs: REDISPATCH_MS });
  });

  it('run_now: IDLE → QUEUED → RUNNING → IDLE with the findings stored, next_run_at kept', async () => {
    const m = await createMonitoring({ runNow: true });
    expect(m.runningState).toBe('IDLE');
    expect(await scheduler.step()).toBeGreaterThanOrEqual(1);
    const queued = await reload(m.id);
    expect(queued.runningState).toBe('QUEUED');
    expect(queued.nextRunAtMs).toBe(m.nextRunAtMs);
    const gate = gatedRunner();
    workers.push(await startDiligentWorker({ store, bus, subjects, runChecks: gate.runChecks, logger, now }));
    await eventually(async () => (await reload(m.id)).runningState === 'RUNNING', { what: 'RUNNING' });
    expect((await executionsOf(m.id))[0].status).toBe('running');
    clock += 5_000;
    gate.release();
    const done = await eventually(async () => { const r = await reload(m.id); return r.runningState === 'IDLE' && r; }, { what: 'IDLE again' });
    expect(done.lastExecutionMs).toBe(clock);
    const [execution] = await executionsOf(m.id);
    expect(execution).toMatchObject({ trigger: 'run_now', status: 'completed', checks: ['non_operational_website', 'high_risk_mcc'] });
    expect((execution.results as Finding[]).map((f) => f.check)).toEqual(['non_operational_website', 'high_risk_mcc']);
    expect(gate.calls).toEqual([{ website: m.website, checks: ['non_operational_website', 'high_risk_mcc'], orgId }]);
    expect(await scheduler.step()).toBe(0); // the request was consumed
  });

  it('a second run requested in the same millisecond as a finished one still runs (never stuck QUEUED)', async () => {
    const m = await createMonitoring({ runNow: true });
    const gate = gatedRunner();
    gate.release();
    workers.push(await startDiligentWorker({ store, bus, subjects, runChecks: gate.runChecks, logger, now }));
    await scheduler.step();
    await eventually(async () => (await executionsOf(m.id))[0]?.status === 'completed' && (await reload(m.id)).runningState === 'IDLE', { what: 'first run' });
    await store.requestRun(orgId, m.id, m.runRequestedAtMs!);
    await scheduler.step();
    await eventually(async () => (await reload(m.id)).runningState === 'IDLE' && gate.calls.filter((c) => c.website === m.website).length === 2, { what: 'second run' });
    expect((await executionsOf(m.id))[0]).toMatchObject({ status: 'completed', attempt: 2 });
  });

  it('runs on the stored schedule, once per due slot, catching up without a burst after downtime', async () => {
    const m = await createMonitoring();
    const gate = gatedRunner();
    gate.release();
    workers.push(await startDiligentWorker({ store, bus, subjects, runChecks: gate.runChecks, logger, now }));
    clock += DAY_MS;
    await scheduler.step();
    expect((await reload(m.id)).runningState).toBe('IDLE');
    expect(await executionsOf(m.id)).toHaveLength(0);

    clock = m.nextRunAtMs!;
    await scheduler.step();
    expect((await reload(m.id)).nextRunAtMs).toBe(m.nextRunAtMs! + 7 * DAY_MS);
    await eventually(async () => (await executionsOf(m.id))[0]?.status === 'completed', { what: 'first scheduled run' });
    expect((await executionsOf(m.id))[0].trigger).toBe('schedule');

    // The scheduler was away for three weeks: one run now, the next on the weekly grid.
    clock = m.nextRunAtMs! + 23 * DAY_MS;
    await scheduler.step();
    await eventually(async () => (await executionsOf(m.id)).filter((e) => e.status === 'completed').length === 2, { what: 'catch-up run' });
    expect((await reload(m.id)).nextRunAtMs).toBe(m.nextRunAtMs! + 28 * DAY_MS);
    await scheduler.step();
    expect(await executionsOf(m.id)).toHaveLength(2);
  });

  it('turns a monitoring inactive at its expiry and runs it no more', async () => {
    const m = await createMonitoring({ expiresInMs: 10 * DAY_MS });
    const gate = gatedRunner();
    gate.release();
    workers.push(await startDiligentWorker({ store, bus, subjects, runChecks: gate.runChecks, logger, now }));
    clock = m.nextRunAtMs!;
    await scheduler.step();
    await eventually(async () => (await reload(m.id)).runningState === 'IDLE' && (await executionsOf(m.id)).length === 1, { what: 'run before expiry' });
    // The next weekly slot is past the expiry: the expiry is the next thing due.
    expect((await reload(m.id)).nextRunAtMs).toBe(m.expiresAtMs);
    clock = m.expiresAtMs - 1;
    await scheduler.step();
    expect((await reload(m.id)).isActive).toBe(true);
    clock = m.expiresAtMs;
    await scheduler.step();
    const expired = await reload(m.id);
    expect(expired).toMatchObject({ isActive: false, nextRunAtMs: null, runningState: 'IDLE' });
    clock += 30 * DAY_MS;
    await store.requestRun(orgId, m.id, clock);
    await scheduler.step();
    expect(await executionsOf(m.id)).toHaveLength(1);
  });

  it('a worker stopped in the middle of a run hands the execution back; another worker completes it once', async () => {
    const m = await createMonitoring({ runNow: true });
    const first = gatedRunner();
    const a = await startDiligentWorker({ store, bus, subjects, runChecks: first.runChecks, logger, now });
    await scheduler.step();
    await eventually(async () => (await reload(m.id)).runningState === 'RUNNING', { what: 'RUNNING on worker A' });
    await a.stop();
    const second = gatedRunner();
    second.release();
    workers.push(await startDiligentWorker({ store, bus, subjects, runChecks: second.runChecks, logger, now }));
    await eventually(async () => (await reload(m.id)).runningState === 'IDLE', { what: 'completed by worker B' });
    const executions = await executionsOf(m.id);
    expect(executions).toHaveLength(1);
    expect(executions[0].status).toBe('completed');
    // Other suites' monitorings fall due on this clock too; this one ran once.
    expect(second.calls.filter((c) => c.website === m.website)).toHaveLength(1);
  });

  it('a crash (the worker and its bus gone mid-run) loses nothing: the sweep re-publishes, a new process completes it', async () => {
    const m = await createMonitoring({ runNow: true });
    const crashedBus = await openBus();
    const crashedScheduler = createDiligentScheduler({ sql, store, bus: crashedBus, subjects, logger, now, redispatchAfterMs: REDISPATCH_MS });
    const hung = gatedRunner();
    // Never stopped: its process "died"; its checks never come back.
    await startDiligentWorker({ store, bus: crashedBus, subjects, runChecks: hung.runChecks, logger, now });
    await crashedScheduler.step();
    await eventually(async () => (await reload(m.id)).runningState === 'RUNNING', { what: 'RUNNING before the crash' });

    // The crashed process's connection is gone (NATS then hands its message back after ack
    // wait); an in-process queue dies with its process and is simply never read again.
    if (natsUrl) await crashedBus.close();
    // A new process: its own bus, scheduler and worker over the same store.
    const bus2 = await openBus();
    const scheduler2 = createDiligentScheduler({ sql, store, bus: bus2, subjects, logger, now, redispatchAfterMs: REDISPATCH_MS });
    const fresh = gatedRunner();
    fresh.release();
    workers.push(await startDiligentWorker({ store, bus: bus2, subjects, runChecks: fresh.runChecks, logger, now }));
    if (!natsUrl) {
      await scheduler2.step();
      expect((await reload(m.id)).runningState).toBe('RUNNING'); // not yet stale: nothing re-published
    }
    clock += REDISPATCH_MS + 1;
    await scheduler2.step();
    await eventually(async () => (await reload(m.id)).runningState === 'IDLE', { what: 'completed after the crash' });
    const [execution] = await executionsOf(m.id);
    expect(execution.status).toBe('completed');
    expect(execution.attempt).toBeGreaterThanOrEqual(2);
    // Once, or twice when NATS redelivered the held message while the sweep re-published it: either way one stored outcome.
    expect(fresh.calls.filter((c) => c.website === m.website).length).toBeGreaterThanOrEqual(1);
    // The hung run coming back late stores nothing twice.
    hung.release();
    await eventually(async () => (await executionsOf(m.id)).length === 1 && (await executionsOf(m.id))[0].status === 'completed');
  });
});
