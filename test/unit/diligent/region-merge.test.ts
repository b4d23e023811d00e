/**
 * Merging an execution's findings from several Diligent regions: any region flagged decides
 * flagged, regions that reach different conclusive verdicts are reported as disagreeing with
 * each region's verdict, a silent region counts as inconclusive, one region passes unchanged.
 */
import { describe, expect, it } from 'vitest';
import { mergeRegionFindings, NO_ANSWER } from '../../../services/diligent/region-merge.js';
import type { Finding, Verdict } from '../../../services/diligent/checks/finding.js';
import type { CheckName } from '../../../services/diligent/contract.js';

const f = (check: CheckName, verdict: Verdict, confidence = 0.8, evidence = `${verdict} evidence`): Finding =>
  ({ check, verdict, confidence, summary: `${check} ${verdict}`, evidence: [{ kind: 'test', detail: evidence }] });

describe('mergeRegionFindings', () => {
  it('one region: its findings unchanged', () => {
    const only = [f('high_risk_mcc', 'flagged')];
    expect(mergeRegionFindings(['high_risk_mcc'], ['EuWest'], { EuWest: only })).toEqual(only);
  });

  it('regions agreeing: the verdict, each region listed, no disagreement', () => {
    const [merged] = mergeRegionFindings(['high_risk_mcc'], ['EuWest', 'UsEast'], { EuWest: [f('high_risk_mcc', 'clear', 0.9)], UsEast: [f('high_risk_mcc', 'clear', 0.7)] });
    expect(merged).toMatchObject({
      verdict: 'clear', confidence: 0.9, region: 'EuWest', regions_disagree: false,
      regions: { EuWest: { verdict: 'clear', confidence: 0.9 }, UsEast: { verdict: 'clear', confidence: 0.7 } },
    });
  });

  it('flagged in one region and clear in another: flagged, with both verdicts, disagreement, the flagged region\'s evidence and a lowered confidence', () => {
    const [merged] = mergeRegionFindings(['high_risk_diligent_classification'], ['EuWest', 'UsEast', 'ApSouth'], {
      EuWest: [f('high_risk_diligent_classification', 'clear', 0.9)],
      UsEast: [f('high_risk_diligent_classification', 'flagged', 0.8, 'online casino')],
      ApSouth: [f('high_risk_diligent_classification', 'clear', 0.9)],
    });
    expect(merged).toMatchObject({
      verdict: 'flagged', region: 'UsEast', regions_disagree: true, confidence: 0.27,
      evidence: [{ detail: 'online casino' }],
      regions: { EuWest: { verdict: 'clear' }, UsEast: { verdict: 'flagged' }, ApSouth: { verdict: 'clear' } },
    });
    expect(merged.summary).toContain('regions disagree: flagged in UsEast; clear in EuWest, ApSouth');
  });

  it('inconclusive in one region (a geo block) is not a disagreement: the conclusive verdict stands', () => {
    const [merged] = mergeRegionFindings(['non_operational_website'], ['EuWest', 'UsEast'], {
      EuWest: [f('non_operational_website', 'inconclusive', 0)], UsEast: [f('non_operational_website', 'clear', 0.9)],
    });
    expect(merged).toMatchObject({ verdict: 'clear', confidence: 0.9, region: 'UsEast', regions_disagree: false, regions: { EuWest: { verdict: 'inconclusive' } } });
  });

  it('a region that never answered counts as inconclusive; none answering is inconclusive', () => {
    const checks: CheckName[] = ['high_risk_mcc', 'non_operational_website'];
    const merged = mergeRegionFindings(checks, ['EuWest', 'UsEast'], { UsEast: [f('high_risk_mcc', 'flagged'), f('non_operational_website', 'clear')] });
    expect(merged.map((m) => [m.check, m.verdict, m.regions_disagree])).toEqual([['high_risk_mcc', 'flagged', false], ['non_operational_website', 'clear', false]]);
    expect(merged[0].regions!.EuWest).toEqual({ verdict: 'inconclusive', confidence: 0, summary: NO_ANSWER });
    const [none] = mergeRegionFindings(['high_risk_mcc'], ['EuWest', 'UsEast'], {});
    expect(none).toMatchObject({ verdict: 'inconclusive', confidence: 0, regions_disagree: false });
  });
});
