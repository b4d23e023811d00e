/**
 * The four Diligent risk checks against fixture websites over HTTP and HTTPS (a local test
 * CA), the DNS and RDAP stand-ins, and Shopify / WooCommerce / JSON-LD / sitemap catalog
 * stand-ins: per check, flagged, clear and inconclusive cases with hard negatives and a bot
 * wall. Everything stays on loopback; outbound fetches pass the real SSRF guard.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filler, html, startFixtureInternet, type FixtureInternet, type FixtureSite } from '../../support/diligent-sites.js';
import { createRiskCheckRunner } from '../../../services/diligent/checks/index.js';
import type { Finding } from '../../../services/diligent/checks/finding.js';
import type { CheckName } from '../../../services/diligent/contract.js';
import { createGuardedResolver } from '../../../services/lib/ssrf/guarded-resolver.js';
import { createSiteFetcher } from '../../../services/diligent/site/site-fetcher.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const shopText = filler(220);
const wall: FixtureSite = { pages: { '*': { status: 403, headers: { 'cf-mitigated': 'challenge', server: 'cloudflare' }, body: html('Just a moment...', '<p>Checking your browser before accessing. Just a moment...</p>') } } };

const SITES: Record<string, FixtureSite> = {
  'furniture.test': { pages: { '/': { body: html('Oak & Walnut', `<h1>Handmade furniture</h1><p>${shopText}</p><a href="/about">About us</a>`) }, '/about': { body: html('About', `<p>${filler(120)}</p>`) } } },
  'nxdomain.test': { dns: { behaviour: 'NXDOMAIN' } },
  'servfail.test': { dns: { behaviour: 'SERVFAIL' } },
  'expired.test': { registry: { expiresAt: '2025-01-01T00:00:00Z' }, pages: { '/': { body: html('Shop', `<p>${shopText}</p>`) } } },
  'redemption.test': { registry: { statuses: ['redemption period'] }, pages: { '/': { body: html('x', `<p>${shopText}</p>`) } } },
  'unregistered.test': { registry: 'unregistered' },
  'down.test': { schemes: [] },
  'marketplace.test': { pages: { '/': { status: 302, headers: { location: 'https://forsale.parked.test/listing?domain=marketplace.test' } } } },
  'forsale.parked.test': { pages: { '*': { body: html('Buy this domain', `<p>${filler(80)}</p>`) } } },
  'parked-ns.test': { dns: { ns: ['ns1.sedoparking.com', 'ns2.sedoparking.com'] }, pages: { '/': { body: html('parked-ns.test', `<p>${filler(60)}</p>`) } } },
  'forsale.test': { pages: { '/': { body: html('forsale.test', '<h1>This domain is for sale!</h1><p>Make an offer on this domain today.</p>') } } },
  'nginx-default.test': { pages: { '/': { body: html('Welcome to nginx!', '<h1>Welcome to nginx!</h1><p>If you see this page, the nginx web server is successfully installed and working.</p>') } } },
  'suspended.test': { pages: { '/': { status: 200, body: html('Account Suspended', '<h1>Account Suspended</h1><p>This account has been suspended. Contact your hosting provider.</p>') } } },
  'coming-soon.test': { pages: { '/': { body: html('Coming soon', '<h1>Coming soon</h1><p>Our new website is launching soon.</p>') } } },
  'new-collection.test': { pages: { '/': { body: html('Winter shop', `<h1>Our winter collection is coming soon</h1><p>${shopText}</p>`) } } },
  'botwall.test': wall,
  'slow.test': { pages: { '*': { hang: true } } },
  'geoblock.test': { pages: { '*': { status: 451, body: html('Unavailable', '<p>This service is not available in your country.</p>') } } },
  'empty-catchall.test': { pages: { '*': { body: html('', '<div id="app"></div>') } } },
  'http-only.test': { schemes: ['http'], pages: { '/': { body: html('Old shop', `<p>${shopText}</p>`) } } },
  'casino.test': {
    pages: {
      '/': { body: html('Lucky Spin', `<h1>Lucky Spin</h1><p>${filler(60)}</p><a href="/about">About</a> <a href="/private/promo">promo</a>`) },
      '/about': { body: html('About Lucky Spin', '<p>The best online casino with free spins, slot machines, roulette and blackjack. Claim your deposit bonus and place your bets on sports betting tonight.</p>') },
      '/robots.txt': { headers: { 'content-type': 'text/plain' }, body: 'User-agent: *\nDisallow: /private/\n' },
      '/private/promo': { body: html('promo', '<p>payday loans no credit check instant loan</p>') },
    },
  },
  'casino-news.test': {
    pages: {
      '/': {
        body: html('City Gazette', `<article><h1>Reporting on the casino industry</h1><p>The online casino sector grew again, says a report on problem gambling. Slot machines and roulette tables at the casino hotel drew visitors, and the gambling addiction helpline saw more calls. ${filler(200, 'the council met on tuesday to discuss roads schools and the budget for next year')}</p></article>`),
      },
    },
  },
  'casino-es.test': {
    pages: { '/': { body: `<!doctype html><html lang="es"><head><title>Gran Casino</title></head><body><p>Bienvenido al mejor casino en línea de España. Disfruta de apuestas deportivas, tiradas gratis y ruleta en vivo. Registrate hoy y recibe un bono de bienvenida para jugar con nosotros cada día de la semana.</p></body></html>` } },
  },
  'online-pharmacy.test': { pages: { '/': { body: html('RxDirect', `<p>Your online pharmacy: buy viagra and cialis without prescription. Tramadol available, discreet shipping worldwide. ${filler(60)}</p>`) } } },
  'pharmacy-school.test': {
    pages: { '/': { body: html('School of Pharmacy', `<h1>School of Pharmacy</h1><p>Our pharmacy students learn how a prescription is checked. The doctor of pharmacy program admits 80 pharmacy students a year. ${filler(150, 'lectures seminars and laboratories run through the autumn and spring terms')}</p>`) } },
  },
  'giftcards-shopify.test': {
    pages: {
      '/': { body: html('Card Hub', `<p>${filler(80)}</p>`) },
      '/products.json?limit=250': { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ products: [
        { title: 'Amazon Gift Card $100', handle: 'amazon-100', product_type: 'Gift Cards', tags: ['digital'], variants: [{ price: '100.00' }] },
        { title: 'Steam Wallet Code 50 EUR', handle: 'steam-50', product_type: 'Codes', tags: [], variants: [{ price: '50.00' }] },
        { title: 'Prepaid Visa 200', handle: 'visa-200', product_type: 'Cards', tags: [], variants: [{ price: '200.00' }] },
        { title: 'Oak side table', handle: 'oak-table', product_type: 'Furniture', tags: [], variants: [{ price: '120.00' }] },
        { title: 'Walnut shelf', handle: 'walnut-shelf', product_type: 'Furniture', tags: [], variants: [{ price: '80.00' }] },
      ] }) },
    },
  },
  'woo-bullion.test': {
    pages: {
      '/': { body: html('Metals', `<p>${filler(80)}</p>`) },
      '/wp-json/wc/store/v1/products?per_page=100': { headers: { 'content-type': 'application/json' }, body: JSON.stringify([
        { name: '1 oz Gold Bar', permalink: 'https://woo-bullion.test/product/gold-bar', categories: [{ name: 'Bullion' }], prices: { price: '235000' } },
        { name: 'Krugerrand 2024', permalink: 'https://woo-bullion.test/product/krugerrand', categories: [{ name: 'Coins' }], prices: { price: '240000' } },
        { name: 'Display case', permalink: 'https://woo-bullion.test/product/case', categories: [{ name: 'Accessories' }], prices: { price: '3000' } },
      ]) },
    },
  },
  'jsonld-shop.test': {
    pages: {
      '/': { body: html('Chairs', `<p>${filler(80)}</p>`, `<script type="application/ld+json">${JSON.stringify({ '@context': 'https://schema.org', '@graph': [
        { '@type': 'Product', name: 'Oak dining chair', offers: { '@type': 'Offer', price: '180' } },
        { '@type': 'Product', name: 'Walnut bench', offers: { '@type': 'Offer', price: '320' } },
        { '@type': 'Organization', name: 'Chairs Ltd' },
      ] })}</script>`) },
    },
  },
  'sitemap-shop.test': {
    pages: {
      '/': { body: html('Codes', `<p>${filler(80)}</p>`) },
      '/sitemap.xml': { headers: { 'content-type': 'application/xml' }, body: '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://sitemap-shop.test/products/amazon-gift-card-100</loc></url><url><loc>https://sitemap-shop.test/products/steam-wallet-50</loc></url><url><loc>https://sitemap-shop.test/products/oak-table</loc></url><url><loc>https://sitemap-shop.test/about</loc></url></urlset>' },
    },
  },
  'cash-advance.test': { pages: { '/': { body: html('QuickShop', `<p>Shop electronics and get a cash advance on your limit. You can roll over your loan every month. ${filler(80)}</p>`) } } },
};

let net: FixtureInternet;
let run: (host: string, checks: CheckName[]) => Promise<Record<string, Finding>>;

beforeAll(async () => {
  net = await startFixtureInternet(SITES, { now: () => NOW });
  const runner = createRiskCheckRunner(net.deps);
  run = async (host, checks) => Object.fromEntries((await runner({ website: net.url(host), checks }, AbortSignal.timeout(20_000))).map((f) => [f.check, f]));
});
afterAll(async () => net?.close());

const kinds = (f: Finding) => f.evidence.map((e) => e.kind);

describe('non_operational_website', () => {
  const check = async (host: string) => (await run(host, ['non_operational_website'])).non_operational_website;

  it('clear for an operating site, with the registry and both schemes in the evidence', async () => {
    const f = await check('furniture.test');
    expect(f.verdict, f.summary).toBe('clear');
    expect(f.confidence).toBeGreaterThanOrEqual(0.8);
    expect(kinds(f)).toEqual(expect.arrayContaining(['registry_ok', 'http_status']));
  });

  it.each([
    ['nxdomain.test', 'dns_nxdomain'],
    ['servfail.test', 'dns_servfail'],
    ['expired.test', 'registry_expired'],
    ['redemption.test', 'registry_status'],
    ['unregistered.test', 'registry_not_registered'],
    ['down.test', 'http_connect'],
    ['marketplace.test', 'parking_redirect'],
    ['parked-ns.test', 'parking_nameserver'],
    ['forsale.test', 'content_for_sale'],
    ['nginx-default.test', 'content_default_server_page'],
    ['suspended.test', 'content_suspended'],
    ['coming-soon.test', 'content_coming_soon'],
    ['empty-catchall.test', 'catch_all'],
  ])('flags %s with %s evidence', async (host, kind) => {
    const f = await check(host);
    expect(f.verdict, `${f.summary} ${JSON.stringify(f.evidence)}`).toBe('flagged');
    expect(kinds(f)).toContain(kind);
    expect(f.confidence).toBeGreaterThan(0.5);
  });

  it('names the parking service and its catalogue version', async () => {
    const f = await check('parked-ns.test');
    expect(f.summary).toContain('Sedo');
    expect(f.evidence.find((e) => e.kind === 'parking_nameserver')).toMatchObject({ value: 'ns1.sedoparking.com', source: 'NS parked-ns.test' });
    expect(f.details?.catalogueVersion).toMatch(/^\d{4}-\d{2}-\d{2}\.\d+$/);
  });

  it('hard negatives: a shop announcing a collection "coming soon", a site served over http only', async () => {
    expect((await check('new-collection.test')).verdict).toBe('clear');
    const httpOnly = await check('http-only.test');
    expect(httpOnly.verdict, httpOnly.summary).toBe('clear');
  });

  it('inconclusive behind a bot wall and on a timeout, never flagged', async () => {
    const walled = await check('botwall.test');
    expect(walled.verdict).toBe('inconclusive');
    expect(kinds(walled)).toContain('bot_wall');
    const geo = await check('geoblock.test');
    expect(geo.verdict).toBe('inconclusive');
    expect(geo.evidence.find((e) => e.kind === 'bot_wall')?.detail).toContain('geo block');
    const slow = await check('slow.test');
    expect(slow.verdict, slow.summary).toBe('inconclusive');
    expect(slow.summary).toContain('timed out');
  });
});

describe('high_risk_diligent_classification', () => {
  const check = async (host: string) => (await run(host, ['high_risk_diligent_classification'])).high_risk_diligent_classification;

  it('flags a casino from a same-site page, citing each phrase and its page; robots.txt is honoured', async () => {
    const f = await check('casino.test');
    expect(f.verdict).toBe('flagged');
    expect(f.summary).toContain('Gambling');
    const phrase = f.evidence.find((e) => e.detail.includes('"online casino"'));
    expect(phrase?.source).toBe(net.url('casino.test', '/about'));
    expect(net.requests.filter((r) => r.includes('casino.test /private/'))).toEqual([]);
    expect((f.details?.categories as Array<{ id: string }>).map((c) => c.id)).not.toContain('payday_lending');
  });

  it('flags in the page\'s own language', async () => {
    const f = await check('casino-es.test');
    expect(f.verdict, JSON.stringify(f.details)).toBe('flagged');
    expect(f.details?.languages).toEqual(['spa']);
  });

  it('flags an online pharmacy', async () => {
    const f = await check('online-pharmacy.test');
    expect(f.verdict).toBe('flagged');
    expect(f.summary).toContain('Prescription drugs');
  });

  it('hard negatives: news about casinos and a school of pharmacy are clear, with the exceptions shown', async () => {
    const news = await check('casino-news.test');
    expect(news.verdict, JSON.stringify(news.details)).toBe('clear');
    expect(kinds(news)).toContain('exception_phrase');
    const school = await check('pharmacy-school.test');
    expect(school.verdict, JSON.stringify(school.details)).toBe('clear');
    expect((await check('furniture.test')).verdict).toBe('clear');
  });

  it('inconclusive behind a bot wall and on a thin page', async () => {
    expect((await check('botwall.test')).verdict).toBe('inconclusive');
    expect((await check('empty-catchall.test')).verdict).toBe('inconclusive');
  });
});

describe('high_risk_mcc', () => {
  const check = async (host: string) => (await run(host, ['high_risk_mcc'])).high_risk_mcc;

  it('infers 7995 for a casino and flags it with its program and tier', async () => {
    const f = await check('casino.test');
    expect(f.verdict).toBe('flagged');
    expect(f.details).toMatchObject({ inferredMcc: '7995' });
    expect(f.summary).toContain('Visa Integrity Risk Program tier 2');
    expect((f.details?.candidates as Array<{ mcc: string }>)[0].mcc).toBe('7995');
    expect(f.evidence.length).toBeGreaterThan(0);
  });

  it('infers a pharmacy MCC for an online pharmacy', async () => {
    const f = await check('online-pharmacy.test');
    expect(f.verdict).toBe('flagged');
    expect(['5912', '5122']).toContain(f.details?.inferredMcc);
  });

  it('clear with the default MCC for an ordinary shop and for news about casinos; inconclusive behind a wall', async () => {
    const shop = await check('furniture.test');
    expect(shop).toMatchObject({ verdict: 'clear', details: { inferredMcc: '5999' } });
    expect((await check('casino-news.test')).verdict).toBe('clear');
    expect((await check('botwall.test')).verdict).toBe('inconclusive');
  });

  it('honours an organization\'s override of the high-risk set', async () => {
    const runner = createRiskCheckRunner({ ...net.deps, mccOverrides: async () => new Map([['7995', false]]) });
    const [f] = await runner({ website: net.url('casino.test'), checks: ['high_risk_mcc'], orgId: 'org_x' }, AbortSignal.timeout(10_000));
    expect(f.verdict).toBe('clear');
    expect(f.details?.overridden).toEqual(['7995']);
  });
});

describe('catalog_contain_loan_flipping_indicators', () => {
  const check = async (host: string) => (await run(host, ['catalog_contain_loan_flipping_indicators'])).catalog_contain_loan_flipping_indicators;

  it('flags a Shopify catalog of gift and prepaid cards, listing the products', async () => {
    const f = await check('giftcards-shopify.test');
    expect(f.verdict).toBe('flagged');
    expect(f.details).toMatchObject({ catalogSource: 'shopify_products_json', products: 5, matchedProducts: 3 });
    expect(f.evidence.map((e) => e.value)).toEqual(expect.arrayContaining(['Amazon Gift Card $100 (100.00)', 'Prepaid Visa 200 (200.00)']));
  });

  it('flags bullion from the WooCommerce Store API', async () => {
    const f = await check('woo-bullion.test');
    expect(f.verdict).toBe('flagged');
    expect(f.details).toMatchObject({ catalogSource: 'woocommerce_store_api', matchedProducts: 2 });
  });

  it('reads schema.org JSON-LD products: furniture is clear', async () => {
    const f = await check('jsonld-shop.test');
    expect(f).toMatchObject({ verdict: 'clear', details: { catalogSource: 'json_ld', products: 2, matchedProducts: 0 } });
  });

  it('reads product URLs from the sitemap', async () => {
    const f = await check('sitemap-shop.test');
    expect(f.verdict).toBe('flagged');
    expect(f.details).toMatchObject({ catalogSource: 'sitemap', products: 3, matchedProducts: 2 });
  });

  it('flags the merchant itself offering cash advances and rollovers', async () => {
    const f = await check('cash-advance.test');
    expect(f.verdict).toBe('flagged');
    expect(kinds(f)).toContain('text_merchant_financing');
  });

  it('clear for an ordinary shop without a catalog; inconclusive behind a bot wall', async () => {
    expect((await check('furniture.test')).verdict).toBe('clear');
    expect((await check('botwall.test')).verdict).toBe('inconclusive');
  });
});

describe('one execution', () => {
  it('runs the four checks over one site, fetching each page once', async () => {
    const before = net.requests.length;
    const findings = await run('casino.test', ['non_operational_website', 'high_risk_mcc', 'high_risk_diligent_classification', 'catalog_contain_loan_flipping_indicators']);
    expect(Object.values(findings).map((f) => f.verdict)).toEqual(['clear', 'flagged', 'flagged', 'clear']);
    const mine = net.requests.slice(before).filter((r) => r.startsWith('https casino.test'));
    expect(new Set(mine).size).toBe(mine.length);
  });

  it('refuses, through the SSRF guard, a site resolving to loopback when private targets are not allowed', async () => {
    const strict = createRiskCheckRunner({ ...net.deps, fetcher: createSiteFetcher({ resolver: createGuardedResolver({ allowPrivateTargets: false, lookup: net.lookup }), timeoutMs: 2_000 }) });
    const [f] = await strict({ website: net.url('furniture.test'), checks: ['non_operational_website'] }, AbortSignal.timeout(10_000));
    expect(f.verdict).toBe('inconclusive');
    expect(kinds(f)).toContain('http_blocked');
  });
});
