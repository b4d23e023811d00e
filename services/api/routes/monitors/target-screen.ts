/**
 * Refuses, at creation and update, a monitor the agents would refuse at check time (their
 * SSRF guard, services/lib/ssrf/), so it never sits Down with an incident for a target it
 * can never reach. The agents still check every hop: this screen is a courtesy to the
 * tenant, not the guard — a name may resolve differently later or in the agents' network.
 *
 * Only the targets the agents connect to are screened: a Website's URL host, a Port or
 * Ping hostname and a Dns monitor's own resolver. A Dns hostname is a name asked about, not
 * connected to, and a Domain hostname goes to the registries, so neither is screened.
 */
import { isIP } from 'node:net';
import { parseResolver } from '../../../../contracts/checks/dns.js';
import { bareHostname } from '../../../../contracts/checks/target.js';
import type { MonitorConfig } from '../../../../contracts/monitor.js';
import { raceAbort } from '../../../lib/abort.js';
import { validationError, type FieldError } from '../../../lib/errors.js';
import { checkAddress, type AddressPolicy } from '../../../lib/ssrf/address-policy.js';
import { systemLookup, type AddressLookup } from '../../../lib/ssrf/guarded-resolver.js';

export interface TargetScreenOptions extends AddressPolicy {
  /** Default: the system resolver, as the agents use. */
  lookup?: AddressLookup;
  /** How long a name may take to resolve before it is let through unscreened. */
  lookupTimeoutMs?: number;
}

/** Long enough for a healthy resolver, short enough not to hold an api request up. */
export const TARGET_LOOKUP_TIMEOUT_MS = 2_000;

interface Target {
  field: string;
  host: string;
}

/** The hosts of a monitor that its agents will connect to, with the field each came from. */
export function connectedTargets(config: MonitorConfig): Target[] {
  switch (config.type) {
    case 'Website': {
      if (!config.url) return [];
      try {
        return [{ field: '/url', host: bareHostname(new URL(config.url).hostname) }];
      } catch {
        return []; // the contract has already refused it
      }
    }
    case 'Port':
    case 'Ping':
      return config.hostname ? [{ field: '/hostname', host: bareHostname(config.hostname) }] : [];
    case 'Dns': {
      const resolver = config.dnsResolver === null ? undefined : parseResolver(config.dnsResolver);
      return resolver ? [{ field: '/dnsResolver', host: resolver.host }] : [];
    }
    default:
      return [];
  }
}

/**
 * Throws a 400 naming the field and the refused range when a target is an IP literal the
 * policy refuses, or a name that resolves to one. A name that does not resolve in time, or
 * at all, is accepted: it may exist only in the agents' network, and the agents decide then.
 * When private targets are allowed only cloud metadata is refused, which names essentially
 * never resolve to, so names are not looked up at all (no DNS wait on the embedded network).
 */
export async function screenTargets(config: MonitorConfig, options: TargetScreenOptions): Promise<void> {
  const policy: AddressPolicy = { allowPrivateTargets: options.allowPrivateTargets };
  const errors: FieldError[] = [];
  for (const { field, host } of connectedTargets(config)) {
    const refusal = isIP(host)
      ? refusalOf(host, [host], policy)
      : options.allowPrivateTargets ? undefined : refusalOf(host, await resolveQuietly(host, options), policy);
    if (refusal) errors.push({ field, message: refusal });
  }
  if (errors.length) throw validationError(errors.map((e) => `${e.field} ${e.message}`).join('; '), errors);
}

function refusalOf(host: string, addresses: readonly string[], policy: AddressPolicy): string | undefined {
  for (const address of addresses) {
    const verdict = checkAddress(address, policy);
    if (!verdict.allowed) return `target ${address}${host === address ? '' : ` (${host})`} ${verdict.reason}`;
  }
  return undefined;
}

async function resolveQuietly(host: string, options: TargetScreenOptions): Promise<string[]> {
  if (host === 'invalid' || host.endsWith('.invalid')) return [];
  const signal = AbortSignal.timeout(options.lookupTimeoutMs ?? TARGET_LOOKUP_TIMEOUT_MS);
  try {
    return (await raceAbort((options.lookup ?? systemLookup)(host), signal)).map((a) => a.address);
  } catch {
    return [];
  }
}
