/**
 * The real checkers with the real SSRF guard against real servers on 127.0.0.1: the guard
 * refuses before any connection is made, on the first hop and on a redirect hop.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckPhase, CheckStatus, ErrorKind } from '../../../proto/generated/pharos/v1/result.js';
import { createCheckers, runCheck, type CheckerTable } from '../../../probe-agent/checks/registry.js';
import type { TargetResolver } from '../../../probe-agent/checks/target-resolver.js';
import { createGuardedResolver, type AddressLookup } from '../../../services/lib/ssrf/guarded-resolver.js';
import { portJob, startCountingTcpTarget, startHttpTarget, websiteJob, type LocalTarget } from './support/targets.js';

const run = (checkers: CheckerTable, job: Parameters<typeof runCheck>[1]) => runCheck(checkers, job, new AbortController().signal);

/** Names the tests use, answered without DNS: `loopback.test` is what a rebinding name turns into. */
const lookup: AddressLookup = async (hostname) => (hostname === 'loopback.test' ? [{ address: '127.0.0.1', family: 4 }] : []);
const strict = createGuardedResolver({ allowPrivateTargets: false, lookup });
const lenient = createGuardedResolver({ allowPrivateTargets: true, lookup });

let target: LocalTarget;
let requests = 0;

beforeAll(async () => {
  target = await startHttpTarget((_req, res) => {
    requests++;
    res.end('internal admin page');
  });
});

afterAll(() => target.close());

describe('website checker behind the SSRF guard', () => {
  it('refuses a loopback target before connecting: DOWN, BLOCKED_TARGET in the dns phase', async () => {
    const before = target.connections();
    const outcome = await run(createCheckers({ resolveTarget: strict }), websiteJob({ url: `${target.url}/` }));
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_DOWN);
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_BLOCKED_TARGET);
    expect(outcome.errorPhase).toBe(CheckPhase.CHECK_PHASE_DNS);
    expect(outcome.errorMessage).toBe('target 127.0.0.1 is in the loopback range (127.0.0.0/8); private targets are disabled on this network');
    expect(outcome.statusCode).toBe(0);
    expect(target.connections()).toBe(before);
  });

  it('refuses a name that resolves to loopback', async () => {
    const outcome = await run(createCheckers({ resolveTarget: strict }), websiteJob({ url: `http://loopback.test:${target.port}/` }));
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_BLOCKED_TARGET);
    expect(outcome.errorMessage).toMatch(/^target 127\.0\.0\.1 \(loopback\.test\) is in the loopback range/);
  });

  it('checks the same target when the operator allows private targets', async () => {
    const outcome = await run(createCheckers({ resolveTarget: lenient }), websiteJob({ url: `http://loopback.test:${target.port}/`, keyword: 'admin' }));
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_UP);
  });

  it('refuses a redirect from an allowed hop into loopback, without requesting it', async () => {
    // The first hop stands for a public site: the redirector runs on loopback (no traffic
    // leaves this machine), so this resolver answers for `public.test` itself and hands
    // every other name to the real guard, exactly as the agent does on each hop.
    const redirector = await startHttpTarget((_req, res) => {
      res.writeHead(302, { location: `http://127.0.0.1:${target.port}/admin` }).end();
    });
    const asked: string[] = [];
    const resolveTarget: TargetResolver = (hostname, signal) => {
      asked.push(hostname);
      return hostname === 'public.test' ? Promise.resolve({ address: '127.0.0.1', family: 4 }) : strict(hostname, signal);
    };
    try {
      const before = requests;
      const outcome = await run(createCheckers({ resolveTarget }), websiteJob({ url: `http://public.test:${redirector.port}/` }));
      expect(asked).toEqual(['public.test', '127.0.0.1']);
      expect(redirector.connections()).toBe(1);
      expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_DOWN);
      expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_BLOCKED_TARGET);
      expect(outcome.errorPhase).toBe(CheckPhase.CHECK_PHASE_DNS);
      expect(outcome.statusCode).toBe(302);
      expect(outcome.errorMessage).toMatch(/^target 127\.0\.0\.1 is in the loopback range/);
      expect(requests).toBe(before);
    } finally {
      await redirector.close();
    }
  });

  it('refuses a redirect to the cloud metadata endpoint even when private targets are allowed', async () => {
    const redirector = await startHttpTarget((_req, res) => {
      res.writeHead(301, { location: 'http://169.254.169.254/latest/meta-data/iam/security-credentials/' }).end();
    });
    try {
      const outcome = await run(createCheckers({ resolveTarget: lenient }), websiteJob({ url: `${redirector.url}/` }));
      expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_BLOCKED_TARGET);
      expect(outcome.errorMessage).toMatch(/^target 169\.254\.169\.254 is a cloud metadata endpoint/);
    } finally {
      await redirector.close();
    }
  });
});

describe('port checker behind the SSRF guard', () => {
  let target: Awaited<ReturnType<typeof startCountingTcpTarget>>;
  let port: number;

  beforeAll(async () => {
    target = await startCountingTcpTarget();
    port = target.port;
  });

  afterAll(() => target.close());

  it('refuses loopback, by address and by name, without connecting', async () => {
    const checkers = createCheckers({ resolveTarget: strict });
    for (const hostname of ['127.0.0.1', 'loopback.test', '::ffff:127.0.0.1']) {
      const outcome = await run(checkers, portJob({ hostname, port }));
      expect(outcome.status, hostname).toBe(CheckStatus.CHECK_STATUS_DOWN);
      expect(outcome.errorKind, hostname).toBe(ErrorKind.ERROR_KIND_BLOCKED_TARGET);
      expect(outcome.errorPhase, hostname).toBe(CheckPhase.CHECK_PHASE_DNS);
    }
    expect(target.accepted()).toBe(0);
  });

  it('connects when the operator allows private targets', async () => {
    const outcome = await run(createCheckers({ resolveTarget: lenient }), portJob({ hostname: 'loopback.test', port }));
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_UP);
    await expect.poll(() => target.accepted()).toBe(1);
  });
});
