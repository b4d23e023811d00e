/**
 * DNS for enrichment: one resolver on the operator's servers (or the system's), each query
 * answered as data. NXDOMAIN and "no such record" are answers (an empty set, with whether
 * the name exists); a timeout, SERVFAIL or refusal is inconclusive, after the resolver's
 * own tries, so a flaky resolver never reads as "the records are gone".
 */
import { Resolver } from 'node:dns/promises';

export type DnsAnswer<T> = { kind: 'answer'; exists: boolean; records: T[] } | { kind: 'inconclusive'; reason: string };

export interface DnsLookup {
  mx(name: string): Promise<DnsAnswer<{ exchange: string; priority: number }>>;
  txt(name: string): Promise<DnsAnswer<string>>;
  a(name: string): Promise<DnsAnswer<string>>;
  aaaa(name: string): Promise<DnsAnswer<string>>;
  ns(name: string): Promise<DnsAnswer<string>>;
  caa(name: string): Promise<DnsAnswer<string>>;
  soa(name: string): Promise<DnsAnswer<{ nsname: string; hostmaster: string }>>;
  ptr(address: string): Promise<DnsAnswer<string>>;
}

const ABSENT = new Set(['ENODATA', 'ENOTFOUND', 'NOTFOUND']);

export function createDnsLookup(opts: { servers: readonly string[]; timeoutMs: number; tries: number }): DnsLookup {
  const resolver = new Resolver({ timeout: Math.max(100, Math.floor(opts.timeoutMs / Math.max(1, opts.tries))), tries: opts.tries });
  if (opts.servers.length > 0) resolver.setServers([...opts.servers]);

  async function ask<T>(query: () => Promise<T[]>): Promise<DnsAnswer<T>> {
    try {
      return { kind: 'answer', exists: true, records: await query() };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (ABSENT.has(code)) return { kind: 'answer', exists: code === 'ENODATA', records: [] };
      return { kind: 'inconclusive', reason: `DNS ${code || (err as Error).message}` };
    }
  }

  return {
    mx: (name) => ask(() => resolver.resolveMx(name)),
    txt: (name) => ask(async () => (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''))),
    a: (name) => ask(() => resolver.resolve4(name)),
    aaaa: (name) => ask(() => resolver.resolve6(name)),
    ns: (name) => ask(() => resolver.resolveNs(name)),
    caa: (name) => ask(async () => (await resolver.resolveCaa(name)).map((r) => {
      // The record's one property besides `critical` is its tag; newer Node versions also add `type: 'CAA'`.
      const [tag, value] = Object.entries(r).find(([k]) => k !== 'critical' && k !== 'type') ?? ['', ''];
      return `${r.critical} ${tag} "${String(value)}"`;
    })),
    soa: (name) => ask(async () => { const s = await resolver.resolveSoa(name); return [{ nsname: s.nsname, hostmaster: s.hostmaster }]; }),
    ptr: (address) => ask(() => resolver.reverse(address)),
  };
}
