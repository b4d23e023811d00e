/**
 * Asks a domain name's registry about it: RDAP first (its server found in the bootstrap),
 * WHOIS when the TLD has no RDAP service or its RDAP server fails. RDAP gets only part of
 * the check's time so that WHOIS keeps time to answer; when neither answers, the error
 * carries both reasons.
 */
import { rdapBootstrapSource, type RdapBootstrap } from './bootstrap.js';
import { queryRdap } from './rdap.js';
import type { RegistryAnswer } from './registration.js';
import { IANA_WHOIS_SERVER, SHIPPED_WHOIS_SERVERS, WhoisClient } from './whois.js';

/** Where Domain checks find registries. Operator data, never a tenant's, so not SSRF-guarded. */
export interface DomainRegistries {
  /**
   * The RDAP bootstrap (IANA's dns.json shape), or the path of the file
   * `refreshRdapBootstrap` writes: used when it exists, the shipped copy until then.
   * Default: the shipped copy.
   */
  rdapBootstrap?: RdapBootstrap | string;
  /** TLD → WHOIS server ("host" or "host:port"), over the shipped map. */
  whoisServers?: Readonly<Record<string, string>>;
  /** Asked for the WHOIS server of a TLD in neither map. Default: whois.iana.org. */
  ianaWhoisServer?: string;
}

export interface RegistryVerdict {
  source: 'rdap' | 'whois';
  answer: RegistryAnswer;
}

/** Neither RDAP nor WHOIS could say whether the name is registered. */
export class RegistryLookupError extends Error {
  override name = 'RegistryLookupError';
}

/**
 * Rejects with the abort reason when `signal` aborts, with a `RegistryLookupError`
 * when no registry answered.
 */
export type RegistryLookup = (name: string, rdapTimeoutMs: number, signal: AbortSignal) => Promise<RegistryVerdict>;

export function createRegistryLookup(registries: DomainRegistries = {}): RegistryLookup {
  const bootstrap = rdapBootstrapSource(registries.rdapBootstrap);
  const whois = new WhoisClient({ ...SHIPPED_WHOIS_SERVERS, ...registries.whoisServers }, registries.ianaWhoisServer ?? IANA_WHOIS_SERVER);

  return async (name, rdapTimeoutMs, signal) => {
    const tld = name.slice(name.lastIndexOf('.') + 1);
    let rdapProblem: string;
    try {
      const baseUrl = (await bootstrap()).baseUrlFor(name);
      if (baseUrl) return { source: 'rdap', answer: await queryRdap(baseUrl, name, rdapTimeoutMs, signal) };
      rdapProblem = `no RDAP service for .${tld} in the bootstrap`;
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      rdapProblem = (err as Error).message;
    }
    try {
      return { source: 'whois', answer: await whois.lookup(name, tld, signal) };
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      throw new RegistryLookupError(`RDAP: ${rdapProblem}; WHOIS: ${(err as Error).message}`);
    }
  };
}
