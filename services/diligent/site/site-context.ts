/**
 * One execution's view of a website, shared by its checks so that each page is fetched once:
 * the home page (as given, then over https and http), robots.txt (honoured), a few same-site
 * pages (about, products, terms, shop…) and the sitemap, DNS facts and the registry answer.
 * Every fetch goes through the site fetcher (SSRF guard, byte caps); every answer is kept
 * with its failure, never thrown.
 */
import robotsParserModule from 'robots-parser';
import { Parser } from 'htmlparser2';
import { getDomain } from 'tldts';
import type { RegistryLookup, RegistryVerdict } from '../../../probe-agent/checks/domain-registry/lookup.js';
import type { DnsFacts, DnsProbe } from './dns-probe.js';
import { readPage, type ReadPage } from './page.js';
import type { FetchOutcome, FetchedPage, SiteFetcher } from './site-fetcher.js';
import { DEFAULT_USER_AGENT } from './site-fetcher.js';

export interface SiteDeps {
  fetcher: SiteFetcher;
  dns: DnsProbe;
  /** RDAP/WHOIS (probe-agent/checks/domain-registry); absent = not asked. */
  registry?: RegistryLookup;
  now?: () => number;
  /** Same-site pages read besides the home page (default 4). */
  maxExtraPages?: number;
  /** Characters of page text kept per execution (default 400,000). */
  maxTextChars?: number;
}

export interface PageVisit {
  url: string;
  outcome: FetchOutcome;
  page?: ReadPage;
}

export type RegistryOutcome = { ok: true; verdict: RegistryVerdict } | { ok: false; message: string };

// robots-parser is CommonJS; its default export arrives wrapped under ESM types.
const robotsParser = robotsParserModule as unknown as (url: string, text: string) => { isAllowed(url: string, ua?: string): boolean | undefined; getSitemaps(): string[] };

const INTERESTING = /(about|product|products|shop|store|catalog|catalogue|collections|terms|conditions|legal|services|pricing|faq)/i;

export class SiteContext {
  readonly url: URL;
  readonly host: string;
  readonly registrableDomain: string;
  private cache = new Map<string, Promise<unknown>>();
  private textChars = 0;

  constructor(website: string, private readonly deps: SiteDeps, readonly signal: AbortSignal) {
    this.url = new URL(website);
    this.host = this.url.hostname;
    this.registrableDomain = getDomain(this.host, { allowPrivateDomains: true }) ?? this.host;
  }

  now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /** Computes a value once per execution (shared by the checks that need it). */
  memo<T>(key: string, make: () => Promise<T>): Promise<T> {
    let p = this.cache.get(key) as Promise<T> | undefined;
    if (!p) {
      p = make();
      this.cache.set(key, p);
    }
    return p;
  }

  /** GET a URL once per execution (later calls share the answer); HTML answers are parsed. */
  visit(url: string, accept?: string): Promise<PageVisit> {
    return this.memo(`GET ${url}`, async () => {
      const outcome = await this.deps.fetcher.get(url, this.signal, { accept });
      const visit: PageVisit = { url, outcome };
      if (outcome.ok && this.isHtml(outcome)) {
        const room = (this.deps.maxTextChars ?? 400_000) - this.textChars;
        if (room > 0) {
          visit.page = readPage(outcome.body, outcome.finalUrl);
          if (visit.page.text.length > room) visit.page.text = visit.page.text.slice(0, room);
          this.textChars += visit.page.text.length;
        }
      }
      return visit;
    });
  }

  private isHtml(p: FetchedPage): boolean {
    const type = (p.headers['content-type'] ?? '').toLowerCase();
    return type.includes('html') || (!type && /^\s*</.test(p.body));
  }

  /** The website as the customer gave it. */
  home(): Promise<PageVisit> {
    return this.visit(this.url.href);
  }

  /** The root over https (port 443) and over http (port 80). */
  bothSchemes(): Promise<{ https: PageVisit; http: PageVisit }> {
    return this.memo('both', async () => {
      const [https, http] = await Promise.all([this.visit(`https://${this.url.host}/`), this.visit(`http://${this.url.host}/`)]);
      return { https, http };
    });
  }

  dnsFacts(): Promise<DnsFacts> {
    return this.memo('dns', () => this.deps.dns.facts(this.host, this.registrableDomain, this.signal));
  }

  registry(): Promise<RegistryOutcome | undefined> {
    const lookup = this.deps.registry;
    if (!lookup) return Promise.resolve(undefined);
    return this.memo('registry', async () => {
      try {
        return { ok: true, verdict: await lookup(this.registrableDomain, 4_000, this.signal) } as const;
      } catch (err) {
        return { ok: false, message: (err as Error).message } as const;
      }
    });
  }

  /** robots.txt of the site's origin (a missing or unreadable one allows everything). */
  robots(): Promise<{ isAllowed(url: string): boolean; sitemaps: string[] }> {
    return this.memo('robots', async () => {
      const robotsUrl = new URL('/robots.txt', this.url).href;
      const v = await this.visit(robotsUrl, 'text/plain');
      const text = v.outcome.ok && v.outcome.status === 200 ? v.outcome.body : '';
      const robots = robotsParser(robotsUrl, text);
      return { isAllowed: (url: string) => robots.isAllowed(url, DEFAULT_USER_AGENT) !== false, sitemaps: robots.getSitemaps() };
    });
  }

  /** The home page plus up to maxExtraPages same-site pages it links to that robots.txt allows. */
  pages(): Promise<PageVisit[]> {
    return this.memo('pages', async () => {
      const home = await this.home();
      const visits = [home];
      if (!home.page || !home.outcome.ok) return visits;
      const robots = await this.robots();
      const origin = new URL(home.outcome.finalUrl).origin;
      const seen = new Set([home.outcome.finalUrl, home.url]);
      const candidates = home.page.links
        .map((l) => l.href.split('#')[0])
        .filter((href) => href.startsWith(origin) && INTERESTING.test(new URL(href).pathname) && !seen.has(href) && (seen.add(href), true))
        .filter((href) => robots.isAllowed(href))
        .slice(0, this.deps.maxExtraPages ?? 4);
      visits.push(...(await Promise.all(candidates.map((href) => this.visit(href)))));
      return visits;
    });
  }

  /** Page URLs listed by the sitemap (robots.txt's Sitemap lines, else /sitemap.xml), at most 500. */
  sitemapUrls(): Promise<string[]> {
    return this.memo('sitemap', async () => {
      const robots = await this.robots();
      const sitemap = robots.sitemaps[0] ?? new URL('/sitemap.xml', this.url).href;
      if (!robots.isAllowed(sitemap)) return [];
      const v = await this.visit(sitemap, 'application/xml,text/xml');
      if (!v.outcome.ok || v.outcome.status !== 200) return [];
      const urls: string[] = [];
      // A sitemap is XML; htmlparser2 in XML mode reads its <loc> elements.
      let inLoc = false;
      let current = '';
      const parser = new Parser({
        onopentag: (name) => { if (name === 'loc') { inLoc = true; current = ''; } },
        ontext: (t) => { if (inLoc) current += t; },
        onclosetag: (name) => { if (name === 'loc') { inLoc = false; if (urls.length < 500) urls.push(current.trim()); } },
      }, { xmlMode: true });
      parser.write(v.outcome.body);
      parser.end();
      return urls;
    });
  }
}
