/**
 * Local stand-ins for the Encrata enrichment sources, on 127.0.0.1 port 0, replaying the
 * documented response shapes: Gravatar (`/avatar/{sha256}?d=404`: 200 image or 404), Have I
 * Been Pwned v3 (`/breaches?domain=`, `/breachedaccount/{email}`, `/pasteaccount/{email}`),
 * the ransomware.live v2 aggregator (`/searchvictims/{term}`), GLEIF API v1 (`/lei-records`
 * JSON:API), SEC EDGAR (`/files/company_tickers.json`, `/submissions/CIK##########.json`),
 * RDAP for IP networks (`/ip/{address}`, RFC 9083). Each answer comes from mutable state a
 * test changes between runs; any path can be made to hang, fail or rate-limit. Every request
 * is recorded. Nothing here reaches beyond loopback.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';

export type Trouble = 'hang' | 429 | 500;

export interface SourceState {
  /** Emails (lower case) with a Gravatar. */
  gravatars: Set<string>;
  /** HIBP breaches by domain, and by account (email). */
  breachesByDomain: Map<string, string[]>;
  breachesByAccount: Map<string, string[]>;
  pastesByAccount: Map<string, Array<{ Source: string; Id: string }>>;
  /** Leak-site posts by search term (lower case). */
  leakPosts: Map<string, Array<{ victim: string; group: string; attackdate: string }>>;
  /** GLEIF LEI records. */
  leiRecords: Array<{ lei: string; legalName: string; status: string; jurisdiction: string; city: string; country: string }>;
  /** EDGAR companies and their latest filing. */
  edgarCompanies: Array<{ cik: number; ticker: string; title: string; latestForm: string; latestDate: string }>;
  /** RDAP IP networks: the first whose prefix the address starts with answers. */
  ipNetworks: Array<{ prefix: string; handle: string; name: string; cidr: string; country: string; org: string }>;
  /** Path prefixes answered with trouble instead. */
  trouble: Map<string, Trouble>;
}

export interface SourceStandIn {
  url: string;
  state: SourceState;
  requests: Array<{ path: string; headers: http.IncomingHttpHeaders }>;
  /** Requests whose path starts with `prefix`. */
  count(prefix: string): number;
  close(): Promise<void>;
}

export function emptyState(): SourceState {
  return {
    gravatars: new Set(), breachesByDomain: new Map(), breachesByAccount: new Map(), pastesByAccount: new Map(), leakPosts: new Map(),
    leiRecords: [], edgarCompanies: [], ipNetworks: [], trouble: new Map(),
  };
}

const gleif = (r: SourceState['leiRecords'][number]) => ({
  type: 'lei-records', id: r.lei,
  attributes: {
    lei: r.lei,
    entity: { legalName: { name: r.legalName, language: 'en' }, status: r.status, jurisdiction: r.jurisdiction, legalAddress: { language: 'en', addressLines: ['1 Main Street'], city: r.city, country: r.country, postalCode: '00000' } },
    registration: { status: 'ISSUED', initialRegistrationDate: '2014-01-01T00:00:00Z' },
  },
});

export async function startSourceStandIn(state: SourceState = emptyState()): Promise<SourceStandIn> {
  const requests: SourceStandIn['requests'] = [];
  const held = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const path = decodeURIComponent(url.pathname);
    requests.push({ path: req.url ?? '', headers: req.headers });
    const json = (status: number, body: unknown, type = 'application/json') => { res.writeHead(status, { 'content-type': type }); res.end(JSON.stringify(body)); };
    for (const [prefix, trouble] of state.trouble) {
      if (!path.startsWith(prefix)) continue;
      if (trouble === 'hang') { held.add(res); return; }
      res.writeHead(trouble, trouble === 429 ? { 'retry-after': '0' } : {});
      res.end();
      return;
    }
    let m: RegExpExecArray | null;
    if ((m = /^\/avatar\/([0-9a-f]{64})$/.exec(path))) {
      const has = [...state.gravatars].some((e) => createHash('sha256').update(e).digest('hex') === m![1]);
      if (!has) return json(404, 'Not Found', 'text/plain');
      res.writeHead(200, { 'content-type': 'image/png' });
      return res.end(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    }
    if (path === '/breaches') {
      const names = state.breachesByDomain.get(url.searchParams.get('domain') ?? '') ?? [];
      return json(200, names.map((Name) => ({ Name, Title: Name, Domain: url.searchParams.get('domain'), BreachDate: '2020-01-01', PwnCount: 1000, DataClasses: ['Email addresses'] })));
    }
    if ((m = /^\/breachedaccount\/(.+)$/.exec(path))) {
      if (!req.headers['hibp-api-key']) return json(401, { statusCode: 401, message: 'Access denied due to missing hibp-api-key.' });
      const names = state.breachesByAccount.get(m[1]);
      return names?.length ? json(200, names.map((Name) => ({ Name }))) : json(404, '');
    }
    if ((m = /^\/pasteaccount\/(.+)$/.exec(path))) {
      const pastes = state.pastesByAccount.get(m[1]);
      return pastes?.length ? json(200, pastes) : json(404, '');
    }
    if ((m = /^\/searchvictims\/(.+)$/.exec(path))) {
      const posts = state.leakPosts.get(m[1].toLowerCase()) ?? [];
      return json(200, posts.map((p) => ({ ...p, discovered: `${p.attackdate} 10:00:00.000000`, country: 'US', activity: 'Technology' })));
    }
    if ((m = /^\/lei-records\/([A-Z0-9]{20})$/.exec(path))) {
      const r = state.leiRecords.find((x) => x.lei === m![1]);
      return r ? json(200, { data: gleif(r) }, 'application/vnd.api+json') : json(404, { errors: [{ status: '404', title: 'Not Found' }] }, 'application/vnd.api+json');
    }
    if (path === '/lei-records') {
      const q = (url.searchParams.get('filter[fulltext]') ?? '').toLowerCase();
      const hits = state.leiRecords.filter((r) => r.legalName.toLowerCase().includes(q.split(' ')[0]));
      return json(200, { meta: { pagination: { total: hits.length } }, data: hits.map(gleif) }, 'application/vnd.api+json');
    }
    if (path === '/files/company_tickers.json') {
      if (!String(req.headers['user-agent'] ?? '').includes('@')) return json(403, { message: 'Undeclared Automated Tool' });
      return json(200, Object.fromEntries(state.edgarCompanies.map((c, i) => [String(i), { cik_str: c.cik, ticker: c.ticker, title: c.title }])));
    }
    if ((m = /^\/submissions\/CIK(\d{10})\.json$/.exec(path))) {
      const c = state.edgarCompanies.find((x) => x.cik === Number(m![1]));
      return c ? json(200, { cik: String(c.cik), name: c.title, tickers: [c.ticker], filings: { recent: { form: [c.latestForm, '8-K'], filingDate: [c.latestDate, '2020-01-01'] } } }) : json(404, '');
    }
    if ((m = /^\/ip\/(.+)$/.exec(path))) {
      const n = state.ipNetworks.find((x) => m![1].startsWith(x.prefix));
      if (!n) return json(404, { errorCode: 404, title: 'Not Found' }, 'application/rdap+json');
      const [prefix, length] = n.cidr.split('/');
      return json(200, {
        objectClassName: 'ip network', rdapConformance: ['rdap_level_0', 'cidr0'], handle: n.handle, name: n.name, country: n.country, type: 'ALLOCATED PA',
        startAddress: prefix, endAddress: prefix, ipVersion: 'v4', cidr0_cidrs: [{ v4prefix: prefix, length: Number(length) }],
        entities: [{ objectClassName: 'entity', roles: ['registrant'], vcardArray: ['vcard', [['version', {}, 'text', '4.0'], ['fn', {}, 'text', n.org]]] }],
      }, 'application/rdap+json');
    }
    json(400, { message: `stand-in has no route ${path}` });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    requests,
    count: (prefix) => requests.filter((r) => r.path.startsWith(prefix)).length,
    close: () => new Promise<void>((resolve) => {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
