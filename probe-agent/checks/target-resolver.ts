/**
 * Turns a target host name into the one address a check connects to. Every hop of a check
 * (each redirect, each port check) goes through a `TargetResolver`, which is the hook for
 * the SSRF guard (DESIGN.md §6): a guarding resolver checks the *resolved* address and
 * throws `BlockedTargetError`, so a DNS rebinding between hops cannot slip through because
 * the connection is made to exactly the address that was checked.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { raceAbort } from '../../services/lib/abort.js';
import { bareHostname } from '../../contracts/checks/target.js';

export { bareHostname };

/** Thrown by a guarding resolver for an address the operator does not allow (one type, shared with the guard). */
export { BlockedTargetError } from '../../services/lib/ssrf/blocked-target-error.js';

export interface ResolvedTarget {
  address: string;
  family: 4 | 6;
}

export type TargetResolver = (hostname: string, signal: AbortSignal) => Promise<ResolvedTarget>;

/**
 * Plain system resolution, no guard: the checkers' default, for tests and benchmarks. Every
 * process that runs tenants' checks passes the SSRF guard instead (services/lib/ssrf). IP
 * literals are not looked up, and `.invalid` names (RFC 6761) fail without asking a resolver.
 */
export const systemResolver: TargetResolver = async (hostname, signal) => {
  const host = bareHostname(hostname);
  const literal = isIP(host);
  if (literal) return { address: host, family: literal as 4 | 6 };
  if (host === 'invalid' || host.endsWith('.invalid')) throw dnsNotFound(host);
  signal.throwIfAborted();
  // dns.lookup cannot be cancelled; racing it against the signal lets the check end on time.
  const found = await raceAbort(lookup(host, { verbatim: true }), signal);
  return { address: found.address, family: found.family === 6 ? 6 : 4 };
};

function dnsNotFound(host: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${host}`);
  err.code = 'ENOTFOUND';
  return err;
}
