/**
 * A small fixture internet for the Diligent risk checks, on loopback only: fixture websites
 * served by one HTTP and one HTTPS server (a certificate from a local test CA naming every
 * fixture host), chosen by the Host header; the DNS stand-in (test/unit/checks/support/
 * dns-server.ts) answering their A, CNAME and NS records or failing them; the RDAP stand-in
 * (registry-servers.ts) answering their registrations; and the worker's dependencies wired to
 * them — the site fetcher through the real SSRF guard with loopback allowed, as the checker
 * tests allow it.
 */
import { Resolver } from 'node:dns/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Answer } from 'dns-packet';
import { startDnsServer, type DnsTestServer, type NameBehaviour } from '../unit/checks/support/dns-server.js';
import { rdapDomain, startRdapServer, type RdapServer } from '../unit/checks/support/registry-servers.js';
import { generateCertificateAuthority, issueCertificate, startHttpTarget, startHttpsTarget, type LocalTarget } from '../unit/checks/support/targets.js';
import { createGuardedResolver, type AddressLookup } from '../../services/lib/ssrf/guarded-resolver.js';
import { createRegistryLookup } from '../../probe-agent/checks/domain-registry/lookup.js';
import { createSiteFetcher, type SiteFetcher } from '../../services/diligent/site/site-fetcher.js';
import { createDnsProbe } from '../../services/diligent/site/dns-probe.js';
import type { RiskCheckRunnerDeps } from '../../services/diligent/checks/index.js';

export interface FixtureResponse {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Never answer (a timeout). */
  hang?: boolean;
}

export interface FixtureSite {
  /** Path (with query) → answer; "*" answers every other path (a catch-all site). */
  pages?: Record<string, FixtureResponse>;
  /** Schemes served (default both); the other refuses the TLS handshake or closes the connection. */
  schemes?: Array<'http' | 'https'>;
  dns?: { behaviour?: NameBehaviour; cname?: string; ns?: string[]; a?: string };
  /** RDAP: statuses and expiry, or not registered (404). Default: registered, "active", expiring next year. */
  registry?: { statuses?: string[]; expiresAt?: string } | 'unregistered';
}

export interface FixtureInternet {
  deps: RiskCheckRunnerDeps;
  /** The website URL of a fixture host (default ports are mapped to the fixture servers). */
  url(host: string, path?: string): string;
  /** Requests received, as "scheme host path". */
  requests: string[];
  lookup: AddressLookup;
  close(): Promise<void>;
}

export async function startFixtureInternet(sites: Record<string, FixtureSite>, opts: { timeoutMs?: number; now?: () => number } = {}): Promise<FixtureInternet> {
  const requests: string[] = [];
  const handler = (scheme: 'http' | 'https') => (req: IncomingMessage, res: ServerResponse) => {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    const path = req.url ?? '/';
    requests.push(`${scheme} ${host} ${path}`);
    const site = sites[host];
    if (!site || !(site.schemes ?? ['http', 'https']).includes(scheme)) {
      req.socket.destroy();
      return;
    }
    const answer = site.pages?.[path] ?? site.pages?.[path.split('?')[0]] ?? site.pages?.['*'] ?? { status: 404, body: '<html><body><h1>Not Found</h1></body></html>' };
    if (answer.hang) return;
    res.writeHead(answer.status ?? 200, { 'content-type': 'text/html; charset=utf-8', ...answer.headers });
    res.end(answer.body ?? '');
  };
  const ca = await generateCertificateAuthority();
  const hosts = Object.keys(sites);
  const cert = await issueCertificate(ca, { dnsNames: hosts.flatMap((h) => [h, `www.${h}`]) });
  const http: LocalTarget = await startHttpTarget(handler('http'));
  const httpsServerHandler = handler('https');
  const https: LocalTarget = await startHttpsTarget(cert, httpsServerHandler);

  const records: Answer[] = [];
  const behaviour: Record<string, NameBehaviour> = {};
  for (const [host, site] of Object.entries(sites)) {
    if (site.dns?.behaviour) {
      behaviour[host] = site.dns.behaviour;
      continue;
    }
    if (site.dns?.cname) records.push({ name: host, type: 'CNAME', ttl: 60, data: site.dns.cname });
    records.push({ name: host, type: 'A', ttl: 60, data: site.dns?.a ?? '127.0.0.1' });
    records.push({ name: `www.${host}`, type: 'A', ttl: 60, data: '127.0.0.1' });
    for (const ns of site.dns?.ns ?? [`ns1.dns-host.test`]) records.push({ name: host, type: 'NS', ttl: 60, data: ns });
  }
  // Redirect targets such as marketplace hosts resolve too.
  const dns: DnsTestServer = await startDnsServer({ records, behaviour });

  const rdap: RdapServer = await startRdapServer((name) => {
    const site = sites[name.toLowerCase()];
    const reg = site?.registry;
    if (reg === 'unregistered') return { status: 404 };
    return { status: 200, body: rdapDomain({ name, statuses: reg?.statuses ?? ['active'], registeredAt: '2015-01-01T00:00:00Z', expiresAt: reg?.expiresAt ?? '2030-01-01T00:00:00Z', registrar: 'Fixture Registrar' }) };
  });

  const resolver = new Resolver({ timeout: 2_000, tries: 1 });
  resolver.setServers([dns.resolver]);
  const lookup: AddressLookup = async (host) => {
    const found = await resolver.resolve4(host);
    return found.map((address) => ({ address, family: 4 }));
  };
  const fetcher: SiteFetcher = createSiteFetcher({
    // The real SSRF guard; loopback allowed as the checker tests allow it (PHAROS_ALLOW_PRIVATE_TARGETS).
    resolver: createGuardedResolver({ allowPrivateTargets: true, lookup }),
    ca: ca.cert,
    defaultPorts: { http: http.port, https: https.port },
    // Generous: a busy 2-core machine must not turn a healthy fixture page into a timeout.
    timeoutMs: opts.timeoutMs ?? 5_000,
  });
  const deps: RiskCheckRunnerDeps = {
    fetcher,
    dns: createDnsProbe({ servers: [dns.resolver], timeoutMs: 2_000 }),
    // WHOIS goes to a closed loopback port: nothing leaves the machine.
    registry: createRegistryLookup({ rdapBootstrap: { version: '1.0', publication: '2026-01-01T00:00:00Z', description: 'fixture', services: [[['test'], [rdap.baseUrl]]] } as never, whoisServers: { test: '127.0.0.1:9' }, ianaWhoisServer: '127.0.0.1:9' }),
    now: opts.now,
  };
  return {
    deps,
    url: (host, path = '/') => `https://${host}${path === '/' ? '' : path}`,
    requests,
    lookup,
    async close() {
      await fetcher.close();
      await Promise.all([http.close(), https.close(), dns.close(), rdap.close()]);
    },
  };
}

/** A page of ordinary words, so a page is not "thin" by accident. */
export function filler(words: number, topic = 'our team builds furniture from oak and walnut for homes and offices'): string {
  const base = topic.split(' ');
  return Array.from({ length: words }, (_, i) => base[i % base.length]).join(' ');
}

export function html(title: string, body: string, head = ''): string {
  return `<!doctype html><html lang="en"><head><title>${title}</title>${head}</head><body>${body}</body></html>`;
}
