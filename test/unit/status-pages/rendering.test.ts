/**
 * The status page's pure parts: the escaping html tag, day colours and figures, the
 * overall status, grouping, and the access cookie.
 */
import { describe, expect, it } from 'vitest';
import { Html, html } from '../../../services/status-pages/html.js';
import { dayClass, percent, renderPasswordForm } from '../../../services/status-pages/render-page.js';
import { groupsOf, overallOf, type ComponentView } from '../../../services/status-pages/view.js';
import { accessKeyFrom, readCookie, signAccess, verifyAccess } from '../../../services/status-pages/access-cookie.js';
import { hashPassword, verifyPassword } from '../../../services/status-pages/password.js';

describe('the html tag', () => {
  it('escapes every interpolated value, in text and in quoted attributes', () => {
    const evil = `"><script>alert('x')</script>&`;
    const out = html`<p title="${evil}">${evil}</p>`.value;
    expect(out).toBe('<p title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;">&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</p>');
  });

  it('keeps markup the tag made, flattens arrays and drops null, undefined and false', () => {
    const items = ['<a>', 'b'].map((t) => html`<li>${t}</li>`);
    expect(html`<ul>${items}</ul>${null}${undefined}${false}${0}`.value).toBe('<ul><li>&lt;a&gt;</li><li>b</li></ul>0');
    expect(html`${new Html('<b>raw</b>')}`.value).toBe('<b>raw</b>');
  });

  it('passes only its own Html instances through unescaped, not look-alike objects', () => {
    const forged = { value: '<script>' } as unknown as string;
    expect(html`${forged}`.value).toBe('[object Object]');
  });
});

describe('figures and colours', () => {
  it('colours a day by its uptime, gray without data', () => {
    expect([null, 100, 99.9, 99.89, 99, 98.9, 95, 94.9, 90, 89.9, 0].map(dayClass)).toEqual(['u0', 'u1', 'u1', 'u2', 'u2', 'u3', 'u3', 'u4', 'u4', 'u5', 'u5']);
  });

  it('cuts figures to two decimals, never rounding up to 100%', () => {
    expect(percent(100)).toBe('100%');
    expect(percent(99.999)).toBe('99.99%');
    expect(percent(80)).toBe('80.00%');
  });

  it('reads the overall status worst first', () => {
    expect(overallOf([])).toBe('unknown');
    expect(overallOf(['Down', 'Down'])).toBe('major_outage');
    expect(overallOf(['Down', 'Up'])).toBe('partial_outage');
    expect(overallOf(['Degraded', 'Maintenance', 'Up'])).toBe('degraded');
    expect(overallOf(['Maintenance', 'Up'])).toBe('maintenance');
    expect(overallOf(['Up', 'Paused'])).toBe('operational');
    expect(overallOf(['Up', 'Pending'])).toBe('operational');
    expect(overallOf(['Pending', 'Unknown'])).toBe('unknown');
  });

  it('groups components in page order, groups in order of first appearance', () => {
    const c = (name: string, group: string | null) => ({ name, group }) as ComponentView;
    const groups = groupsOf([c('a', 'G1'), c('b', null), c('c', 'G1'), c('d', 'G2')]);
    expect(groups.map((g) => [g.name, g.components.map((x) => x.name)])).toEqual([['G1', ['a', 'c']], [null, ['b']], ['G2', ['d']]]);
  });

  it('renders the password form with its texts escaped', () => {
    const form = renderPasswordForm({ title: '<b>Acme</b>' }, '/status/acme/login', 'Wrong <password>');
    expect(form).toContain('<h1>&lt;b&gt;Acme&lt;/b&gt;</h1>');
    expect(form).toContain('Wrong &lt;password&gt;');
    expect(form).not.toContain('<script');
  });
});

describe('password page access', () => {
  const page = { id: 'sp_1', passwordHash: 'scrypt$hash' };
  const key = accessKeyFrom(Buffer.alloc(32, 7));
  const now = Date.parse('2026-12-01T00:00:00Z');

  it('accepts its own cookie until it expires, and nothing altered', () => {
    const { value, maxAge } = signAccess(key, page, now);
    expect(verifyAccess(key, page, value, now)).toBe(true);
    expect(verifyAccess(key, page, value, now + maxAge * 1000 - 1000)).toBe(true);
    expect(verifyAccess(key, page, value, now + maxAge * 1000)).toBe(false);
    const [expires, mac] = value.split('.');
    expect(verifyAccess(key, page, `${Number(expires) + 3600}.${mac}`, now)).toBe(false);
    expect(verifyAccess(key, { ...page, id: 'sp_2' }, value, now)).toBe(false);
    expect(verifyAccess(key, { ...page, passwordHash: 'scrypt$other' }, value, now)).toBe(false);
    expect(verifyAccess(accessKeyFrom(Buffer.alloc(32, 8)), page, value, now)).toBe(false);
    for (const junk of [undefined, '', '.', 'abc', `${expires}.`, `x.${mac}`]) expect(verifyAccess(key, page, junk, now)).toBe(false);
  });

  it('derives one key from one secrets key, so every api process accepts the cookie', () => {
    expect(accessKeyFrom(Buffer.alloc(32, 7)).equals(key)).toBe(true);
    expect(accessKeyFrom(undefined).equals(accessKeyFrom(undefined))).toBe(false);
  });

  it('reads one cookie among several', () => {
    expect(readCookie('a=1; pharos_sp_x=abc.def; b=2', 'pharos_sp_x')).toBe('abc.def');
    expect(readCookie('pharos_sp_xy=1', 'pharos_sp_x')).toBeUndefined();
    expect(readCookie(undefined, 'a')).toBeUndefined();
  });

  it('hashes passwords with a salt and verifies them', async () => {
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse', a)).toBe(true);
    expect(await verifyPassword('correct hors', a)).toBe(false);
    expect(await verifyPassword('x', 'not-a-hash')).toBe(false);
  });
});

describe('the page cache', () => {
  it('keeps a bounded number of renderings per view, however many host names ask', async () => {
    const { PageCache } = await import('../../../services/status-pages/page-cache.js');
    const cached = { view: {} as never, renderings: new Map<string, string | Buffer>() };
    let made = 0;
    for (let i = 0; i < 1000; i++) PageCache.rendering(cached, `summary.json http://host-${i}.example`, () => `r${made++}`, true);
    expect(made).toBe(1000);
    expect(cached.renderings.size).toBe(64);
    expect(PageCache.rendering(cached, 'summary.json http://host-0.example', () => 'again', true)).toBe('r0');
    // The HTML does not depend on the host and is kept whatever the count.
    PageCache.rendering(cached, 'html', () => 'page');
    expect(PageCache.rendering(cached, 'html', () => 'rendered twice')).toBe('page');
  });
});
