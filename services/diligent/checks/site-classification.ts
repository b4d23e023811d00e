/**
 * Content classification of a site into the risk taxonomy (data/risk-taxonomy.json), shared
 * by high_risk_diligent_classification and high_risk_mcc: the home page and a few same-site
 * pages (robots.txt honoured, page and byte caps in SiteContext), each page's language
 * detected (franc-min) and matched against that language's phrases and English's; a
 * category scores the weights of its distinct phrases found, less its exception phrases'
 * weight (hard negatives: news about casinos, a school of pharmacy).
 */
import taxonomy from '../data/risk-taxonomy.json' with { type: 'json' };
import { botWallOf } from '../site/bot-wall.js';
import { detectLanguage } from '../site/language.js';
import { compilePhrases, type PhraseMatcher } from '../site/phrases.js';
import type { SiteContext } from '../site/site-context.js';

interface Hit {
  phrase: string;
  weight: number;
  page: string;
  snippet: string;
}

export interface CategoryScore {
  id: string;
  label: string;
  score: number;
  threshold: number;
  flagged: boolean;
  hits: Hit[];
  exceptions: Hit[];
}

export type SiteClassification =
  | { readable: true; pages: string[]; languages: string[]; words: number; categories: CategoryScore[]; taxonomyVersion: string }
  | { readable: false; reason: string; timedOut: boolean; taxonomyVersion: string };

type Payload = { category: string; weight: number; exception: boolean };

const byLanguage = new Map<string, PhraseMatcher<Payload>>();
function matcherFor(lang: string): PhraseMatcher<Payload> {
  let m = byLanguage.get(lang);
  if (!m) {
    const entries: Array<{ phrase: string; payload: Payload }> = [];
    for (const c of taxonomy.categories) {
      for (const l of new Set([lang, 'eng'])) {
        for (const [phrase, weight] of ((c.phrases as unknown as Record<string, Array<[string, number]>>)[l] ?? [])) entries.push({ phrase, payload: { category: c.id, weight, exception: false } });
        for (const phrase of ((c.exceptions as unknown as Record<string, string[]>)[l] ?? [])) entries.push({ phrase, payload: { category: c.id, weight: taxonomy.scoring.exceptionWeight, exception: true } });
      }
    }
    m = compilePhrases(entries);
    byLanguage.set(lang, m);
  }
  return m;
}

export const MIN_WORDS = 30;

export function classifySite(site: SiteContext): Promise<SiteClassification> {
  return site.memo('classification', async () => {
    const visits = await site.pages();
    const readable = visits.filter((v) => v.outcome.ok && v.outcome.status < 400 && !botWallOf(v.outcome).wall && v.page);
    if (readable.length === 0) {
      const first = visits[0].outcome;
      const reason = first.ok ? (botWallOf(first).reason ?? `HTTP ${first.status}`) : first.message;
      return { readable: false, reason, timedOut: !first.ok && first.failure === 'timeout', taxonomyVersion: taxonomy.version };
    }
    const found = new Map<string, { hits: Map<string, Hit>; exceptions: Map<string, Hit> }>();
    const languages = new Set<string>();
    let words = 0;
    for (const v of readable) {
      const page = v.page!;
      words += page.words;
      const lang = detectLanguage(page.text, page.lang);
      languages.add(lang);
      for (const hit of matcherFor(lang).find(`${page.title} . ${page.description} . ${page.text}`)) {
        const entry = found.get(hit.payload.category) ?? { hits: new Map(), exceptions: new Map() };
        found.set(hit.payload.category, entry);
        const into = hit.payload.exception ? entry.exceptions : entry.hits;
        if (!into.has(hit.phrase)) into.set(hit.phrase, { phrase: hit.phrase, weight: hit.payload.weight, page: v.outcome.ok ? v.outcome.finalUrl : v.url, snippet: hit.snippet });
      }
    }
    const categories: CategoryScore[] = taxonomy.categories.map((c) => {
      const entry = found.get(c.id);
      const hits = [...(entry?.hits.values() ?? [])];
      const exceptions = [...(entry?.exceptions.values() ?? [])];
      const score = Math.max(0, hits.reduce((s, h) => s + h.weight, 0) - exceptions.reduce((s, h) => s + h.weight, 0));
      return { id: c.id, label: c.label, score, threshold: c.threshold, flagged: score >= c.threshold, hits, exceptions };
    }).filter((c) => c.hits.length > 0).sort((a, b) => b.score / b.threshold - a.score / a.threshold);
    return { readable: true, pages: readable.map((v) => (v.outcome.ok ? v.outcome.finalUrl : v.url)), languages: [...languages], words, categories, taxonomyVersion: taxonomy.version };
  });
}
