import type http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { CheckPhase, CheckStatus, ErrorKind, type CheckResult } from '../../../proto/generated/pharos/v1/result.js';
import { CheckType } from '../../../proto/generated/pharos/v1/check.js';
import { createCheckers } from '../../../probe-agent/checks/registry.js';
import { success, type Checker } from '../../../probe-agent/checks/checker.js';
import { createCheckRunner, type CheckRunnerDeps } from '../../../probe-agent/runner.js';
import { eventually } from '../../support/services.js';
import { portJob, startHttpTarget, websiteJob, type LocalTarget } from '../checks/support/targets.js';
import { captureLogs } from './support/logs.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A port checker the test controls: each run waits until the test releases it. */
function gatedPortChecker() {
  const gates: Array<() => void> = [];
  let runs = 0;
  const checker: Checker<'port'> = {
    run: (_job, signal) =>
      new Promise((resolve, reject) => {
        runs++;
        gates.push(() => resolve(success()));
        signal.addEventListener('abort', () => reject(signal.reason));
      }),
  };
  return { checker, gates, runs: () => runs };
}

function runnerWith(overrides: Partial<CheckRunnerDeps> = {}) {
  const results: CheckResult[] = [];
  const logs = captureLogs();
  const runner = createCheckRunner({
    checkers: createCheckers(),
    concurrency: 4,
    agentId: 'agent-1',
    region: 'local',
    logger: logs.logger,
    now: Date.now,
    onResult: (r) => results.push(r),
    ...overrides,
  });
  cleanups.push(() => runner.abandon('test over'));
  return { runner, results, logs };
}

describe('check runner', () => {
  it('turns a job into a result carrying the job identity', async () => {
    const target = await startHttpTarget((_req, res) => res.end('ok'));
    cleanups.push(() => target.close());
    const { runner, results, logs } = runnerWith();
    const job = websiteJob({ url: `${target.url}/` });
    runner.submit(job);
    const [result] = await eventually(() => results.length === 1 && results, { what: 'one result' });
    expect(result).toMatchObject({
      resultId: job.jobId,
      jobId: job.jobId,
      orgId: job.orgId,
      monitorId: job.monitorId,
      agentId: 'agent-1',
      region: 'local',
      type: CheckType.CHECK_TYPE_WEBSITE,
      scheduledAtMs: job.scheduledAtMs,
      status: CheckStatus.CHECK_STATUS_UP,
      statusCode: 200,
    });
    expect(result.startedAtMs).toBeGreaterThanOrEqual(job.scheduledAtMs);
    const event = logs.lines.find((l) => l.msg === 'check run');
    expect(event).toMatchObject({ level: 20, jobId: job.jobId, monitorId: job.monitorId, orgId: job.orgId, status: 'CHECK_STATUS_UP' });
  });

  it('logs a failed check at info with its error kind and phase', async () => {
    const { runner, results, logs } = runnerWith();
    runner.submit(portJob({ hostname: 'something.invalid', port: 80 }));
    await eventually(() => results.length === 1, { what: 'one result' });
    expect(logs.lines.find((l) => l.msg === 'check run')).toMatchObject({
      level: 30,
      status: 'CHECK_STATUS_DOWN',
      errorKind: 'ERROR_KIND_DNS',
      errorPhase: 'CHECK_PHASE_DNS',
    });
  });

  it('skips a job that arrives after its deadline without running it', () => {
    const gated = gatedPortChecker();
    const { runner, results } = runnerWith({ checkers: { ...createCheckers(), port: gated.checker } });
    const job = { ...portJob({ hostname: '127.0.0.1', port: 1 }), deadlineMs: Date.now() - 1_000 };
    runner.submit(job);
    expect(gated.runs()).toBe(0);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({
      resultId: job.jobId,
      status: CheckStatus.CHECK_STATUS_SKIPPED,
      errorKind: ErrorKind.ERROR_KIND_DEADLINE_MISSED,
      errorPhase: CheckPhase.CHECK_PHASE_UNSPECIFIED,
    });
  });

  it('skips a waiting job whose deadline passes before a slot frees up', async () => {
    let clock = 1_000_000;
    const gated = gatedPortChecker();
    const { runner, results } = runnerWith({ concurrency: 1, now: () => clock, checkers: { ...createCheckers(), port: gated.checker } });
    const blocker = { ...portJob({ hostname: '127.0.0.1', port: 1 }), deadlineMs: clock + 10_000 };
    const late = { ...portJob({ hostname: '127.0.0.1', port: 2 }), deadlineMs: clock + 100 };
    runner.submit(blocker);
    runner.submit(late);
    expect(runner.queued()).toBe(1);
    clock += 500; // the waiting job's deadline passes while the blocker still runs
    const skipped = await eventually(() => results.find((r) => r.jobId === late.jobId), { what: 'late job skipped' });
    expect(skipped.status).toBe(CheckStatus.CHECK_STATUS_SKIPPED);
    expect(skipped.errorKind).toBe(ErrorKind.ERROR_KIND_DEADLINE_MISSED);
    expect(gated.runs()).toBe(1);
    gated.gates[0]();
    await eventually(() => results.length === 2, { what: 'blocker result' });
    expect(gated.runs()).toBe(1);
  });

  it('skips at once when the waiting queue is full', () => {
    const gated = gatedPortChecker();
    const { runner, results } = runnerWith({ concurrency: 1, maxQueued: 1, checkers: { ...createCheckers(), port: gated.checker } });
    for (let i = 0; i < 3; i++) runner.submit(portJob({ hostname: '127.0.0.1', port: 1 }));
    expect(runner.inFlight()).toBe(1);
    expect(runner.queued()).toBe(1);
    expect(results).toHaveLength(1);
    expect(results[0].status).toBe(CheckStatus.CHECK_STATUS_SKIPPED);
    expect(results[0].errorMessage).toContain('saturated');
  });

  it('never runs more checks at once than its concurrency', async () => {
    let active = 0;
    let peak = 0;
    const held: http.ServerResponse[] = [];
    const target: LocalTarget = await startHttpTarget((req, res) => {
      active++;
      peak = Math.max(peak, active);
      res.on('close', () => active--);
      held.push(res);
    });
    cleanups.push(() => target.close());
    const { runner, results } = runnerWith({ concurrency: 3 });
    for (let i = 0; i < 12; i++) runner.submit(websiteJob({ url: `${target.url}/` }));
    expect(runner.inFlight()).toBe(3);
    expect(runner.queued()).toBe(9);
    let answered = 0;
    // Answer requests as they arrive; the server sees at most 3 at any moment.
    await eventually(
      () => {
        while (answered < held.length) held[answered++].end('ok');
        return results.length === 12;
      },
      { what: 'all 12 results', intervalMs: 10 },
    );
    expect(peak).toBe(3);
    expect(results.every((r) => r.status === CheckStatus.CHECK_STATUS_UP)).toBe(true);
    expect(new Set(results.map((r) => r.resultId)).size).toBe(12);
  });

  it('drains: resolves once running and waiting checks are done', async () => {
    const gated = gatedPortChecker();
    const { runner, results } = runnerWith({ concurrency: 1, checkers: { ...createCheckers(), port: gated.checker } });
    runner.submit(portJob({ hostname: '127.0.0.1', port: 1 }));
    runner.submit(portJob({ hostname: '127.0.0.1', port: 1 }));
    expect(await runner.drain(30)).toBe(false);
    const drained = runner.drain(5_000);
    gated.gates[0]();
    await eventually(() => gated.gates.length === 2, { what: 'second check started' });
    gated.gates[1]();
    expect(await drained).toBe(true);
    expect(results).toHaveLength(2);
  });

  it('after close, reports new jobs as skipped; abandon drops running checks with a log and skips waiting ones', async () => {
    const gated = gatedPortChecker();
    const { runner, results, logs } = runnerWith({ concurrency: 1, checkers: { ...createCheckers(), port: gated.checker } });
    const running = portJob({ hostname: '127.0.0.1', port: 1 });
    const waiting = portJob({ hostname: '127.0.0.1', port: 1 });
    runner.submit(running);
    runner.submit(waiting);
    runner.close();
    runner.submit(portJob({ hostname: '127.0.0.1', port: 1 }));
    expect(results.at(-1)?.errorMessage).toContain('shutting down');
    runner.abandon('stopping now');
    expect(results.find((r) => r.jobId === waiting.jobId)?.status).toBe(CheckStatus.CHECK_STATUS_SKIPPED);
    await eventually(() => runner.inFlight() === 0, { what: 'abandoned check ends' });
    expect(results.find((r) => r.jobId === running.jobId)).toBeUndefined();
    expect(logs.lines.some((l) => l.msg === 'check abandoned, no result' && l.jobId === running.jobId)).toBe(true);
  });
});
