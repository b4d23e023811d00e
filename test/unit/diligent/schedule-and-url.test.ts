/** The pure parts of the Diligent surface: expiry default, the schedule grid, URL sanitising, the phrase matcher, the page reader. */
import { describe, expect, it } from 'vitest';
import { DAY_MS, defaultExpiry } from '../../../services/diligent/contract.js';
import { nextSlot } from '../../../services/diligent/scheduler.js';
import { sanitiseWebsite, websiteAllowed } from '../../../services/diligent/website-url.js';
import { compilePhrases } from '../../../services/diligent/site/phrases.js';
import { readPage } from '../../../services/diligent/site/page.js';
import { detectLanguage } from '../../../services/diligent/site/language.js';
import { parseRegions } from '../../../services/lib/config.js';

describe('defaultExpiry', () => {
  it('is six calendar months on, clamped to the end of a shorter month', () => {
    expect(new Date(defaultExpiry(Date.parse('2024-06-03T10:46:00Z'))).toISOString()).toBe('2024-12-03T10:46:00.000Z');
    expect(new Date(defaultExpiry(Date.parse('2025-08-31T00:00:00Z'))).toISOString()).toBe('2026-02-28T00:00:00.000Z');
  });
});

describe('nextSlot', () => {
  const m = { nextRunAtMs: 0, frequency: 'weekly' as const, expiresAtMs: 100 * DAY_MS };
  it('moves on by whole periods past now, never past the expiry', () => {
    expect(nextSlot(m, 0)).toBe(7 * DAY_MS);
    expect(nextSlot(m, 23 * DAY_MS)).toBe(28 * DAY_MS);
    expect(nextSlot(m, 28 * DAY_MS)).toBe(35 * DAY_MS);
    expect(nextSlot(m, 99 * DAY_MS)).toBe(100 * DAY_MS);
  });
});

describe('sanitiseWebsite', () => {
  it.each([
    ['https://Example.COM', 'https://example.com', 'example.com'],
    ['HTTPS://www.Example.com:443/#x', 'https://www.example.com', 'example.com'],
    ['http://example.com:8080/a/b?q=1#f', 'http://example.com:8080/a/b?q=1', 'example.com:8080'],
    ['https://münchen.de/', 'https://xn--mnchen-3ya.de', 'xn--mnchen-3ya.de'],
    ['  https://shop.example.co.uk/ ', 'https://shop.example.co.uk', 'shop.example.co.uk'],
  ])('%s → %s', (input, website, origin) => {
    expect(sanitiseWebsite(input)).toMatchObject({ website, canonicalOrigin: origin });
  });

  it.each(['ftp://example.com', 'https://a:b@example.com', 'https://10.0.0.1', 'https://[::1]', 'https://localhost', 'https://co.uk', 'mailto:x@example.com', `https://example.com/${'a'.repeat(3000)}`])('refuses %s', (input) => {
    expect(sanitiseWebsite(input)).toBeUndefined();
  });

  it('lets the SSRF policy judge every resolved address, accepting a name that does not resolve', async () => {
    const site = sanitiseWebsite('https://example.com')!;
    const lookup = (addresses: string[]) => async () => addresses.map((address) => ({ address, family: 4 }));
    expect(await websiteAllowed(site, { allowPrivateTargets: false, lookup: lookup(['93.184.215.14']) })).toBe(true);
    expect(await websiteAllowed(site, { allowPrivateTargets: false, lookup: lookup(['93.184.215.14', '10.1.2.3']) })).toBe(false);
    expect(await websiteAllowed(site, { allowPrivateTargets: false, lookup: lookup(['169.254.169.254']) })).toBe(false);
    expect(await websiteAllowed(site, { allowPrivateTargets: false, lookup: async () => { throw new Error('ENOTFOUND'); } })).toBe(true);
    expect(await websiteAllowed(site, { allowPrivateTargets: true, lookup: lookup(['127.0.0.1']) })).toBe(true);
  });
});

describe('compilePhrases', () => {
  it('matches whole words only, counts repeats, and keeps a snippet', () => {
    const m = compilePhrases([{ phrase: 'slots', payload: 1 }, { phrase: 'ico', payload: 2 }, { phrase: 'online casino', payload: 3 }]);
    const hits = m.find('Book timeslots at our iconic Online Casino. Slots! More slots.');
    expect(hits.map((h) => [h.phrase, h.count])).toEqual([['online casino', 1], ['slots', 2]]);
    expect(hits[0].snippet).toContain('Online Casino');
  });
});

describe('readPage', () => {
  it('keeps visible text, title, links and JSON-LD; drops scripts and styles', () => {
    const page = readPage(`<html lang="de"><head><title> Hi &amp; bye </title><style>.x{}</style><meta name="description" content="d">
      <script type="application/ld+json">{"@type":"Product","name":"P"}</script><script>var casino = 1;</script></head>
      <body><p>Hello <b>world</b></p><a href="/about">About us</a><noscript>enable js</noscript></body></html>`, 'https://example.com/');
    expect(page).toMatchObject({ title: 'Hi & bye', description: 'd', lang: 'de', jsonLd: [{ '@type': 'Product', name: 'P' }] });
    expect(page.text).toBe('Hello world About us');
    expect(page.links).toEqual([{ href: 'https://example.com/about', text: 'About us' }]);
  });
});

describe('detectLanguage', () => {
  it('detects the text\'s language and falls back to the declared one', () => {
    expect(detectLanguage('Bienvenido al mejor casino en línea de España. Disfruta de apuestas deportivas y tiradas gratis cada día.')).toBe('spa');
    expect(detectLanguage('kurz', 'fr-FR')).toBe('fra');
  });
});

describe('region names', () => {
  it('reserve "diligent", the work queue\'s subject token', () => {
    expect(() => parseRegions('UsEast,diligent')).toThrow(/reserved/);
    expect(parseRegions('UsEast,Diligent-2')).toEqual(['UsEast', 'Diligent-2']);
  });
});
