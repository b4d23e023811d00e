/**
 * high_risk_diligent_classification: flagged when any risk category of the taxonomy reaches
 * its threshold on the site's pages; the evidence is each phrase with the page it was on.
 * Unreadable (bot wall, geo block, timeout, nothing but errors) or too little text is
 * inconclusive.
 */
import { round2, type Finding, type Signal } from './finding.js';
import type { RiskCheck } from './risk-check.js';
import { MIN_WORDS, classifySite, type CategoryScore } from './site-classification.js';

const NAME = 'high_risk_diligent_classification' as const;

const signalsOf = (c: CategoryScore): Signal[] => [
  ...c.hits.map((h) => ({ kind: 'phrase', detail: `${c.label}: "${h.phrase}"`, source: h.page, value: h.snippet, weight: h.weight })),
  ...c.exceptions.map((h) => ({ kind: 'exception_phrase', detail: `${c.label} hard negative: "${h.phrase}"`, source: h.page, value: h.snippet, weight: -h.weight })),
];

export function createHighRiskClassificationCheck(): RiskCheck {
  return {
    name: NAME,
    async run(site) {
      const c = await classifySite(site);
      if (!c.readable) return { check: NAME, verdict: 'inconclusive', confidence: 0.2, summary: `the site could not be read: ${c.reason}`, evidence: [{ kind: 'unreadable', detail: c.reason, source: site.url.href }], details: { taxonomyVersion: c.taxonomyVersion } };
      const flagged = c.categories.filter((x) => x.flagged);
      const details = {
        taxonomyVersion: c.taxonomyVersion, languages: c.languages, pages: c.pages, words: c.words,
        categories: c.categories.map((x) => ({ id: x.id, label: x.label, score: x.score, threshold: x.threshold, flagged: x.flagged })),
      };
      if (flagged.length) {
        const top = flagged[0];
        return {
          check: NAME, verdict: 'flagged', confidence: round2(0.6 + 0.35 * Math.min(1, (top.score - top.threshold) / top.threshold + 0.2)),
          summary: `classified as ${flagged.map((x) => x.label).join(', ')}`, evidence: flagged.flatMap(signalsOf), details,
        };
      }
      if (c.words < MIN_WORDS) return { check: NAME, verdict: 'inconclusive', confidence: 0.3, summary: `too little text to classify (${c.words} words)`, evidence: c.categories.flatMap(signalsOf), details };
      return { check: NAME, verdict: 'clear', confidence: round2(Math.min(0.9, 0.5 + c.words / 2000)), summary: 'no risk category reaches its threshold', evidence: c.categories.flatMap(signalsOf), details };
    },
  };
}
