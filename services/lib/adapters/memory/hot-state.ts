/**
 * In-memory HotState for the embedded network: one process, so plain maps suffice.
 * Expiry is checked against the injected clock on every read (tests drive time), and
 * expired entries are swept lazily so a long-running dev process does not grow forever.
 */
import type { HotState, RateLimitDecision } from '../../ports/hot-state.js';
import { gcra } from '../../rate-limit/gcra.js';

export interface MemoryHotStateOptions {
  now?: () => number;
}

interface Expiring<T> {
  value: T;
  expiresAt: number;
}

export class MemoryHotState implements HotState {
  private readonly now: () => number;
  private readonly leases = new Map<string, Expiring<string>>();
  private readonly records = new Map<string, Map<string, Expiring<string>>>();
  private readonly seen = new Map<string, Map<string, number>>();
  private readonly rateLimits = new Map<string, number>();
  /** Size of each seen namespace after its last sweep; sweep again when it doubles. */
  private readonly sweptSize = new Map<string, number>();
  private closed = false;

  constructor(opts: MemoryHotStateOptions = {}) {
    this.now = opts.now ?? Date.now;
  }

  async acquireLease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    this.assertOpen();
    const now = this.now();
    const cur = this.leases.get(name);
    if (cur && cur.expiresAt > now && cur.value !== holder) return false;
    this.leases.set(name, { value: holder, expiresAt: now + ttlMs });
    return true;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    this.assertOpen();
    if (this.leases.get(name)?.value === holder) this.leases.delete(name);
  }

  async putRecord(group: string, field: string, value: string, ttlMs: number): Promise<void> {
    this.assertOpen();
    let g = this.records.get(group);
    if (!g) this.records.set(group, (g = new Map()));
    g.set(field, { value, expiresAt: this.now() + ttlMs });
  }

  async getRecords(group: string): Promise<Record<string, string>> {
    this.assertOpen();
    const g = this.records.get(group);
    const out: Record<string, string> = {};
    if (!g) return out;
    const now = this.now();
    for (const [field, rec] of g) {
      if (rec.expiresAt > now) out[field] = rec.value;
      else g.delete(field);
    }
    if (g.size === 0) this.records.delete(group);
    return out;
  }

  async filterSeen(ns: string, ids: string[]): Promise<Set<string>> {
    this.assertOpen();
    const out = new Set<string>();
    const marks = this.seen.get(ns);
    if (!marks) return out;
    const now = this.now();
    for (const id of ids) {
      const exp = marks.get(id);
      if (exp !== undefined && exp > now) out.add(id);
    }
    return out;
  }

  async markSeen(ns: string, ids: string[], ttlMs: number): Promise<void> {
    this.assertOpen();
    let marks = this.seen.get(ns);
    if (!marks) this.seen.set(ns, (marks = new Map()));
    const expiresAt = this.now() + ttlMs;
    for (const id of ids) marks.set(id, expiresAt);
    this.sweepIfGrown(ns, marks);
  }

  async consumeRateLimit(key: string, limit: number, periodMs: number, nowMs: number): Promise<RateLimitDecision> {
    this.assertOpen();
    const stored = this.rateLimits.get(key);
    const { decision, tatMs } = gcra(stored !== undefined && stored > nowMs ? stored : undefined, limit, periodMs, nowMs);
    if (tatMs > nowMs) this.rateLimits.set(key, tatMs);
    else this.rateLimits.delete(key);
    if (this.rateLimits.size > 100_000) {
      for (const [k, tat] of this.rateLimits) if (tat <= nowMs) this.rateLimits.delete(k);
    }
    return decision;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.leases.clear();
    this.records.clear();
    this.seen.clear();
  }

  private sweepIfGrown(ns: string, marks: Map<string, number>): void {
    // Amortised O(1) per mark: a full sweep only after the namespace doubled in size.
    const base = this.sweptSize.get(ns) ?? 0;
    if (marks.size < Math.max(1024, base * 2)) return;
    const now = this.now();
    for (const [id, exp] of marks) if (exp <= now) marks.delete(id);
    this.sweptSize.set(ns, marks.size);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('hot state is closed');
  }
}
