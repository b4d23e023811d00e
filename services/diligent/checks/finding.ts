/**
 * What every risk check returns: data, never an exception. A blocked, rate-limited,
 * geo-blocked or timed-out source is `inconclusive`, never `flagged`.
 */
import type { CheckName } from '../contract.js';

export type Verdict = 'flagged' | 'clear' | 'inconclusive';

/** One piece of evidence: what was seen, and where (the page, phrase or record it came from). */
export interface Signal {
  /** A short machine name, e.g. "dns_nxdomain", "parking_nameserver", "phrase". */
  kind: string;
  /** What it means, for a person. */
  detail: string;
  /** Where it was seen: a URL, a DNS name or record, a registry. */
  source?: string;
  /** The matched text, record or value. */
  value?: string;
  /** How much it counts towards the verdict (check-specific scale). */
  weight?: number;
}

export interface Finding {
  check: CheckName;
  verdict: Verdict;
  /** 0–1: how sure the verdict is. */
  confidence: number;
  /** One line for a person. */
  summary: string;
  evidence: Signal[];
  /** Check-specific structured answer (e.g. the inferred MCC and its candidates). */
  details?: Record<string, unknown>;
  /** The region (worker) that ran it, when known; with several regions, the one whose verdict was taken. */
  region?: string;
  /** With several regions (region-merge.ts): each region's verdict. */
  regions?: Record<string, RegionVerdict>;
  /** With several regions: true when one region found it flagged and another clear. */
  regions_disagree?: boolean;
}

export interface RegionVerdict {
  verdict: Verdict;
  confidence: number;
  summary: string;
}

export function round2(v: number): number {
  return Math.round(Math.max(0, Math.min(1, v)) * 100) / 100;
}
