/**
 * catalog_contain_loan_flipping_indicators: reads the product catalog from the most
 * structured source the site offers — Shopify's public /products.json, the WooCommerce Store
 * API, schema.org Product/Offer JSON-LD on its pages, product URLs in its sitemap, then page
 * text — and scores goods that turn financing into cash (data/loan-flipping.json; definition
 * in docs/decisions.md "Loan-flipping indicators"). The evidence lists the products.
 */
import data from '../data/loan-flipping.json' with { type: 'json' };
import { botWallOf } from '../site/bot-wall.js';
import { compilePhrases } from '../site/phrases.js';
import type { SiteContext } from '../site/site-context.js';
import { round2, type Finding, type Signal } from './finding.js';
import type { RiskCheck } from './risk-check.js';

const NAME = 'catalog_contain_loan_flipping_indicators' as const;
type Indicator = (typeof data.indicators)[number];
const productMatcher = compilePhrases(data.indicators.flatMap((i) => i.phrases.map((phrase) => ({ phrase, payload: i }))));
const textMatcher = compilePhrases(data.indicators.filter((i) => i.textToo).flatMap((i) => i.phrases.map((phrase) => ({ phrase, payload: i }))));
const MAX_PRODUCTS = 1_000;

interface Product {
  name: string;
  /** Type, tags, category names: matched with the name. */
  about: string;
  url?: string;
  price?: string;
}

type CatalogSource = 'shopify_products_json' | 'woocommerce_store_api' | 'json_ld' | 'sitemap' | 'page_text';

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

async function shopify(site: SiteContext): Promise<Product[]> {
  const url = new URL('/products.json?limit=250', site.url).href;
  if (!(await site.robots()).isAllowed(url)) return [];
  const v = await site.visit(url, 'application/json');
  if (!v.outcome.ok || v.outcome.status !== 200) return [];
  try {
    const body = JSON.parse(v.outcome.body) as { products?: Array<Record<string, unknown>> };
    return (body.products ?? []).slice(0, MAX_PRODUCTS).map((p) => ({
      name: str(p.title), about: [str(p.product_type), Array.isArray(p.tags) ? p.tags.map(str).join(' ') : str(p.tags)].join(' '),
      url: p.handle ? new URL(`/products/${str(p.handle)}`, site.url).href : undefined,
      price: Array.isArray(p.variants) ? str((p.variants[0] as Record<string, unknown> | undefined)?.price) : undefined,
    })).filter((p) => p.name);
  } catch {
    return [];
  }
}

async function wooCommerce(site: SiteContext): Promise<Product[]> {
  const url = new URL('/wp-json/wc/store/v1/products?per_page=100', site.url).href;
  if (!(await site.robots()).isAllowed(url)) return [];
  const v = await site.visit(url, 'application/json');
  if (!v.outcome.ok || v.outcome.status !== 200) return [];
  try {
    const body = JSON.parse(v.outcome.body) as Array<Record<string, unknown>>;
    if (!Array.isArray(body)) return [];
    return body.slice(0, MAX_PRODUCTS).map((p) => ({
      name: str(p.name), about: Array.isArray(p.categories) ? p.categories.map((c) => str((c as Record<string, unknown>).name)).join(' ') : '',
      url: str(p.permalink) || undefined, price: str((p.prices as Record<string, unknown> | undefined)?.price) || undefined,
    })).filter((p) => p.name);
  } catch {
    return [];
  }
}

/** schema.org Product items anywhere in the JSON-LD (top level, @graph, ItemList elements). */
function productsInJsonLd(value: unknown, pageUrl: string, out: Product[], depth = 0): void {
  if (depth > 6 || out.length >= MAX_PRODUCTS || !value || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const v of value) productsInJsonLd(v, pageUrl, out, depth + 1);
    return;
  }
  const o = value as Record<string, unknown>;
  const types = [o['@type']].flat().map(str);
  if (types.includes('Product')) {
    const offer = [o.offers].flat()[0] as Record<string, unknown> | undefined;
    out.push({ name: str(o.name), about: [str(o.category), str(o.description).slice(0, 300)].join(' '), url: str(o.url) || pageUrl, price: offer ? str(offer.price) : undefined });
  }
  for (const key of ['@graph', 'itemListElement', 'item', 'mainEntity']) if (o[key]) productsInJsonLd(o[key], pageUrl, out, depth + 1);
}

async function jsonLd(site: SiteContext): Promise<Product[]> {
  const out: Product[] = [];
  for (const v of await site.pages()) for (const block of v.page?.jsonLd ?? []) productsInJsonLd(block, v.outcome.ok ? v.outcome.finalUrl : v.url, out);
  return out.filter((p) => p.name);
}

async function sitemap(site: SiteContext): Promise<Product[]> {
  return (await site.sitemapUrls())
    .filter((u) => /\/(products?|p|item|shop)\/[^/]+\/?$/i.test(safePath(u)))
    .slice(0, MAX_PRODUCTS)
    .map((u) => ({ name: decodeURIComponent(safePath(u).replace(/\/$/, '').split('/').pop() ?? '').replace(/[-_]+/g, ' '), about: '', url: u }));
}

function safePath(u: string): string {
  try {
    return new URL(u).pathname;
  } catch {
    return '';
  }
}

export function createLoanFlippingCheck(): RiskCheck {
  return {
    name: NAME,
    async run(site) {
      let source: CatalogSource = 'page_text';
      let products: Product[] = [];
      for (const [name, read] of [['shopify_products_json', shopify], ['woocommerce_store_api', wooCommerce], ['json_ld', jsonLd], ['sitemap', sitemap]] as const) {
        products = await read(site);
        if (products.length) {
          source = name;
          break;
        }
      }
      const pages = await site.pages();
      const readablePages = pages.filter((v) => v.outcome.ok && v.outcome.status < 400 && !botWallOf(v.outcome).wall && v.page);
      const details: Record<string, unknown> = { indicatorsVersion: data.version, catalogSource: products.length ? source : 'none', products: products.length };

      // The merchant itself offering refinancing, rollovers or cash advances (page text).
      const textSignals: Signal[] = [];
      let textWeight = 0;
      for (const v of readablePages) {
        for (const hit of textMatcher.find(v.page!.text)) {
          textSignals.push({ kind: `text_${hit.payload.id}`, detail: `${hit.payload.label}: "${hit.phrase}"`, source: v.outcome.ok ? v.outcome.finalUrl : v.url, value: hit.snippet, weight: hit.payload.weight });
          textWeight += hit.payload.weight;
        }
      }

      if (!products.length && readablePages.length === 0) {
        const first = pages[0].outcome;
        const reason = first.ok ? (botWallOf(first).reason ?? `HTTP ${first.status}`) : first.message;
        return { check: NAME, verdict: 'inconclusive', confidence: 0.2, summary: `no catalog and no page could be read: ${reason}`, evidence: [{ kind: 'unreadable', detail: reason, source: site.url.href }], details };
      }

      const matched: Array<{ product: Product; indicator: Indicator; phrase: string }> = [];
      for (const p of products) {
        const hit = productMatcher.find(`${p.name} ${p.about}`).sort((a, b) => b.payload.weight - a.payload.weight)[0];
        if (hit) matched.push({ product: p, indicator: hit.payload, phrase: hit.phrase });
      }
      // No catalog at all: the page text stands in for it, product wording included.
      if (!products.length) {
        for (const v of readablePages) {
          for (const hit of productMatcher.find(v.page!.text)) {
            if (!hit.payload.textToo) matched.push({ product: { name: hit.snippet, about: '', url: v.outcome.ok ? v.outcome.finalUrl : v.url }, indicator: hit.payload, phrase: hit.phrase });
          }
        }
      }
      const evidence: Signal[] = [
        ...matched.slice(0, 25).map((m) => ({ kind: m.indicator.id, detail: `${m.indicator.label}: "${m.phrase}"`, source: m.product.url, value: m.product.price ? `${m.product.name} (${m.product.price})` : m.product.name, weight: m.indicator.weight })),
        ...textSignals.slice(0, 10),
      ];
      const share = products.length ? matched.length / products.length : 0;
      details.matchedProducts = matched.length;
      details.share = round2(share);
      details.indicators = [...new Set(matched.map((m) => m.indicator.id).concat(textSignals.map((s) => s.kind.replace(/^text_/, ''))))];

      const byCatalog = products.length > 0 && matched.length >= 2 && (share >= data.thresholds.flagShare || matched.length >= data.thresholds.flagCount);
      const byText = !products.length && new Set(matched.map((m) => m.phrase)).size >= data.thresholds.flagCount;
      const byFinancing = textWeight >= data.thresholds.textFlagWeight;
      if (byCatalog || byText || byFinancing) {
        const what = byFinancing && !byCatalog ? 'the merchant offers cash-out financing' : `${matched.length} of ${products.length || 'the'} products turn financing into cash`;
        return { check: NAME, verdict: 'flagged', confidence: round2(byCatalog ? 0.6 + Math.min(0.35, share) : 0.6), summary: what, evidence, details } satisfies Finding;
      }
      const confidence = products.length ? Math.min(0.9, 0.5 + products.length / 100) : 0.4;
      return { check: NAME, verdict: 'clear', confidence: round2(confidence), summary: products.length ? `${products.length} products from ${source}, ${matched.length} with an indicator` : 'no catalog found; the pages show no indicators', evidence, details };
    },
  };
}
