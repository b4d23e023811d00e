/**
 * What the checks read from one HTML page, extracted in one pass by htmlparser2 (a streaming,
 * standards-following parser; no regular expressions over markup): the title, meta
 * description, meta refresh target, the visible text (scripts, styles and templates left
 * out, capped), the links, the JSON-LD blocks and the declared language.
 */
import { Parser } from 'htmlparser2';

export interface PageLink {
  href: string;
  text: string;
}

export interface ReadPage {
  title: string;
  description: string;
  /** URL of a `<meta http-equiv="refresh">`, resolved. */
  refreshTo?: string;
  /** Visible text, whitespace collapsed, at most MAX_TEXT characters. */
  text: string;
  links: PageLink[];
  /** Parsed JSON-LD values (invalid blocks skipped). */
  jsonLd: unknown[];
  lang?: string;
  /** Words of visible text. */
  words: number;
}

const MAX_TEXT = 200_000;
const MAX_LINKS = 500;
const HIDDEN = new Set(['script', 'style', 'noscript', 'template', 'svg', 'head']);

export function readPage(html: string, baseUrl: string): ReadPage {
  const out: ReadPage = { title: '', description: '', text: '', links: [], jsonLd: [], words: 0 };
  const text: string[] = [];
  let textLength = 0;
  let hiddenDepth = 0;
  let inTitle = false;
  let jsonLdBuffer: string | null = null;
  let link: PageLink | null = null;

  const resolve = (href: string): string | undefined => {
    try {
      const u = new URL(href, baseUrl);
      return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
    } catch {
      return undefined;
    }
  };

  const parser = new Parser({
    onopentag(name, attrs) {
      if (name === 'html' && attrs.lang) out.lang = attrs.lang.toLowerCase();
      if (name === 'title') inTitle = true;
      if (name === 'meta') {
        const key = (attrs.name ?? attrs.property ?? '').toLowerCase();
        if ((key === 'description' || key === 'og:description') && !out.description) out.description = (attrs.content ?? '').trim().slice(0, 1000);
        if ((attrs['http-equiv'] ?? '').toLowerCase() === 'refresh' && attrs.content) {
          const target = /url\s*=\s*['"]?([^'"]+)/i.exec(attrs.content)?.[1];
          if (target) out.refreshTo = resolve(target.trim());
        }
      }
      if (name === 'script' && (attrs.type ?? '').toLowerCase() === 'application/ld+json') jsonLdBuffer = '';
      if (HIDDEN.has(name)) hiddenDepth++;
      if (name === 'a' && attrs.href && out.links.length < MAX_LINKS) {
        const href = resolve(attrs.href);
        if (href) link = { href, text: '' };
      }
      // Block elements separate words.
      if (textLength < MAX_TEXT) text.push(' ');
    },
    ontext(data) {
      if (jsonLdBuffer !== null) {
        if (jsonLdBuffer.length < 200_000) jsonLdBuffer += data;
        return;
      }
      if (inTitle) out.title += data;
      if (hiddenDepth > 0) return;
      if (link && link.text.length < 200) link.text += data;
      if (textLength < MAX_TEXT) {
        text.push(data);
        textLength += data.length;
      }
    },
    onclosetag(name) {
      if (name === 'title') inTitle = false;
      if (name === 'script' && jsonLdBuffer !== null) {
        try {
          const parsed: unknown = JSON.parse(jsonLdBuffer);
          out.jsonLd.push(parsed);
        } catch {
          // a broken block is skipped, as search engines do
        }
        jsonLdBuffer = null;
      }
      if (HIDDEN.has(name)) hiddenDepth = Math.max(0, hiddenDepth - 1);
      if (name === 'a' && link) {
        link.text = link.text.replace(/\s+/g, ' ').trim();
        out.links.push(link);
        link = null;
      }
    },
  }, { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true });
  parser.write(html);
  parser.end();
  out.title = out.title.replace(/\s+/g, ' ').trim().slice(0, 500);
  out.text = text.join('').replace(/\s+/g, ' ').trim().slice(0, MAX_TEXT);
  out.words = out.text ? out.text.split(' ').length : 0;
  return out;
}
