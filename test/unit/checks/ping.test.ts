import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmod, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckType, type CheckJob, type PingSettings } from '../../../proto/generated/pharos/v1/check.js';
import { CheckPhase, CheckStatus, ErrorKind, type PingStats } from '../../../proto/generated/pharos/v1/result.js';
import { emptyTimings, type JobFor } from '../../../probe-agent/checks/checker.js';
import {
  createPingChecker,
  lossOutcome,
  MISSING_PING_MESSAGE,
  pingArguments,
  type PingCheckerDeps,
} from '../../../probe-agent/checks/ping.js';
import { jitter, pingStats, readPingOutput } from '../../../probe-agent/checks/ping-replies.js';
import { createCheckers, runCheck, settingsProblems, withTimeout } from '../../../probe-agent/checks/registry.js';
import { BlockedTargetError, type TargetResolver } from '../../../probe-agent/checks/target-resolver.js';
import { servicesRequired } from '../../support/services.js';
import { createNamespaceHost, namespacesUnavailable, type NamespaceHost } from './support/netns.js';

function pingJob(settings: Partial<PingSettings> & { hostname: string }, timeoutMs = 10_000): JobFor<'ping'> {
  const now = Date.now();
  const value: PingSettings = { count: 3, intervalMs: 200, packetTimeoutMs: 1000, maxPacketLossPercent: 50, ...settings };
  return {
    jobId: `job_ping_${now}`,
    orgId: 'org_test',
    monitorId: 'mon_ping',
    region: 'local',
    type: CheckType.CHECK_TYPE_PING,
    scheduledAtMs: now,
    deadlineMs: now + 60_000,
    timeoutMs,
    attempt: 1,
    monitorRevision: 1,
    settings: { $case: 'ping', value },
  };
}

function check(job: CheckJob, deps: PingCheckerDeps = {}) {
  return runCheck({ ...createCheckers(), ping: createPingChecker(deps) }, job, new AbortController().signal);
}

/** Live processes whose command line holds every one of `args`. */
async function processesWith(args: string[]): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const argv = await readFile(`/proc/${entry}/cmdline`, 'utf8').then((s) => s.split('\0'), (): string[] => []);
    if (args.every((a) => argv.includes(a))) found.push(Number(entry));
  }
  return found;
}

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'pharos-ping-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('ping checker against 127.0.0.1', () => {
  it('is UP with every request answered and plausible round trips', async () => {
    const outcome = await check(pingJob({ hostname: '127.0.0.1', maxPacketLossPercent: 0 }));
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_UP);
    const ping = outcome.ping!;
    expect(ping).toMatchObject({ address: '127.0.0.1', sent: 3, received: 3, packetLossPercent: 0 });
    expect(ping.rttMinMs).toBeGreaterThan(0);
    expect(ping.rttMinMs).toBeLessThanOrEqual(ping.rttAvgMs);
    expect(ping.rttAvgMs).toBeLessThanOrEqual(ping.rttMaxMs);
    expect(ping.rttMaxMs).toBeLessThan(1000);
    expect(ping.jitterMs).toBeGreaterThanOrEqual(0);
    expect(ping.jitterMs).toBeLessThanOrEqual(ping.rttMaxMs - ping.rttMinMs + 0.001);
    expect(outcome.timings.totalMs).toBe(ping.rttAvgMs);
    expect(outcome.statusCode).toBe(0);
  });

  it('pings the address the resolver returned, not the name, and times the resolution', async () => {
    const asked: string[] = [];
    const resolveTarget: TargetResolver = async (hostname) => {
      asked.push(hostname);
      await new Promise((resolve) => setImmediate(resolve));
      return { address: '127.0.0.1', family: 4 };
    };
    // probe.pharos.test has no DNS record (RFC 6761), so only the resolved address can answer.
    const outcome = await check(pingJob({ hostname: 'probe.pharos.test', count: 1 }), { resolveTarget });
    expect(asked).toEqual(['probe.pharos.test']);
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_UP);
    expect(outcome.ping?.address).toBe('127.0.0.1');
    expect(outcome.timings.dnsMs).toBeGreaterThan(0);
  });

  it('refuses a target the guarding resolver blocks, without running ping', async () => {
    const guard: TargetResolver = async (hostname) => {
      throw new BlockedTargetError(`${hostname} resolves to a loopback address`);
    };
    // Were ping run, this missing binary would make the outcome INTERNAL instead.
    const outcome = await check(pingJob({ hostname: 'internal.test' }), { resolveTarget: guard, pingPath: join(scratch, 'absent', 'ping') });
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_DOWN);
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_BLOCKED_TARGET);
    expect(outcome.errorPhase).toBe(CheckPhase.CHECK_PHASE_DNS);
    expect(outcome.errorMessage).toContain('internal.test resolves to a loopback address');
    expect(outcome.ping).toBeUndefined();
  });

  it('stops ping when the check times out, keeping what it had sent and received', async () => {
    // Ten requests 9.9 s apart would take 90 s; the job allows 400 ms. The contract refuses such
    // a job (its timeout cannot cover the requests), so the checker runs it directly here.
    const started = Date.now();
    const job = pingJob({ hostname: '127.0.0.1', count: 10, intervalMs: 9900 }, 400);
    const timeout = withTimeout(new AbortController().signal, job.timeoutMs);
    const outcome = await createPingChecker().run(job, timeout.signal).finally(() => timeout.dispose());
    expect(Date.now() - started).toBeLessThan(5000);
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_DOWN);
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_TIMEOUT);
    expect(outcome.errorPhase).toBe(CheckPhase.CHECK_PHASE_ECHO);
    // Only a ping that was interrupted (not killed, not abandoned) prints the summary these come from.
    expect(outcome.ping).toMatchObject({ address: '127.0.0.1', sent: 1, received: 1 });
    expect(await processesWith(['-i', '9.9', '127.0.0.1'])).toEqual([]);
  });

  it('says ping is not installed when the binary is missing', async () => {
    const outcome = await check(pingJob({ hostname: '127.0.0.1' }), { pingPath: join(scratch, 'absent', 'ping') });
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_DOWN);
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_INTERNAL);
    expect(outcome.errorMessage).toBe(MISSING_PING_MESSAGE);
    expect(outcome.errorMessage).toContain('iputils-ping');
  });

  it('reports a refused ICMP socket as a missing privilege, naming what to grant', async () => {
    // The tests run as root, so the refusal is played back: these are iputils 20221126's own
    // lines when run without CAP_NET_RAW and outside net.ipv4.ping_group_range.
    const unprivilegedPing = join(scratch, 'unprivileged-ping');
    await writeFile(
      unprivilegedPing,
      [
        '#!/bin/sh',
        'echo "ping: socktype: SOCK_RAW" >&2',
        'echo "ping: socket: Operation not permitted" >&2',
        'echo "ping: => missing cap_net_raw+p capability or setuid?" >&2',
        'exit 2',
      ].join('\n') + '\n',
    );
    await chmod(unprivilegedPing, 0o755);
    const outcome = await check(pingJob({ hostname: '127.0.0.1' }), { pingPath: unprivilegedPing });
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_DOWN);
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_PERMISSION);
    expect(outcome.errorPhase).toBe(CheckPhase.CHECK_PHASE_ECHO);
    expect(outcome.errorMessage).toContain('CAP_NET_RAW');
    expect(outcome.errorMessage).toContain('net.ipv4.ping_group_range');
    expect(outcome.errorMessage).toContain('socket: Operation not permitted');
    expect(outcome.ping).toBeUndefined();
  });
});

const namespaceProblem = namespacesUnavailable();
if (namespaceProblem && servicesRequired) {
  it('network namespaces can be created (PHAROS_TEST_SERVICES=required)', () => {
    throw new Error(`cannot test a host that drops echo: ${namespaceProblem}`);
  });
}

describe.skipIf(namespaceProblem !== undefined)(
  `ping checker against a host that can drop echo (network namespace${namespaceProblem ? `; skipped: ${namespaceProblem}` : ''})`,
  () => {
    let host: NamespaceHost;
    beforeAll(async () => {
      host = await createNamespaceHost();
    });
    afterAll(() => host?.remove());

    it('is UP while the host answers (the path to it works)', async () => {
      await host.ignoreEcho(false);
      const outcome = await check(pingJob({ hostname: host.address, count: 2 }));
      expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_UP);
      expect(outcome.ping).toMatchObject({ address: host.address, sent: 2, received: 2 });
    });

    it('is Down with PACKET_LOSS and exactly `count` requests sent when the host drops echo', async () => {
      await host.ignoreEcho(true);
      const outcome = await check(pingJob({ hostname: host.address, count: 3, packetTimeoutMs: 300 }));
      expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_DOWN);
      expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_PACKET_LOSS);
      expect(outcome.errorPhase).toBe(CheckPhase.CHECK_PHASE_ECHO);
      expect(outcome.errorMessage).toBe('3 of 3 echo requests unanswered (100% loss, limit 50%)');
      expect(outcome.ping).toEqual({
        address: host.address,
        sent: 3,
        received: 0,
        packetLossPercent: 100,
        rttMinMs: 0,
        rttAvgMs: 0,
        rttMaxMs: 0,
        jitterMs: 0,
      });
      expect(outcome.timings.totalMs).toBe(0);
    });

    it('is Down at 100% loss even when the limit allows 100%', async () => {
      await host.ignoreEcho(true);
      const outcome = await check(pingJob({ hostname: host.address, count: 1, packetTimeoutMs: 300, maxPacketLossPercent: 100 }));
      expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_DOWN);
      expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_PACKET_LOSS);
    });
  },
);

describe('ping output and verdict', () => {
  it('computes jitter as the mean absolute difference of consecutive round trips', () => {
    expect(jitter([10, 12, 11, 15])).toBe(2.333);
    expect(jitter([7])).toBe(0);
    expect(jitter([])).toBe(0);
  });

  it('reads per-packet round trips, dropping duplicates and counting late replies as lost', () => {
    const transcript = readPingOutput(
      [
        'PING 10.9.9.9 (10.9.9.9) 56(84) bytes of data.',
        '64 bytes from 10.9.9.9: icmp_seq=1 ttl=64 time=10.0 ms',
        '64 bytes from 10.9.9.9: icmp_seq=2 ttl=64 time=14.0 ms',
        '64 bytes from 10.9.9.9: icmp_seq=2 ttl=64 time=15.5 ms (DUP!)',
        'From 10.9.9.1 icmp_seq=3 Destination Host Unreachable',
        '64 bytes from 10.9.9.9: icmp_seq=4 ttl=64 time=2500 ms',
        '',
        '--- 10.9.9.9 ping statistics ---',
        '4 packets transmitted, 3 received, +1 duplicates, +1 errors, 25% packet loss, time 3004ms',
        'rtt min/avg/max/mdev = 10.000/841.333/2500.000/1173.000 ms',
      ].join('\n'),
    );
    expect(transcript.sent).toBe(4);
    expect(transcript.icmpErrors).toEqual(['From 10.9.9.1 icmp_seq=3 Destination Host Unreachable']);
    expect(pingStats('10.9.9.9', 4, transcript.replies, 2000)).toEqual({
      address: '10.9.9.9',
      sent: 4,
      received: 2,
      packetLossPercent: 50,
      rttMinMs: 10,
      rttAvgMs: 12,
      rttMaxMs: 14,
      jitterMs: 4,
    });
  });

  it('reads IPv6 replies and knows when ping ended without a summary', () => {
    const transcript = readPingOutput('PING ::1(::1) 56 data bytes\n64 bytes from ::1: icmp_seq=1 ttl=64 time=0.359 ms\n');
    expect(transcript.replies).toEqual([{ seq: 1, rttMs: 0.359 }]);
    expect(transcript.sent).toBeUndefined();
  });

  it('is Down only when the loss exceeds the limit, naming the first ICMP error', () => {
    const stats = (sent: number, received: number): PingStats =>
      pingStats('10.9.9.9', sent, Array.from({ length: received }, (_, i) => ({ seq: i + 1, rttMs: 1 })), 2000);
    expect(lossOutcome(stats(4, 2), 50, undefined, emptyTimings()).status).toBe(CheckStatus.CHECK_STATUS_UP);
    const down = lossOutcome(stats(4, 2), 49, 'From 10.9.9.1 icmp_seq=3 Destination Host Unreachable', emptyTimings());
    expect(down.status).toBe(CheckStatus.CHECK_STATUS_DOWN);
    expect(down.errorKind).toBe(ErrorKind.ERROR_KIND_PACKET_LOSS);
    expect(down.errorMessage).toBe(
      '2 of 4 echo requests unanswered (50% loss, limit 49%); first error: From 10.9.9.1 icmp_seq=3 Destination Host Unreachable',
    );
    expect(lossOutcome(stats(3, 2), 33, undefined, emptyTimings()).errorMessage).toBe(
      '1 of 3 echo requests unanswered (33.3% loss, limit 33%)',
    );
  });

  it('asks ping for the resolved family, count, interval and per-reply timeout in seconds', () => {
    const settings = { hostname: 'example.test', count: 4, intervalMs: 250, packetTimeoutMs: 1500, maxPacketLossPercent: 0 };
    expect(pingArguments({ address: '::1', family: 6 }, settings)).toEqual(['-n', '-6', '-c', '4', '-i', '0.25', '-W', '1.5', '::1']);
    expect(pingArguments({ address: '127.0.0.1', family: 4 }, settings)).toContain('-4');
  });
});

describe('ping settings', () => {
  const validatePingSettings = (value: PingSettings) => settingsProblems({ timeoutMs: 60_000, settings: { $case: 'ping', value } });
  const valid: PingSettings = { hostname: 'example.com', count: 3, intervalMs: 500, packetTimeoutMs: 2000, maxPacketLossPercent: 50 };

  it('accepts the bounds, and takes a zero for what it says (no hidden defaults)', () => {
    expect(validatePingSettings({ hostname: '[2001:db8::1]', count: 10, intervalMs: 200, packetTimeoutMs: 100, maxPacketLossPercent: 100 })).toEqual([]);
    expect(validatePingSettings({ ...valid, maxPacketLossPercent: 0 })).toEqual([]);
    expect(validatePingSettings({ hostname: '192.0.2.7', count: 0, intervalMs: 0, packetTimeoutMs: 0, maxPacketLossPercent: 0 })).toEqual([
      'pingCount must be from 1 to 10', 'pingIntervalMs must be from 200 to 10000', 'pingTimeoutMs must be from 100 to 10000',
    ]);
    expect(validatePingSettings({ ...valid, intervalMs: 10_000, packetTimeoutMs: 10_000, count: 1 })).toEqual([]);
  });

  it.each([
    [{ hostname: '' }, 'hostname'],
    [{ hostname: 'not a host!' }, 'hostname'],
    [{ count: 11 }, 'pingCount must be from 1 to 10'],
    [{ intervalMs: 199 }, 'pingIntervalMs must be from 200 to 10000'],
    [{ intervalMs: 10_001 }, 'pingIntervalMs must be from 200 to 10000'],
    [{ packetTimeoutMs: 99 }, 'pingTimeoutMs must be from 100 to 10000'],
    [{ packetTimeoutMs: 10_001 }, 'pingTimeoutMs must be from 100 to 10000'],
    [{ maxPacketLossPercent: 101 }, 'pingMaxPacketLossPercent must be from 0 to 100'],
  ])('rejects %o', (bad, problem) => {
    const problems = validatePingSettings({ ...valid, ...bad });
    expect(problems).toHaveLength(1);
    expect(problems[0]?.startsWith(problem)).toBe(true);
  });

  it('runs no invalid settings: the check fails as INTERNAL, naming the field', async () => {
    const outcome = await check(pingJob({ hostname: '127.0.0.1', count: 50 }));
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_INTERNAL);
    expect(outcome.errorMessage).toContain('pingCount must be from 1 to 10');
  });
});
