/**
 * Breach and leak-site exposure from public sources only: Have I Been Pwned (the breach
 * catalogue by domain needs no key; an email's breaches and pastes need the operator's key)
 * and a ransomware leak-site aggregator (ransomware.live's API shape) searched for the term.
 * An email without a configured key is inconclusive, never "clear". No claim of Tor coverage:
 * Pharos reads these aggregators, it does not crawl hidden services.
 */
import type { SourceClient } from '../sources/source-client.js';
import { normaliseEmail, normaliseHostname } from '../targets.js';
import { RecordBuilder, type Enricher } from './enricher.js';

interface HibpBreach { Name: string; Domain?: string; BreachDate?: string }
interface HibpPaste { Source: string; Id: string }
interface LeakPost { victim?: string; post_title?: string; group?: string; group_name?: string; attackdate?: string; discovered?: string }

export interface DarkwebEnricherDeps { hibp: SourceClient; hibpHasKey: boolean; leakSites: SourceClient }

export function createDarkwebEnricher(deps: DarkwebEnricherDeps): Enricher {
  return {
    type: 'darkweb',
    async enrich(term, { signal }) {
      const out = new RecordBuilder();
      const email = term.includes('@') ? normaliseEmail(term) : { ok: false as const, message: '' };
      const domains = [...new Set(term.split(/\s+/).map((t) => normaliseHostname(t)).filter((d) => d.ok).map((d) => (d as { value: string }).value))];
      out.set('kind', email.ok ? 'email' : domains.length > 0 ? 'domain' : 'term');

      if (email.ok) {
        if (!deps.hibpHasKey) {
          out.unanswered('breaches', 'Have I Been Pwned needs an API key (PHAROS_HIBP_API_KEY) to check an email');
          out.unanswered('pastes', 'Have I Been Pwned needs an API key (PHAROS_HIBP_API_KEY) to check an email');
        } else {
          const [breaches, pastes] = await Promise.all([
            deps.hibp.get<HibpBreach[]>(`/breachedaccount/${encodeURIComponent(email.value)}?truncateResponse=true`, signal),
            deps.hibp.get<HibpPaste[]>(`/pasteaccount/${encodeURIComponent(email.value)}`, signal),
          ]);
          if (breaches.kind === 'inconclusive') out.unanswered('breaches', breaches.reason);
          else out.set('breaches', breaches.kind === 'found' ? breaches.body.map((b) => b.Name) : []);
          if (pastes.kind === 'inconclusive') out.unanswered('pastes', pastes.reason);
          else out.set('pastes', pastes.kind === 'found' ? pastes.body.map((p) => `${p.Source}/${p.Id}`) : []);
        }
      } else {
        out.set('pastes', []);
        const names: string[] = [];
        let failed: string | null = null;
        for (const domain of domains) {
          const ans = await deps.hibp.get<HibpBreach[]>(`/breaches?domain=${encodeURIComponent(domain)}`, signal);
          if (ans.kind === 'inconclusive') { failed = ans.reason; break; }
          if (ans.kind === 'found') names.push(...ans.body.map((b) => b.Name));
        }
        if (failed) out.unanswered('breaches', failed);
        else out.set('breaches', [...new Set(names)]);
      }

      const posts = await deps.leakSites.get<LeakPost[]>(`/searchvictims/${encodeURIComponent(email.ok ? email.value.split('@')[1] : term)}`, signal);
      if (posts.kind === 'inconclusive') out.unanswered('leak_site_posts', posts.reason);
      else out.set('leak_site_posts', (posts.kind === 'found' && Array.isArray(posts.body) ? posts.body : []).map((p) =>
        `${p.group ?? p.group_name ?? 'unknown'}: ${p.victim ?? p.post_title ?? ''} (${(p.attackdate ?? p.discovered ?? '').slice(0, 10)})`));
      return out.done();
    },
  };
}
