/**
 * The DNS facts the non-operational check reads: a host's A, AAAA and CNAME records and its
 * registrable domain's NS records, from the worker's resolvers or configured ones (tests
 * point them at the local DNS stand-in). Outcomes are data: NXDOMAIN, SERVFAIL, timeout.
 * Operator-configured resolvers, not tenant-chosen targets, so no SSRF screening applies.
 */
import { Resolver } from 'node:dns/promises';

export type DnsStatus = 'ok' | 'no_address' | 'nxdomain' | 'servfail' | 'timeout' | 'refused' | 'error';

export interface DnsFacts {
  host: string;
  status: DnsStatus;
  a: string[];
  aaaa: string[];
  cname: string[];
  /** Name servers of the registrable domain. */
  ns: string[];
  message?: string;
}

export interface DnsProbe {
  facts(host: string, registrableDomain: string, signal: AbortSignal): Promise<DnsFacts>;
}

const STATUS_OF: Record<string, DnsStatus> = { ENOTFOUND: 'nxdomain', ESERVFAIL: 'servfail', ETIMEOUT: 'timeout', ECONNREFUSED: 'refused', EREFUSED: 'refused' };

export function createDnsProbe(opts: { servers?: string[]; timeoutMs?: number } = {}): DnsProbe {
  return {
    async facts(host, registrableDomain, signal) {
      const resolver = new Resolver({ timeout: opts.timeoutMs ?? 3_000, tries: 2 });
      if (opts.servers?.length) resolver.setServers(opts.servers);
      const onAbort = () => resolver.cancel();
      signal.addEventListener('abort', onAbort, { once: true });
      const ask = async <T>(q: () => Promise<T[]>): Promise<{ values: string[]; code?: string }> => {
        try {
          return { values: (await q()).map(String) };
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code ?? 'error';
          return { values: [], code: code === 'ENODATA' ? undefined : code };
        }
      };
      try {
        const [a, aaaa, cname, ns] = await Promise.all([
          ask(() => resolver.resolve4(host)), ask(() => resolver.resolve6(host)), ask(() => resolver.resolveCname(host)), ask(() => resolver.resolveNs(registrableDomain)),
        ]);
        const answered = [a, aaaa, cname].find((r) => r.values.length > 0);
        const firstCode = [a, aaaa, cname].map((r) => r.code).find(Boolean);
        const status: DnsStatus = answered ? 'ok' : signal.aborted ? 'timeout' : firstCode ? (STATUS_OF[firstCode] ?? 'error') : 'no_address';
        return {
          host, status, a: a.values, aaaa: aaaa.values, cname: cname.values.map((c) => c.toLowerCase().replace(/\.$/, '')), ns: ns.values.map((n) => n.toLowerCase().replace(/\.$/, '')),
          message: answered ? undefined : `no address for ${host}${firstCode ? ` (${firstCode})` : ''}`,
        };
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    },
  };
}
