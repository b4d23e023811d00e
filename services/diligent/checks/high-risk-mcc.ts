/**
 * high_risk_mcc: the merchant category inferred from the site's content — the taxonomy
 * categories it scores in (site-classification.ts), each mapped to candidate MCCs
 * (data/mcc.json) — flagged when the top candidate is in the high-risk program table (Visa
 * Integrity Risk Program tiers, Mastercard registration categories), which an organization
 * may override per MCC. A site matching no category is the default MCC 5999 and clear.
 */
import mccData from '../data/mcc.json' with { type: 'json' };
import { round2 } from './finding.js';
import type { RiskCheck } from './risk-check.js';
import { classifySite } from './site-classification.js';

const NAME = 'high_risk_mcc' as const;
type Mapping = { mcc: string; title: string; weight: number };
const PROGRAM = new Map(mccData.highRisk.map((h) => [h.mcc, h]));

export function createHighRiskMccCheck(): RiskCheck {
  return {
    name: NAME,
    async run(site, options) {
      const c = await classifySite(site);
      if (!c.readable) return { check: NAME, verdict: 'inconclusive', confidence: 0.2, summary: `the site could not be read: ${c.reason}`, evidence: [{ kind: 'unreadable', detail: c.reason, source: site.url.href }], details: { mccTableVersion: mccData.version } };
      const isHighRisk = (mcc: string) => options.highRiskMccOverrides?.get(mcc) ?? PROGRAM.has(mcc);
      const candidates = c.categories
        .filter((cat) => cat.score >= cat.threshold / 2)
        .flatMap((cat) => ((mccData.categories as Record<string, Mapping[]>)[cat.id] ?? []).map((m) => ({
          mcc: m.mcc, title: m.title, category: cat.id, score: round2((cat.score / cat.threshold) * m.weight / 2), highRisk: isHighRisk(m.mcc), categoryFlagged: cat.flagged,
          program: PROGRAM.get(m.mcc)?.program ?? null, tier: PROGRAM.get(m.mcc)?.tier ?? null,
        })))
        .sort((a, b) => b.score - a.score);
      const top = candidates[0];
      const evidence = c.categories.filter((cat) => cat.score >= cat.threshold / 2).flatMap((cat) => cat.hits.slice(0, 5).map((h) => ({ kind: 'phrase', detail: `${cat.label}: "${h.phrase}"`, source: h.page, value: h.snippet, weight: h.weight })));
      const details = { mccTableVersion: mccData.version, taxonomyVersion: c.taxonomyVersion, inferredMcc: top?.mcc ?? mccData.default.mcc, inferredTitle: top?.title ?? mccData.default.title, candidates: candidates.slice(0, 8), overridden: options.highRiskMccOverrides?.size ? [...options.highRiskMccOverrides.keys()] : [] };
      if (!top || !top.categoryFlagged) {
        if (c.words < 30) return { check: NAME, verdict: 'inconclusive', confidence: 0.3, summary: `too little text to infer a merchant category (${c.words} words)`, evidence, details };
        return { check: NAME, verdict: 'clear', confidence: round2(top ? 0.6 : 0.75), summary: `inferred MCC ${details.inferredMcc} (${details.inferredTitle})${top ? ', weakly' : ''}; not high risk`, evidence, details };
      }
      if (top.highRisk) {
        const program = top.program ? `${top.program}${top.tier ? ` tier ${top.tier}` : ''}` : 'organization override';
        return { check: NAME, verdict: 'flagged', confidence: round2(0.55 + Math.min(0.4, top.score / 3)), summary: `inferred MCC ${top.mcc} (${top.title}) is high risk: ${program}`, evidence, details };
      }
      return { check: NAME, verdict: 'clear', confidence: round2(0.55 + Math.min(0.35, top.score / 3)), summary: `inferred MCC ${top.mcc} (${top.title}); not in the high-risk set`, evidence, details };
    },
  };
}
