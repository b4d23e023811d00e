/**
 * Company enrichment from public registries with documented APIs: GLEIF's LEI records (no
 * key) and SEC EDGAR (a declared User-Agent, required by the SEC). A name that matches more
 * than one entity gives candidates with a match score and status "ambiguous" until the user
 * pins one (PUT …/targets/{target}/pin with an LEI or "CIK…").
 */
import { distance } from 'fastest-levenshtein';
import type { SourceClient } from '../sources/source-client.js';
import { RecordBuilder, type Enricher } from './enricher.js';

const LEGAL_SUFFIX = /\b(incorporated|inc|corporation|corp|company|co|limited|ltd|llc|plc|gmbh|ag|sa|s\.a|nv|bv|ab|oy|spa|srl|sas|lp|llp|holdings?|group)\b\.?/g;

/** Names compared without case, punctuation or legal-form words. */
export const comparableName = (name: string) => name.toLowerCase().replace(/[.,&'"()]/g, ' ').replace(LEGAL_SUFFIX, ' ').replace(/\s+/g, ' ').trim();

/** 1 for the same comparable name, falling towards 0 with the edit distance. */
export function matchScore(query: string, name: string): number {
  const a = comparableName(query);
  const b = comparableName(name);
  if (!a || !b) return 0;
  return Math.round((1 - distance(a, b) / Math.max(a.length, b.length)) * 100) / 100;
}

interface GleifRecord {
  id: string;
  attributes: {
    lei: string;
    entity: { legalName: { name: string }; status?: string; jurisdiction?: string; legalAddress?: { addressLines?: string[]; city?: string; country?: string; postalCode?: string } };
    registration?: { status?: string };
  };
}

interface EdgarSubmissions { cik?: string; name?: string; filings?: { recent?: { form?: string[]; filingDate?: string[] } } }

const present = (r: GleifRecord) => {
  const e = r.attributes.entity;
  const a = e.legalAddress;
  return {
    lei: r.attributes.lei, legal_name: e.legalName.name, status: e.status ?? null, registration_status: r.attributes.registration?.status ?? null,
    jurisdiction: e.jurisdiction ?? null, address: a ? [...(a.addressLines ?? []), a.postalCode, a.city, a.country].filter(Boolean).join(', ') : null,
  };
};

export interface CompanyEnricherDeps { gleif: SourceClient; edgar: SourceClient | null; edgarData: SourceClient | null }

export function createCompanyEnricher(deps: CompanyEnricherDeps): Enricher {
  /** EDGAR's company list (cik, ticker, title), fetched once a day per worker. */
  let tickers: { atMs: number; list: Array<{ cik: number; title: string }> } | null = null;

  async function edgarCandidates(name: string, signal: AbortSignal) {
    if (!tickers || Date.now() - tickers.atMs > 86_400_000) {
      const ans = await deps.edgar!.get<Record<string, { cik_str: number; title: string }>>('/files/company_tickers.json', signal);
      if (ans.kind !== 'found') return ans.kind === 'inconclusive' ? ans : { kind: 'found' as const, list: [] };
      tickers = { atMs: Date.now(), list: Object.values(ans.body).map((c) => ({ cik: c.cik_str, title: c.title })) };
    }
    return { kind: 'found' as const, list: tickers.list.map((c) => ({ ...c, score: matchScore(name, c.title) })).filter((c) => c.score >= 0.8).sort((x, y) => y.score - x.score).slice(0, 5) };
  }

  return {
    type: 'company',
    async enrich(name, { signal, pinnedId }) {
      const out = new RecordBuilder();
      const pinnedLei = pinnedId && !pinnedId.startsWith('CIK') ? pinnedId : undefined;
      const pinnedCik = pinnedId?.startsWith('CIK') ? pinnedId.slice(3).padStart(10, '0') : undefined;

      // GLEIF: the pinned record, or candidates by name.
      if (pinnedLei) {
        const ans = await deps.gleif.get<{ data: GleifRecord }>(`/lei-records/${pinnedLei}`, signal);
        if (ans.kind === 'inconclusive') { out.unanswered('match', ans.reason); out.unanswered('entity', ans.reason); }
        else {
          out.set('match', { status: ans.kind === 'found' ? 'pinned' : 'pinned_not_found', pinned_id: pinnedId, candidates: [] });
          out.set('entity', ans.kind === 'found' ? present(ans.body.data) : null);
        }
      } else {
        const ans = await deps.gleif.get<{ data: GleifRecord[] }>(`/lei-records?filter[fulltext]=${encodeURIComponent(name)}&page[size]=10`, signal);
        if (ans.kind === 'inconclusive') { out.unanswered('match', ans.reason); out.unanswered('entity', ans.reason); }
        else {
          const scored = (ans.kind === 'found' ? ans.body.data : []).map((r) => ({ r, score: matchScore(name, r.attributes.entity.legalName.name) })).filter((c) => c.score >= 0.6).sort((x, y) => y.score - x.score);
          const best = scored[0];
          const clear = best && best.score >= 0.9 && (scored.length === 1 || best.score - scored[1].score >= 0.1);
          out.set('match', {
            status: scored.length === 0 ? 'not_found' : clear ? 'matched' : 'ambiguous',
            pinned_id: null,
            candidates: scored.slice(0, 5).map((c) => `${c.r.attributes.lei} ${c.score.toFixed(2)} ${c.r.attributes.entity.legalName.name}`),
          });
          out.set('entity', clear ? present(best.r) : null);
        }
      }

      // EDGAR, when the operator declared a User-Agent.
      if (!deps.edgar || !deps.edgarData) out.set('sec', { configured: false, cik: null, name: null, latest_filing: null, candidates: [] });
      else {
        let cik = pinnedCik;
        let candidates: string[] = [];
        if (!cik) {
          const found = await edgarCandidates(name, signal);
          if (found.kind === 'inconclusive') { out.unanswered('sec', found.reason); return out.done(); }
          candidates = found.list.map((c) => `CIK${String(c.cik).padStart(10, '0')} ${c.score.toFixed(2)} ${c.title}`);
          const best = found.list[0];
          if (best && best.score >= 0.9 && (found.list.length === 1 || best.score - found.list[1].score >= 0.1)) cik = String(best.cik).padStart(10, '0');
        }
        if (!cik) out.set('sec', { configured: true, cik: null, name: null, latest_filing: null, candidates });
        else {
          const sub = await deps.edgarData.get<EdgarSubmissions>(`/submissions/CIK${cik}.json`, signal);
          if (sub.kind === 'inconclusive') out.unanswered('sec', sub.reason);
          else {
            const recent = sub.kind === 'found' ? sub.body.filings?.recent : undefined;
            out.set('sec', {
              configured: true, cik: `CIK${cik}`, name: sub.kind === 'found' ? sub.body.name ?? null : null,
              latest_filing: recent?.form?.[0] ? `${recent.form[0]} ${recent.filingDate?.[0] ?? ''}`.trim() : null, candidates,
            });
          }
        }
      }
      return out.done();
    },
  };
}
