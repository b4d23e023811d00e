/**
 * One finding per check from the findings of every region an execution ran in (docs/diligent.md,
 * "Regions"; the rule in docs/decisions.md). A region that did not answer before the deadline
 * counts as inconclusive. The merged verdict:
 * - `flagged` when any region's verdict is flagged (a risk shown to some visitors is a risk;
 *   geo-targeted casinos and pharmacies are the common case), else `clear` when any region is
 *   clear, else `inconclusive`;
 * - the summary, evidence and details are those of the first region (in configured order)
 *   whose verdict is the merged one, and `region` names it;
 * - `regions` lists every region's verdict, confidence and summary, and `regions_disagree` is
 *   true when two regions reached different conclusive verdicts (flagged against clear); the
 *   confidence is then scaled by the share of conclusive regions that agree.
 * One region: its findings, unchanged.
 */
import type { CheckName } from './contract.js';
import { round2, type Finding, type RegionVerdict } from './checks/finding.js';

export const NO_ANSWER = 'no answer from this region before the deadline';

export function mergeRegionFindings(checks: readonly CheckName[], regions: readonly string[], byRegion: Readonly<Record<string, readonly Finding[] | undefined>>): Finding[] {
  if (regions.length === 1 && byRegion[regions[0]]) return [...byRegion[regions[0]]!];
  return checks.map((check) => {
    const perRegion = regions.map((region): [string, Finding] => {
      const f = byRegion[region]?.find((x) => x.check === check);
      return [region, f ?? { check, verdict: 'inconclusive', confidence: 0, summary: byRegion[region] ? 'the region did not run this check' : NO_ANSWER, evidence: [] }];
    });
    const flagged = perRegion.filter(([, f]) => f.verdict === 'flagged');
    const clear = perRegion.filter(([, f]) => f.verdict === 'clear');
    const [region, chosen] = flagged[0] ?? clear[0] ?? perRegion[0];
    const disagree = flagged.length > 0 && clear.length > 0;
    const agreeing = chosen.verdict === 'flagged' ? flagged.length : clear.length;
    const conclusive = flagged.length + clear.length;
    const confidence = disagree ? round2(chosen.confidence * (agreeing / conclusive)) : chosen.confidence;
    const regionVerdicts: Record<string, RegionVerdict> = Object.fromEntries(perRegion.map(([r, f]) => [r, { verdict: f.verdict, confidence: f.confidence, summary: f.summary }]));
    const merged: Finding = { ...chosen, confidence, region, regions: regionVerdicts, regions_disagree: disagree };
    if (disagree) {
      merged.summary = `${chosen.summary} (regions disagree: flagged in ${flagged.map(([r]) => r).join(', ')}; clear in ${clear.map(([r]) => r).join(', ')})`;
    }
    return merged;
  });
}
