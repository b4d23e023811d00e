/**
 * IP enrichment: reverse DNS (PTR) and the address's network from RDAP (RFC 9083 ip network
 * object: handle, name, CIDR, country, the registrant organisation), its RDAP service found
 * in IANA's IP bootstrap (shipped subset, refreshable), else at the operator's RDAP base.
 */
import ipaddr from 'ipaddr.js';
import type { DnsLookup } from '../sources/dns-lookup.js';
import type { SourceClient } from '../sources/source-client.js';
import type { AsnLookup } from '../sources/asn-database.js';
import { RecordBuilder, type Enricher } from './enricher.js';

interface RdapIpNetwork {
  objectClassName?: string; handle?: string; name?: string; country?: string; type?: string;
  startAddress?: string; endAddress?: string;
  cidr0_cidrs?: Array<{ v4prefix?: string; v6prefix?: string; length?: number }>;
  entities?: Array<{ roles?: string[]; vcardArray?: [string, Array<[string, unknown, string, unknown]>] }>;
}

function organisationOf(n: RdapIpNetwork): string | null {
  const registrant = n.entities?.find((e) => e.roles?.includes('registrant')) ?? n.entities?.[0];
  const fn = registrant?.vcardArray?.[1]?.find((p) => p[0] === 'fn');
  return typeof fn?.[3] === 'string' ? fn[3] : null;
}

/** The RDAP service for an address (by IANA's IP bootstrap, else the configured base). */
export type RdapForAddress = (address: string) => Promise<SourceClient>;

export function createIpEnricher(deps: { dns: DnsLookup; rdapFor: RdapForAddress; asn: () => Promise<AsnLookup | null> }): Enricher {
  return {
    type: 'ip',
    async enrich(ip, { signal }) {
      const out = new RecordBuilder();
      const addr = ipaddr.parse(ip);
      out.set('version', addr.kind() === 'ipv4' ? 4 : 6);
      out.set('range', addr.range());
      const [ptr, rdap] = await Promise.all([deps.dns.ptr(ip), deps.rdapFor(ip).then((rdap) => rdap.get<RdapIpNetwork>(`/ip/${ip}`, signal, { headers: { accept: 'application/rdap+json' } }))]);
      if (ptr.kind === 'inconclusive') out.unanswered('reverse_dns', ptr.reason);
      else out.set('reverse_dns', ptr.records.map((n) => n.toLowerCase()));
      if (rdap.kind === 'inconclusive') out.unanswered('network', rdap.reason);
      else if (rdap.kind === 'not_found' || rdap.body?.objectClassName !== 'ip network') out.set('network', null);
      else {
        const n = rdap.body;
        out.set('network', {
          handle: n.handle ?? null, name: n.name ?? null, country: n.country ?? null, type: n.type ?? null,
          cidr: (n.cidr0_cidrs ?? []).map((c) => `${c.v4prefix ?? c.v6prefix}/${c.length}`),
          start_address: n.startAddress ?? null, end_address: n.endAddress ?? null, organization: organisationOf(n),
        });
      }
      // ASN from the shipped ip-location-db data or the operator's IPtoASN file; without either
      // the section is inconclusive (its first answer, once there is one, is a baseline).
      const asnDb = await deps.asn().catch(() => null);
      if (!asnDb) out.unanswered('asn', 'no ASN database could be loaded');
      else {
        const found = asnDb.lookup(ip);
        out.set('asn', found ? { number: found.number, organization: found.organization, country: found.country } : null);
      }
      return out.done();
    },
  };
}
