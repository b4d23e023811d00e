/**
 * Domain check: is the domain registered, and when does its registration expire? The
 * registry is asked over RDAP, or over WHOIS when RDAP cannot answer (domain-registry/).
 * Up while registered and unexpired, flagged as expiring soon within the monitor's warning
 * days; Down when expired, being deleted or not registered.
 */
import type { DomainSettings } from '../../proto/generated/pharos/v1/check.js';
import { CheckPhase, ErrorKind, type DomainInfo, type PhaseTimings } from '../../proto/generated/pharos/v1/result.js';
import { failure, success, type Checker, type CheckOutcome } from './checker.js';
import { parseDomainName, registeredName } from '../../contracts/checks/domain-name.js';
import { createRegistryLookup, type DomainRegistries, type RegistryVerdict } from './domain-registry/lookup.js';
import { isTimeoutAbort } from './failure-kind.js';
import { PhaseClock } from './phase-clock.js';

export interface DomainCheckerDeps {
  /** Where registries are found; default: the shipped RDAP bootstrap and WHOIS map. */
  registries?: DomainRegistries;
  /** Unix milliseconds that expiry is judged against; default Date.now. */
  now?: () => number;
}

/** RDAP gets half the check's timeout, at most this, so that WHOIS keeps time to answer. */
const RDAP_TIMEOUT_CAP_MS = 10_000;
const DAY_MS = 86_400_000;
/** RDAP statuses of a registration on its way out, whatever its expiry date says. */
const BEING_DELETED = new Set(['redemption period', 'pending delete']);

export function createDomainChecker(deps: DomainCheckerDeps = {}): Checker<'domain'> {
  const lookup = createRegistryLookup(deps.registries);
  const now = deps.now ?? Date.now;

  return {
    async run(job, signal) {
      const settings = job.settings.value;
      const domain = parseDomainName(settings.hostname);
      if (!domain) return failure(ErrorKind.ERROR_KIND_INTERNAL, CheckPhase.CHECK_PHASE_UNSPECIFIED, notADomain(settings.hostname));
      const name = registeredName(domain);
      const clock = new PhaseClock();
      clock.enter(CheckPhase.CHECK_PHASE_QUERY);
      try {
        const verdict = await lookup(name, rdapTimeoutOf(job.timeoutMs), signal);
        return judge(name, verdict, settings, now(), clock.stop());
      } catch (err) {
        const timings = clock.stop();
        if (signal.aborted) return aborted(signal, timings);
        return failure(ErrorKind.ERROR_KIND_REGISTRY_LOOKUP, CheckPhase.CHECK_PHASE_QUERY, (err as Error).message, { timings });
      }
    },
  };
}

function notADomain(hostname: string): string {
  return `hostname "${hostname}" is not a domain name (e.g. example.com: no address, port or URL)`;
}

function rdapTimeoutOf(checkTimeoutMs: number): number {
  return checkTimeoutMs > 0 ? Math.min(checkTimeoutMs / 2, RDAP_TIMEOUT_CAP_MS) : RDAP_TIMEOUT_CAP_MS;
}

function judge(name: string, { source, answer }: RegistryVerdict, settings: DomainSettings, nowMs: number, timings: PhaseTimings): CheckOutcome {
  if (!answer.registered) {
    const domain: DomainInfo = { expiresAtMs: 0, registeredAtMs: 0, registrar: '', statuses: [], source, expiringSoon: false };
    return failure(ErrorKind.ERROR_KIND_DOMAIN_EXPIRED, CheckPhase.CHECK_PHASE_ASSERTION, `${name} is not registered`, { timings, domain });
  }
  const { expiresAtMs, registeredAtMs, registrar, statuses } = answer;
  const warningMs = settings.expiryWarningDays * DAY_MS;
  const expiringSoon = expiresAtMs > nowMs && expiresAtMs - nowMs <= warningMs;
  const domain: DomainInfo = { expiresAtMs, registeredAtMs, registrar, statuses, source, expiringSoon };
  if (expiresAtMs > 0 && expiresAtMs <= nowMs) {
    const on = new Date(expiresAtMs).toISOString().slice(0, 10);
    return failure(ErrorKind.ERROR_KIND_DOMAIN_EXPIRED, CheckPhase.CHECK_PHASE_ASSERTION, `domain expired on ${on}`, { timings, domain });
  }
  const deletion = statuses.find((status) => BEING_DELETED.has(status));
  if (deletion) {
    return failure(ErrorKind.ERROR_KIND_DOMAIN_EXPIRED, CheckPhase.CHECK_PHASE_ASSERTION, `domain is being deleted (status "${deletion}")`, {
      timings,
      domain,
    });
  }
  return success({ timings, domain });
}

function aborted(signal: AbortSignal, timings: PhaseTimings): CheckOutcome {
  const reason = signal.reason instanceof Error ? signal.reason.message : String(signal.reason);
  if (isTimeoutAbort(signal)) {
    return failure(ErrorKind.ERROR_KIND_TIMEOUT, CheckPhase.CHECK_PHASE_QUERY, `${reason} during the registry lookup`, { timings });
  }
  return failure(ErrorKind.ERROR_KIND_INTERNAL, CheckPhase.CHECK_PHASE_QUERY, `check aborted: ${reason}`, { timings });
}
