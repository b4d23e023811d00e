/**
 * Exponential backoff with full jitter (a uniformly random wait up to the exponential
 * ceiling), so a region's agents that lost ingest together do not come back in lockstep.
 */
export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 250, capMs: 30_000 };

export interface Backoff {
  /** The wait before the next attempt; each call raises the ceiling until `reset`. */
  next(): number;
  reset(): void;
}

export function createBackoff(policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): Backoff {
  let attempt = 0;
  return {
    next() {
      const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt, 30));
      attempt++;
      return Math.floor(random() * ceiling);
    },
    reset() {
      attempt = 0;
    },
  };
}
