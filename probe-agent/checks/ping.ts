/**
 * Ping check: ICMP echo to the target's resolved address, Down when more requests go
 * unanswered than the monitor allows. Node has no ICMP sockets, so the agent runs iputils
 * `ping` (Linux agents only) and reads its output; the privilege that needs is in
 * docs/checks/ping.md. The name is resolved through the SSRF hook first and ping is given
 * the address literal, so it never resolves anything itself.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { PingSettings } from '../../proto/generated/pharos/v1/check.js';
import { CheckPhase, ErrorKind, type PhaseTimings, type PingStats } from '../../proto/generated/pharos/v1/result.js';
import { emptyTimings, failure, success, type Checker, type CheckOutcome } from './checker.js';
import { classifyFailure } from './failure-kind.js';
import { PhaseClock } from './phase-clock.js';
import { pingStats, privilegeRefusal, readPingOutput } from './ping-replies.js';
import { systemResolver, type ResolvedTarget, type TargetResolver } from './target-resolver.js';

export interface PingCheckerDeps {
  /** Resolves (and may refuse) the host; default: system DNS, nothing refused. */
  resolveTarget?: TargetResolver;
  /** The iputils `ping` executable; default `ping` on the PATH. */
  pingPath?: string;
}

/** After a SIGINT, how long ping gets to print its summary and exit before it is killed. */
const STOP_GRACE_MS = 1000;

export const MISSING_PING_MESSAGE = 'ping (iputils-ping) is not installed on this agent';
const PRIVILEGE_HINT =
  'the agent may not send ICMP echo: grant it CAP_NET_RAW, or set net.ipv4.ping_group_range to cover its group';


export function createPingChecker(deps: PingCheckerDeps = {}): Checker<'ping'> {
  const resolveTarget = deps.resolveTarget ?? systemResolver;
  const pingPath = deps.pingPath ?? 'ping';
  return {
    async run(job, signal) {
      const settings = job.settings.value;
      const clock = new PhaseClock();
      let target: ResolvedTarget;
      try {
        clock.enter(CheckPhase.CHECK_PHASE_DNS);
        target = await resolveTarget(settings.hostname, signal);
        signal.throwIfAborted();
      } catch (err) {
        const failed = classifyFailure(err, clock.phase, signal);
        return failure(failed.kind, failed.phase, failed.message, { timings: { ...clock.stop(), totalMs: 0 } });
      }
      clock.enter(CheckPhase.CHECK_PHASE_ECHO);
      const exit = await runPing(pingPath, pingArguments(target, settings), signal);
      return echoOutcome(exit, target, settings, signal, clock.stop().dnsMs);
    },
  };
}

/**
 * No `-w` deadline: with one, iputils keeps sending past `-c` until the deadline when
 * replies are missing, and the check promises `count` requests. Without it ping still ends
 * on its own (the last request's wait is bounded by -W), and the job's signal stops it early.
 */
export function pingArguments(target: ResolvedTarget, settings: PingSettings): string[] {
  return [
    '-n',
    `-${target.family}`,
    '-c', String(settings.count),
    '-i', String(settings.intervalMs / 1000),
    '-W', String(settings.packetTimeoutMs / 1000),
    target.address,
  ];
}

type PingExit =
  | { started: false; error: NodeJS.ErrnoException }
  | { started: true; stdout: string; stderr: string; code: number | null };

/** Runs ping to its end; on abort it is interrupted, which still makes it print its summary. */
function runPing(pingPath: string, args: string[], signal: AbortSignal): Promise<PingExit> {
  return new Promise((resolve) => {
    let child: ChildProcessByStdio<null, Readable, Readable>;
    try {
      child = spawn(pingPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      // Arguments spawn cannot pass at all (a NUL byte, say); run() must still resolve.
      return resolve({ started: false, error: error as NodeJS.ErrnoException });
    }
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      child.kill('SIGINT');
      killTimer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const settle = (exit: PingExit) => {
      signal.removeEventListener('abort', onAbort);
      clearTimeout(killTimer);
      resolve(exit);
    };
    child.once('error', (error) => settle({ started: false, error }));
    child.once('close', (code) => settle({ started: true, stdout, stderr, code }));
  });
}

function echoOutcome(exit: PingExit, target: ResolvedTarget, settings: PingSettings, signal: AbortSignal, dnsMs: number): CheckOutcome {
  const echo = CheckPhase.CHECK_PHASE_ECHO;
  const timingsFor = (ping?: PingStats) => ({ ...emptyTimings(), dnsMs, totalMs: ping?.rttAvgMs ?? 0 });
  if (!exit.started) {
    const message = exit.error.code === 'ENOENT' ? MISSING_PING_MESSAGE : `could not run ping: ${exit.error.message}`;
    return failure(ErrorKind.ERROR_KIND_INTERNAL, echo, message, { timings: timingsFor() });
  }

  const transcript = readPingOutput(exit.stdout);
  const ping =
    transcript.sent === undefined ? undefined : pingStats(target.address, transcript.sent, transcript.replies, settings.packetTimeoutMs);
  const timings = timingsFor(ping);
  if (signal.aborted) {
    const failed = classifyFailure(signal.reason, echo, signal);
    return failure(failed.kind, failed.phase, failed.message, { ping, timings });
  }
  if (!ping) {
    const refusal = privilegeRefusal(exit.stderr);
    if (refusal) return failure(ErrorKind.ERROR_KIND_PERMISSION, echo, `${PRIVILEGE_HINT} (${refusal})`, { timings });
    const said = exit.stderr.trim().split('\n')[0] || `ping exited with code ${exit.code} and no summary`;
    return failure(ErrorKind.ERROR_KIND_NETWORK, echo, said, { timings });
  }

  return lossOutcome(ping, settings.maxPacketLossPercent, transcript.icmpErrors[0], timings);
}

/** Up unless more than `limitPercent` of the requests went unanswered; no reply at all is always Down. */
export function lossOutcome(ping: PingStats, limitPercent: number, firstIcmpError: string | undefined, timings: PhaseTimings): CheckOutcome {
  if (ping.received > 0 && ping.packetLossPercent <= limitPercent) return success({ ping, timings });
  const lost = ping.sent - ping.received;
  const detail = firstIcmpError ? `; first error: ${firstIcmpError}` : '';
  const message = `${lost} of ${ping.sent} echo requests unanswered (${percent(ping.packetLossPercent)} loss, limit ${limitPercent}%)${detail}`;
  return failure(ErrorKind.ERROR_KIND_PACKET_LOSS, CheckPhase.CHECK_PHASE_ECHO, message, { ping, timings });
}

function percent(value: number): string {
  return `${Math.round(value * 10) / 10}%`;
}
