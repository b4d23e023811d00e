import type { RateLimitDecision } from '../rate-limit/gcra.js';

export type { RateLimitDecision };

/**
 * Hot state (DESIGN.md §3): leases, short-lived presence records, de-duplication marks and
 * rate-limit state.
 * Two adapters: Redis via ioredis (`PHAROS_REDIS_URL`) and in-memory (embedded default).
 * Both pass test/contract/suites/hot-state.ts. Every key is namespaced by the adapter's
 * configured prefix, so tests and tenants of one Redis never collide.
 */
export interface HotState {
  /**
   * Takes the lease `name` for `holder`, or renews it when `holder` already has it.
   * Returns true when `holder` holds the lease for the next `ttlMs`.
   */
  acquireLease(name: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up if `holder` has it (a standby can take it at once). */
  releaseLease(name: string, holder: string): Promise<void>;

  /** Sets one field of a record group; the field disappears after `ttlMs`. */
  putRecord(group: string, field: string, value: string, ttlMs: number): Promise<void>;
  /** All live fields of a record group. */
  getRecords(group: string): Promise<Record<string, string>>;

  /** Of `ids`, the ones marked in namespace `ns` (and not yet expired). */
  filterSeen(ns: string, ids: string[]): Promise<Set<string>>;
  /** Marks `ids` as seen in namespace `ns` for `ttlMs`. */
  markSeen(ns: string, ids: string[], ttlMs: number): Promise<void>;

  /**
   * Counts one request against `key`'s allowance of `limit` per `periodMs` (GCRA), as of
   * `nowMs` (the caller's clock, so tests can drive it; servers are expected to be NTP-synced).
   */
  consumeRateLimit(key: string, limit: number, periodMs: number, nowMs: number): Promise<RateLimitDecision>;

  close(): Promise<void>;
}
