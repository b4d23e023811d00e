/**
 * One enrichment module per monitor type behind one interface. A module builds a target's
 * record from sections, each answered by one source (DNS, RDAP, GLEIF, …). A section whose
 * source could not answer (timed out, rate-limited after its retries) is named in
 * `inconclusive` with the reason; the worker then keeps that section's last known value, so
 * a flaky source never reads as a change. Records hold only set-like arrays (the canonical
 * form sorts them); anything ordered is a string or an object.
 */
import type { EntityType } from '../model.js';

export interface EnrichmentOutcome {
  record: Record<string, unknown>;
  inconclusive: Array<{ section: string; reason: string }>;
}

export interface EnrichmentContext {
  signal: AbortSignal;
  /** Company monitors: the identifier the user pinned for this target (an LEI or "CIK…"). */
  pinnedId?: string;
}

export interface Enricher {
  readonly type: EntityType;
  enrich(target: string, ctx: EnrichmentContext): Promise<EnrichmentOutcome>;
}

/** Collects a record's sections and the ones that could not be answered. */
export class RecordBuilder {
  readonly record: Record<string, unknown> = {};
  readonly inconclusive: Array<{ section: string; reason: string }> = [];

  set(section: string, value: unknown): void { this.record[section] = value; }

  unanswered(section: string, reason: string): void {
    this.record[section] = null;
    this.inconclusive.push({ section, reason });
  }

  done(): EnrichmentOutcome { return { record: this.record, inconclusive: this.inconclusive }; }
}
