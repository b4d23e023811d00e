/**
 * The generic cell rate algorithm (GCRA): a limit of N per period as one stored instant,
 * the theoretical arrival time (TAT) of the next request. Unlike a fixed window it never
 * lets 2N through around a window edge, and it needs one value per key. The Redis adapter
 * runs the same arithmetic in Lua (services/lib/adapters/redis/scripts.ts).
 */
export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  /** Requests still allowed right now. */
  remaining: number;
  /** When the key is back to its full allowance, unix ms. */
  resetAtMs: number;
  /** 0 when allowed; otherwise how long until one request is allowed again. */
  retryAfterMs: number;
}

export interface GcraStep {
  decision: RateLimitDecision;
  /** The TAT to store (unchanged when the request was refused). */
  tatMs: number;
}

export function gcra(storedTatMs: number | undefined, limit: number, periodMs: number, nowMs: number): GcraStep {
  const interval = periodMs / limit;
  const tat = Math.max(storedTatMs ?? nowMs, nowMs);
  const newTat = tat + interval;
  const allowAt = newTat - periodMs;
  if (nowMs < allowAt) {
    return {
      tatMs: tat,
      decision: { allowed: false, limit, remaining: 0, resetAtMs: Math.ceil(tat), retryAfterMs: Math.ceil(allowAt - nowMs) },
    };
  }
  return {
    tatMs: newTat,
    decision: {
      allowed: true,
      limit,
      remaining: Math.max(0, Math.floor((periodMs - (newTat - nowMs)) / interval + 1e-9)),
      resetAtMs: Math.ceil(newTat),
      retryAfterMs: 0,
    },
  };
}
