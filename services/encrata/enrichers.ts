/**
 * The enrichment modules of every monitor type, with their outside sources built from the
 * configuration (one source client per source per worker; with a hot state the per-source
 * spacing is shared by every worker using it, else it is per worker).
 */
import type { EncrataConfig } from '../lib/config.js';
import type { GuardedResolver } from '../lib/ssrf/guarded-resolver.js';
import { createRegistryLookup, type DomainRegistries } from '../../probe-agent/checks/domain-registry/lookup.js';
import type { BackoffPolicy } from '../../probe-agent/backoff.js';
import type { EntityType } from './model.js';
import type { Enricher } from './enrichment/enricher.js';
import { createEmailEnricher } from './enrichment/email.js';
import { createPhoneEnricher } from './enrichment/phone.js';
import { createDomainEnricher } from './enrichment/domain.js';
import { createIpEnricher } from './enrichment/ip.js';
import { createCompanyEnricher } from './enrichment/company.js';
import { createDarkwebEnricher } from './enrichment/darkweb.js';
import { createSourceClient, type SourceClientOptions } from './sources/source-client.js';
import { createDnsLookup } from './sources/dns-lookup.js';
import { createGuardedWeb } from './sources/guarded-web.js';
import { rdapIpBootstrapSource, type RdapIpBootstrap } from './sources/rdap-ip-bootstrap.js';
import type { SourceClient } from './sources/source-client.js';
import { asnDatabaseSource } from './sources/asn-database.js';
import type { HotState } from '../lib/ports/hot-state.js';

const USER_AGENT = 'Pharos-Encrata/1.0 (+https://github.com/pharos)';

export interface EnricherDeps {
  config: EncrataConfig;
  /** The SSRF guard for tenant targets (a domain's web site and certificate). */
  resolver: GuardedResolver;
  /** Where registries are (the RDAP bootstrap file, WHOIS servers): the probe agent's Domain check settings. */
  registries?: DomainRegistries;
  /** Retry backoff (tests shorten it). */
  backoff?: BackoffPolicy;
  /** Web ports (tests point them at stand-ins). */
  webPorts?: { http: number; https: number };
  webCa?: string | Buffer;
  /** The IP RDAP bootstrap itself (tests); default the operator's file, else the shipped subset. */
  rdapIpBootstrap?: RdapIpBootstrap;
  /** Shares each source's request spacing between workers (Redis in server mode); absent = per process. */
  hotState?: HotState;
}

export function createEnrichers(deps: EnricherDeps): { enrichers: { readonly [T in EntityType]: Enricher }; close(): Promise<void> } {
  const c = deps.config;
  const client = (name: string, o: { baseUrl: string; minIntervalMs: number }, headers: Record<string, string> = {}) =>
    createSourceClient({ name, baseUrl: o.baseUrl, minIntervalMs: o.minIntervalMs, timeoutMs: c.timeoutMs, attempts: c.attempts, backoff: deps.backoff, hotState: deps.hotState, headers: { 'user-agent': USER_AGENT, ...headers } } satisfies SourceClientOptions);
  const dns = createDnsLookup({ servers: c.dnsServers, timeoutMs: c.timeoutMs, tries: c.attempts });
  const web = createGuardedWeb({ resolver: deps.resolver, timeoutMs: c.timeoutMs, ports: deps.webPorts, ca: deps.webCa });
  const edgarHeaders = c.edgar.userAgent ? { 'user-agent': c.edgar.userAgent } : undefined;
  // One RDAP client per RDAP service, so each registry's rate limit is its own.
  const ipBootstrap = rdapIpBootstrapSource(deps.rdapIpBootstrap ?? c.rdapIpBootstrapFile);
  const rdapClients = new Map<string, SourceClient>();
  const rdapFor = async (address: string) => {
    const found = await ipBootstrap().then((index) => index.baseUrlFor(address), () => undefined);
    const baseUrl = (found ?? c.rdapIp.baseUrl).replace(/\/+$/, '');
    let rdap = rdapClients.get(baseUrl);
    if (!rdap) rdapClients.set(baseUrl, rdap = client(`rdap ${new URL(baseUrl).host}`, { baseUrl, minIntervalMs: c.rdapIp.minIntervalMs }));
    return rdap;
  };
  const enrichers = {
    email: createEmailEnricher({ dns, gravatar: client('gravatar', c.gravatar) }),
    phone: createPhoneEnricher(),
    domain: createDomainEnricher({ dns, registry: createRegistryLookup(deps.registries), web, rdapTimeoutMs: c.timeoutMs }),
    ip: createIpEnricher({ dns, rdapFor, asn: asnDatabaseSource(c.ipAsnFile) }),
    company: createCompanyEnricher({
      gleif: client('gleif', c.gleif, { accept: 'application/vnd.api+json' }),
      edgar: edgarHeaders ? client('edgar', { baseUrl: c.edgar.baseUrl, minIntervalMs: c.edgar.minIntervalMs * 2 }, edgarHeaders) : null,
      // EDGAR's fair-access limit is per client, across both hosts: each gets half.
      edgarData: edgarHeaders ? client('edgar-data', { baseUrl: c.edgar.dataUrl, minIntervalMs: c.edgar.minIntervalMs * 2 }, edgarHeaders) : null,
    }),
    darkweb: createDarkwebEnricher({
      hibp: client('hibp', c.hibp, c.hibp.apiKey ? { 'hibp-api-key': c.hibp.apiKey } : {}),
      hibpHasKey: Boolean(c.hibp.apiKey),
      leakSites: client('leak-sites', c.leakSites),
    }),
  } as const;
  return { enrichers, close: () => web.close() };
}
