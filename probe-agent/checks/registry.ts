/**
 * The one table from check type to checker, and the single place a job is dispatched on
 * its settings `oneof` (an exhaustive switch: a new check type does not compile until it
 * is handled here). Whatever happens, `runCheck` resolves with an outcome.
 */
import { CheckType, checkTypeToJSON, type CheckJob } from '../../proto/generated/pharos/v1/check.js';
import { CheckPhase, ErrorKind } from '../../proto/generated/pharos/v1/result.js';
import { CONTRACT_OF_SETTINGS } from '../../contracts/checks/index.js';
import { COMMON_FIELDS } from '../../contracts/monitor.js';
import { failure, type Checker, type CheckOutcome, type CheckSettings, type JobFor, type SettingsCase } from './checker.js';
import { createDnsChecker } from './dns.js';
import { createDomainChecker, type DomainCheckerDeps } from './domain.js';
import { createPingChecker } from './ping.js';
import { createPortChecker } from './port.js';
import type { TargetResolver } from './target-resolver.js';
import { createWebsiteChecker } from './website.js';

export type CheckerTable = { readonly [C in SettingsCase]: Checker<C> };

export const CHECK_TYPE_OF: { readonly [C in SettingsCase]: CheckType } = {
  website: CheckType.CHECK_TYPE_WEBSITE,
  port: CheckType.CHECK_TYPE_PORT,
  ping: CheckType.CHECK_TYPE_PING,
  dns: CheckType.CHECK_TYPE_DNS,
  domain: CheckType.CHECK_TYPE_DOMAIN,
};

export interface CheckerDeps {
  /** The SSRF hook for every check that dials a tenant's target. */
  resolveTarget?: TargetResolver;
  userAgent?: string;
  /** Where Domain checks find registries (RDAP bootstrap, WHOIS servers). */
  registries?: DomainCheckerDeps['registries'];
}

export function createCheckers(deps: CheckerDeps = {}): CheckerTable {
  return {
    website: createWebsiteChecker({ resolveTarget: deps.resolveTarget, userAgent: deps.userAgent }),
    port: createPortChecker({ resolveTarget: deps.resolveTarget }),
    ping: createPingChecker({ resolveTarget: deps.resolveTarget }),
    dns: createDnsChecker({ resolveTarget: deps.resolveTarget }),
    domain: createDomainChecker({ registries: deps.registries }),
  };
}

/**
 * A job must carry a timeout, at most the monitor contract's maximum, so a bad job cannot hold
 * a slot for long. Shorter than the api's 1 s minimum is allowed: it is only ever stricter.
 */
const TIMEOUT_LIMITS_MS = { min: 1, max: COMMON_FIELDS.timeoutSeconds.limits.max * 1000 };

export async function runCheck(checkers: CheckerTable, job: CheckJob, signal: AbortSignal): Promise<CheckOutcome> {
  const settings = job.settings;
  if (!settings) return internal('job carries no check settings');
  if (job.type !== CHECK_TYPE_OF[settings.$case]) {
    return internal(`job type ${checkTypeToJSON(job.type)} does not match its ${settings.$case} settings`);
  }
  if (job.timeoutMs < TIMEOUT_LIMITS_MS.min || job.timeoutMs > TIMEOUT_LIMITS_MS.max) {
    return internal(`invalid job: timeout ${job.timeoutMs} ms is outside ${TIMEOUT_LIMITS_MS.min}-${TIMEOUT_LIMITS_MS.max} ms`);
  }
  const timeout = withTimeout(signal, job.timeoutMs);
  try {
    switch (settings.$case) {
      case 'website':
        return await runValidated(checkers.website, { ...job, settings }, timeout.signal);
      case 'port':
        return await runValidated(checkers.port, { ...job, settings }, timeout.signal);
      case 'ping':
        return await runValidated(checkers.ping, { ...job, settings }, timeout.signal);
      case 'dns':
        return await runValidated(checkers.dns, { ...job, settings }, timeout.signal);
      case 'domain':
        return await runValidated(checkers.domain, { ...job, settings }, timeout.signal);
      default:
        return internal(`unknown check settings ${String((settings satisfies never as { $case?: string }).$case)}`);
    }
  } catch (err) {
    // A checker is not supposed to throw; if one does, it is our bug, not the target's failure.
    return internal(`checker failed: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    timeout.dispose();
  }
}

/** The settings must pass their type's contract, the same rules the api applied when the monitor was saved. */
async function runValidated<C extends SettingsCase>(checker: Checker<C>, job: JobFor<C>, signal: AbortSignal): Promise<CheckOutcome> {
  const problems = settingsProblems(job);
  if (problems.length > 0) return internal(`invalid check settings: ${problems.join('; ')}`);
  return checker.run(job, signal);
}

/** What is wrong with a job's settings, as `field message` texts in REST names (`assertions[2] …`); empty when it can run. */
export function settingsProblems(job: Pick<CheckJob, 'settings' | 'timeoutMs'> & { settings: CheckSettings }): string[] {
  const contract = CONTRACT_OF_SETTINGS[job.settings.$case];
  const fields = contract.fromSettings(job.settings.value as never);
  return contract.validate(fields, { timeoutSeconds: job.timeoutMs / 1000 })
    .map((p) => `${p.field.slice(1).replace(/\/(\d+)/g, '[$1]')} ${p.message}`);
}

function internal(message: string): CheckOutcome {
  return failure(ErrorKind.ERROR_KIND_INTERNAL, CheckPhase.CHECK_PHASE_UNSPECIFIED, message);
}

/** A child signal that aborts with a `TimeoutError` after `ms`, or when `parent` aborts. */
export function withTimeout(parent: AbortSignal, ms: number): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(`timed out after ${ms} ms`, 'TimeoutError')), ms);
  const onParentAbort = () => controller.abort(parent.reason);
  if (parent.aborted) onParentAbort();
  else parent.addEventListener('abort', onParentAbort, { once: true });
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(timer);
      parent.removeEventListener('abort', onParentAbort);
    },
  };
}
