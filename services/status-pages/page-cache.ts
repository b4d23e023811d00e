/**
 * Public status pages for a short while, in this process (the badge cache's pattern):
 * the page found for a slug or domain, and its view with each rendering made from it
 * (HTML, gzipped HTML, JSON documents, feed), each made once per view. Concurrent misses
 * share one load. A page edited through this process is forgotten at once; other api
 * processes serve the old one until TTL_MS passes (docs/status-pages.md).
 */
import { TtlCache } from '../api/routes/badges/badge-cache.js';
import type { StatusPage } from './store.js';
import type { PageView } from './view.js';
import { SettledDays } from './settled-days.js';

/** How long a page may lag behind its data: one minute (Statuspage-like freshness, well under the 5-minute cap). */
export const TTL_MS = 60_000;
/** A 50-component page's view and renderings take a few hundred kilobytes. */
const MAX_VIEWS = 200;
/** Renderings kept per view: the page's few kinds (with their tags) for a few host names. */
const MAX_RENDERINGS = 64;
/** Lookups by address, hits and misses, so made-up slugs cost one query a minute each at most. */
const MAX_ADDRESSES = 10_000;

export interface CachedView {
  view: PageView;
  /** Renderings of this view by kind ('html', 'html.gz', 'summary.json', …). */
  renderings: Map<string, string | Buffer>;
}

export class PageCache {
  private readonly addresses: TtlCache<Promise<StatusPage | null>>;
  private readonly views: TtlCache<Promise<CachedView>>;
  /** Daily figures of days that are over, shared by every page's loads. */
  readonly days: SettledDays;

  constructor(now: () => number) {
    this.addresses = new TtlCache({ ttlMs: TTL_MS, maxEntries: MAX_ADDRESSES, now });
    this.views = new TtlCache({ ttlMs: TTL_MS, maxEntries: MAX_VIEWS, now });
    this.days = new SettledDays(now);
  }

  page(address: string, load: () => Promise<StatusPage | null>): Promise<StatusPage | null> {
    return this.once(this.addresses, address, load);
  }

  view(page: StatusPage, load: () => Promise<PageView>): Promise<CachedView> {
    return this.once(this.views, page.id, async () => ({ view: await load(), renderings: new Map() }));
  }

  /**
   * A rendering of a cached view, made on first use. `perHost` kinds carry the page's URL,
   * which without PHAROS_PUBLIC_URL comes from the request's Host: past MAX_RENDERINGS a view
   * stops keeping new ones of those, so made-up Host headers cannot grow memory (nor push
   * out the HTML, which is kept whatever the count).
   */
  static rendering<T extends string | Buffer>(cached: CachedView, kind: string, make: () => T, perHost = false): T {
    let r = cached.renderings.get(kind) as T | undefined;
    if (r === undefined) {
      r = make();
      if (!perHost || cached.renderings.size < MAX_RENDERINGS) cached.renderings.set(kind, r);
    }
    return r;
  }

  forget(page: StatusPage): void {
    this.addresses.delete(`slug:${page.slug}`);
    if (page.customDomain) this.addresses.delete(`domain:${page.customDomain}`);
    this.views.delete(page.id);
  }

  private once<V>(cache: TtlCache<Promise<V>>, key: string, load: () => Promise<V>): Promise<V> {
    const hit = cache.get(key);
    if (hit) return hit;
    const p = load();
    cache.set(key, p);
    // A failed load is not kept: the next request tries again.
    p.catch(() => { if (cache.get(key) === p) cache.delete(key); });
    return p;
  }
}
