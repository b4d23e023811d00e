import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckType } from '../../../proto/generated/pharos/v1/check.js';
import { CheckPhase, CheckStatus, ErrorKind } from '../../../proto/generated/pharos/v1/result.js';
import { createCheckers, runCheck } from '../../../probe-agent/checks/registry.js';
import type { TargetResolver } from '../../../probe-agent/checks/target-resolver.js';
import { closedPort, portJob, startCountingTcpTarget } from './support/targets.js';

const checkers = createCheckers();
const run = (job: Parameters<typeof runCheck>[1]) => runCheck(checkers, job, new AbortController().signal);

let target: Awaited<ReturnType<typeof startCountingTcpTarget>>;
let openPort: number;

beforeAll(async () => {
  target = await startCountingTcpTarget();
  openPort = target.port;
});

afterAll(() => target.close());

describe('port checker', () => {
  it('is UP when the port accepts a connection, with the connect time', async () => {
    const before = target.accepted();
    const outcome = await run(portJob({ hostname: '127.0.0.1', port: openPort }));
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_UP);
    expect(outcome.timings.connectMs).toBeGreaterThan(0);
    expect(outcome.timings.totalMs).toBeGreaterThanOrEqual(outcome.timings.connectMs);
    expect(outcome.statusCode).toBe(0);
    await expect.poll(() => target.accepted()).toBe(before + 1);
  });

  it('resolves names (localhost) in a timed DNS phase', async () => {
    const outcome = await run(portJob({ hostname: 'localhost', port: openPort }));
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_UP);
    expect(outcome.timings.dnsMs).toBeGreaterThan(0);
  });

  it('reports a closed port as connection refused', async () => {
    const outcome = await run(portJob({ hostname: '127.0.0.1', port: await closedPort() }));
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_DOWN);
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_CONNECTION_REFUSED);
    expect(outcome.errorPhase).toBe(CheckPhase.CHECK_PHASE_CONNECT);
  });

  it('reports an unresolvable name as a DNS failure', async () => {
    const outcome = await run(portJob({ hostname: 'something.invalid', port: 80 }));
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_DNS);
    expect(outcome.errorPhase).toBe(CheckPhase.CHECK_PHASE_DNS);
  });

  it('times out in the phase that hangs', async () => {
    const hanging: TargetResolver = (_host, signal) =>
      new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    const outcome = await runCheck(
      createCheckers({ resolveTarget: hanging }),
      portJob({ hostname: 'stuck.test', port: 80 }, 150),
      new AbortController().signal,
    );
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_TIMEOUT);
    expect(outcome.errorPhase).toBe(CheckPhase.CHECK_PHASE_DNS);
    expect(outcome.timings.totalMs).toBeGreaterThanOrEqual(140);
  });

  it('rejects an out-of-range port as invalid settings', async () => {
    const outcome = await run(portJob({ hostname: '127.0.0.1', port: 70000 }));
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_INTERNAL);
    expect(outcome.errorMessage).toContain('port must be');
  });
});

describe('check registry', () => {
  it('refuses a job whose type does not match its settings', async () => {
    const job = { ...portJob({ hostname: '127.0.0.1', port: openPort }), type: CheckType.CHECK_TYPE_WEBSITE };
    const outcome = await run(job);
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_DOWN);
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_INTERNAL);
  });

  it('refuses a job without settings', async () => {
    const job = { ...portJob({ hostname: '127.0.0.1', port: openPort }), settings: undefined };
    expect((await run(job)).errorKind).toBe(ErrorKind.ERROR_KIND_INTERNAL);
  });

  it('turns a checker that throws into an internal failure instead of a rejection', async () => {
    const broken = {
      ...checkers,
      port: { run: () => Promise.reject(new Error('boom')) },
    };
    const outcome = await runCheck(broken, portJob({ hostname: '127.0.0.1', port: openPort }), new AbortController().signal);
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_INTERNAL);
    expect(outcome.errorMessage).toContain('boom');
  });

  it('reports a check aborted by its caller (not its timeout) as internal, not as a target timeout', async () => {
    const controller = new AbortController();
    const hanging: TargetResolver = (_host, signal) =>
      new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    const pending = runCheck(createCheckers({ resolveTarget: hanging }), portJob({ hostname: 'stuck.test', port: 80 }), controller.signal);
    controller.abort(new Error('shutting down'));
    const outcome = await pending;
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_INTERNAL);
    expect(outcome.errorMessage).toContain('shutting down');
  });
});
