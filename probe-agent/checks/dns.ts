/**
 * Dns check: asks one resolver (the monitor's, or the agent's system resolvers) for one
 * record type of a name, then compares the response code and the values with what the
 * monitor expects. Every check gets a fresh c-ares channel: its servers are its own, and
 * cancelling it on abort cancels no other check's query. It tries once, within the job's
 * timeout. A monitor's resolver is a tenant-chosen outbound target: its host goes through
 * the target resolver (the SSRF hook) and exactly the address that was allowed is queried.
 */
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { DnsSettings } from '../../proto/generated/pharos/v1/check.js';
import { CheckPhase, ErrorKind, type DnsAnswer } from '../../proto/generated/pharos/v1/result.js';
import { failure, success, type Checker, type CheckOutcome } from './checker.js';
import { parseResolver } from '../../contracts/checks/dns.js';
import { recordKindOf, valuesMismatch, type RecordKind } from './dns-records.js';
import { classifyFailure, isTimeoutAbort } from './failure-kind.js';
import { PhaseClock } from './phase-clock.js';
import { systemResolver, type TargetResolver } from './target-resolver.js';

export interface DnsCheckerDeps {
  /** Resolves (and may refuse) the host of a monitor's resolver; default: system DNS, nothing refused. */
  resolveTarget?: TargetResolver;
}


/** c-ares error codes that carry the resolver's response code: an answer, not a failure to get one. */
const RCODE_OF: Readonly<Record<string, string>> = {
  ENODATA: 'NOERROR',
  ENOTFOUND: 'NXDOMAIN',
  ESERVFAIL: 'SERVFAIL',
  EREFUSED: 'REFUSED',
  EFORMERR: 'FORMERR',
  ENOTIMP: 'NOTIMP',
};

export function createDnsChecker(deps: DnsCheckerDeps = {}): Checker<'dns'> {
  const resolveTarget = deps.resolveTarget ?? systemResolver;
  return {
    async run(job, signal) {
      const settings = job.settings.value;
      const kind = recordKindOf(settings.recordType);
      const configured = settings.resolver !== undefined ? parseResolver(settings.resolver) : undefined;
      if (!kind || (settings.resolver !== undefined && !configured)) {
        // The contract refused these before the run; this only keeps the types honest.
        return failure(ErrorKind.ERROR_KIND_INTERNAL, CheckPhase.CHECK_PHASE_UNSPECIFIED, 'invalid check settings');
      }
      const clock = new PhaseClock();
      clock.enter(CheckPhase.CHECK_PHASE_DNS);
      let resolverLabel = configured ? hostPort(configured.host, configured.port) : 'system';
      const resolver = new Resolver({ timeout: queryTimeoutMs(job.timeoutMs), tries: 1 });
      try {
        if (configured) {
          const target = await resolveTarget(configured.host, signal);
          resolverLabel = hostPort(target.address, configured.port);
          resolver.setServers([resolverLabel]);
        }
      } catch (err) {
        const failed = classifyFailure(err, clock.phase, signal);
        return failure(failed.kind, failed.phase, failed.message, { timings: clock.stop(), dns: answer('', [], resolverLabel) });
      }
      try {
        const { rcode, values } = await ask(resolver, kind, settings.hostname, signal);
        return judge(settings, kind, answer(rcode, values, resolverLabel), clock);
      } catch (err) {
        return unanswered(err, signal, resolverLabel, clock);
      }
    },
  };
}

function hostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * c-ares needs a timeout of its own; a job without one is bounded by the check's signal
 * alone (the registry gives it a default), so c-ares must not end it sooner.
 */
function queryTimeoutMs(jobTimeoutMs: number): number {
  return jobTimeoutMs > 0 ? jobTimeoutMs : 2 ** 31 - 1;
}

/** One query; the response code comes back as data, and an abort cancels the query. */
async function ask(resolver: Resolver, kind: RecordKind, hostname: string, signal: AbortSignal): Promise<{ rcode: string; values: string[] }> {
  signal.throwIfAborted();
  const cancel = () => resolver.cancel();
  signal.addEventListener('abort', cancel, { once: true });
  try {
    return { rcode: 'NOERROR', values: await kind.query(resolver, hostname) };
  } catch (err) {
    const rcode = RCODE_OF[codeOf(err)];
    if (rcode && !signal.aborted) return { rcode, values: [] };
    throw err;
  } finally {
    signal.removeEventListener('abort', cancel);
  }
}

function judge(settings: DnsSettings, kind: RecordKind, dns: DnsAnswer, clock: PhaseClock): CheckOutcome {
  const details = { dns, timings: clock.stop() };
  const expectedRcode = settings.expectedRcode;
  if (dns.rcode !== expectedRcode) {
    return failure(ErrorKind.ERROR_KIND_UNEXPECTED_ANSWER, CheckPhase.CHECK_PHASE_QUERY, `expected rcode ${expectedRcode}, got ${dns.rcode}`, details);
  }
  const mismatch = valuesMismatch(kind, settings.matchMode, settings.expectedValues, dns.values);
  if (mismatch) return failure(ErrorKind.ERROR_KIND_UNEXPECTED_ANSWER, CheckPhase.CHECK_PHASE_ASSERTION, mismatch, details);
  return success(details);
}

/** No response code came back: the query timed out, the check was aborted, or c-ares failed. */
function unanswered(err: unknown, signal: AbortSignal, resolver: string, clock: PhaseClock): CheckOutcome {
  const timings = clock.stop();
  if (isTimeoutAbort(signal) || (!signal.aborted && codeOf(err) === 'ETIMEOUT')) {
    const reason = signal.aborted ? messageOf(signal.reason) : messageOf(err);
    return failure(ErrorKind.ERROR_KIND_TIMEOUT, CheckPhase.CHECK_PHASE_QUERY, `no answer from ${resolver}: ${reason}`, {
      timings,
      dns: answer('TIMEOUT', [], resolver),
    });
  }
  if (signal.aborted) {
    const failed = classifyFailure(err, CheckPhase.CHECK_PHASE_QUERY, signal);
    return failure(failed.kind, failed.phase, failed.message, { timings, dns: answer('', [], resolver) });
  }
  return failure(ErrorKind.ERROR_KIND_DNS, CheckPhase.CHECK_PHASE_QUERY, `no answer from ${resolver}: ${messageOf(err)}`, {
    timings,
    dns: answer('', [], resolver),
  });
}

function answer(rcode: string, values: string[], resolver: string): DnsAnswer {
  return { rcode, values, resolver };
}

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
