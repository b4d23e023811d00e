/**
 * The SSRF guard as a resolver: turns a tenant's host name into the one address to connect
 * to, refusing it (BlockedTargetError) when any address the name resolves to is not allowed
 * by the address policy. Callers connect to exactly the address returned and call again on
 * every hop (each redirect, each connection), so a name that answers public first and
 * private later (DNS rebinding) is caught on the hop that resolves to the private address.
 *
 * A name with several addresses is refused if any one of them is blocked, rather than
 * filtered down to the allowed ones: a name mixing public and internal answers is either
 * misconfigured or an attack, and the refusal does not depend on the order of the answers.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { raceAbort } from '../abort.js';
import { checkAddress, type AddressPolicy } from './address-policy.js';
import { BlockedTargetError } from './blocked-target-error.js';

export interface LookupAnswer {
  address: string;
  family: number;
}

/** Every address of a name, in resolver order (dns.promises.lookup with `all: true`). */
export type AddressLookup = (hostname: string) => Promise<readonly LookupAnswer[]>;

export interface GuardedResolverOptions extends AddressPolicy {
  /** Default: the system resolver (getaddrinfo), every address, in its order. */
  lookup?: AddressLookup;
}

export interface GuardedTarget {
  address: string;
  family: 4 | 6;
}

/** Compatible with the probe agent's `TargetResolver`. */
export type GuardedResolver = (hostname: string, signal: AbortSignal) => Promise<GuardedTarget>;

export const systemLookup: AddressLookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

export function createGuardedResolver(options: GuardedResolverOptions): GuardedResolver {
  const lookup = options.lookup ?? systemLookup;
  const policy: AddressPolicy = { allowPrivateTargets: options.allowPrivateTargets };

  return async (hostname, signal) => {
    const host = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
    const literal = isIP(host);
    if (literal) {
      refuseBlocked(host, [host], policy);
      return { address: host, family: literal === 6 ? 6 : 4 };
    }
    if (host === 'invalid' || host.endsWith('.invalid')) throw notFound(host);
    signal.throwIfAborted();
    // dns.lookup cannot be cancelled; racing it against the signal lets the check end on time.
    const answers = await raceAbort(lookup(host), signal);
    if (answers.length === 0) throw notFound(host);
    refuseBlocked(host, answers.map((a) => a.address), policy);
    const first = answers[0];
    return { address: first.address, family: first.family === 6 ? 6 : 4 };
  };
}

function refuseBlocked(host: string, addresses: readonly string[], policy: AddressPolicy): void {
  for (const address of addresses) {
    const verdict = checkAddress(address, policy);
    if (verdict.allowed) continue;
    const named = host === address ? '' : ` (${host})`;
    const among = addresses.length > 1 ? ` (${host} has ${addresses.length} addresses; every one must be allowed)` : '';
    throw new BlockedTargetError(`target ${address}${named} ${verdict.reason}${among}`);
  }
}

function notFound(host: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${host}`);
  err.code = 'ENOTFOUND';
  return err;
}
