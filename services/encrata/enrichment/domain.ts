/**
 * Domain enrichment: DNS records (A, AAAA, MX, NS, TXT, CAA, SOA), registration through the
 * probe agent's RDAP/WHOIS lookup (probe-agent/checks/domain-registry), the TLS certificate,
 * the HTTP final URL, status and security headers (through the SSRF guard), and whether the
 * domain looks parked (its name servers are a parking service's, or its page offers it for sale).
 */
import type { RegistryLookup } from '../../../probe-agent/checks/domain-registry/lookup.js';
import type { DnsLookup } from '../sources/dns-lookup.js';
import type { GuardedWeb } from '../sources/guarded-web.js';
import { RecordBuilder, type Enricher } from './enricher.js';

/** Name-server suffixes of well-known domain parking services. */
const PARKING_NS = ['sedoparking.com', 'parkingcrew.net', 'bodis.com', 'above.com', 'dan.com', 'afternic.com', 'parklogic.com', 'namebrightdns.com', 'uniregistrymarket.link', 'ztomy.com', 'fabulous.com', 'rookdns.com', 'cashparking.com', 'dsredirection.com', 'park.do'];
const FOR_SALE = /(this domain (name )?(is|may be) for sale|buy this domain|domain is parked|parked free|is available for purchase)/i;

export interface DomainEnricherDeps { dns: DnsLookup; registry: RegistryLookup; web: GuardedWeb; rdapTimeoutMs: number }

export function createDomainEnricher(deps: DomainEnricherDeps): Enricher {
  return {
    type: 'domain',
    async enrich(domain, { signal }) {
      const out = new RecordBuilder();
      const [a, aaaa, mx, ns, txt, caa, soa] = await Promise.all([
        deps.dns.a(domain), deps.dns.aaaa(domain), deps.dns.mx(domain), deps.dns.ns(domain), deps.dns.txt(domain), deps.dns.caa(domain), deps.dns.soa(domain),
      ]);
      const answers = { a, aaaa, mx, ns, txt, caa, soa };
      const failed = Object.entries(answers).find(([, v]) => v.kind === 'inconclusive');
      if (failed) out.unanswered('dns', (failed[1] as { reason: string }).reason);
      else {
        const r = <T>(x: unknown) => (x as { records: T[] }).records;
        out.set('dns', {
          exists: [a, aaaa, mx, ns, txt, soa].some((x) => x.kind === 'answer' && x.exists),
          a: r<string>(a), aaaa: r<string>(aaaa).map((v) => v.toLowerCase()),
          mx: r<{ exchange: string; priority: number }>(mx).map((m) => `${m.priority} ${m.exchange.toLowerCase()}`),
          ns: r<string>(ns).map((v) => v.toLowerCase()), txt: r<string>(txt), caa: r<string>(caa),
          // The serial changes with every zone edit: not part of the record.
          soa: r<{ nsname: string; hostmaster: string }>(soa).map((s) => ({ primary_ns: s.nsname.toLowerCase(), hostmaster: s.hostmaster.toLowerCase() }))[0] ?? null,
        });
      }

      const [registration, web, cert] = await Promise.all([
        deps.registry(domain, deps.rdapTimeoutMs, signal).then((v) => ({ ok: true as const, v }), (err: Error) => ({ ok: false as const, reason: err.message })),
        deps.web.fetchHome(domain, signal),
        deps.web.certificate(domain, signal),
      ]);
      if (!registration.ok) out.unanswered('registration', registration.reason);
      else {
        const ans = registration.v.answer;
        out.set('registration', ans.registered
          ? { registered: true, source: registration.v.source, registrar: ans.registrar || null, registered_at: ans.registeredAtMs ? new Date(ans.registeredAtMs).toISOString() : null, expires_at: ans.expiresAtMs ? new Date(ans.expiresAtMs).toISOString() : null, statuses: ans.statuses }
          : { registered: false, source: registration.v.source, registrar: null, registered_at: null, expires_at: null, statuses: [] });
      }
      if (cert.kind === 'inconclusive') out.unanswered('tls', cert.reason);
      else out.set('tls', { present: cert.present, issuer: cert.issuer, subject: cert.subject, valid_to: cert.validTo, alt_names: cert.altNames, trusted: cert.authorized, error: cert.error });
      if (web.kind === 'inconclusive') out.unanswered('http', web.reason);
      else out.set('http', { final_url: web.finalUrl, status: web.status, security_headers: web.securityHeaders, error: web.error });

      if (ns.kind === 'inconclusive' || web.kind === 'inconclusive') out.unanswered('parked', ns.kind === 'inconclusive' ? ns.reason : (web as { reason: string }).reason);
      else {
        const parkedNs = ns.records.some((n) => PARKING_NS.some((p) => n.toLowerCase() === p || n.toLowerCase().endsWith(`.${p}`)));
        out.set('parked', parkedNs || FOR_SALE.test(web.bodySample));
      }
      return out.done();
    },
  };
}
