/**
 * Per-key rate limits. Every request counts against its class (reads or general); some
 * routes also against their own, stricter limit. Each plan carries its own set
 * (services/lib/tenancy/plans.ts); the Enori document's table is the default.
 */
export interface RateLimit {
  name: string;
  limit: number;
  periodMs: number;
}

export type RouteRateLimit = 'createMonitor' | 'checkNow' | 'testAlert';
export type RateLimitName = 'general' | 'read' | RouteRateLimit;

/** A plan's limits; `null` = that limit does not apply (the request still counts against its class). */
export type RateLimits = Record<RateLimitName, RateLimit | null>;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Exactly the Enori document's table (Base, Pro and Business). */
export const DOCUMENT_RATE_LIMITS = {
  general: { name: 'general', limit: 100, periodMs: MINUTE },
  read: { name: 'read', limit: 200, periodMs: MINUTE },
  createMonitor: { name: 'create-monitor', limit: 10, periodMs: HOUR },
  checkNow: { name: 'check-now', limit: 5, periodMs: MINUTE },
  testAlert: { name: 'test-alert', limit: 5, periodMs: MINUTE },
} as const satisfies RateLimits;

/**
 * The self-hosted single tenant's limits (docs/decisions.md "Least privilege"): ten times the
 * document's reads and general calls, and no separate creation limit, so `pharos apply` of
 * thousands of monitors is bounded only by the general allowance; check now and test alert
 * keep the document's limit because each one fans out to agents or notification channels.
 */
export const SELF_HOSTED_RATE_LIMITS: RateLimits = {
  general: { name: 'general', limit: 1000, periodMs: MINUTE },
  read: { name: 'read', limit: 2000, periodMs: MINUTE },
  createMonitor: null,
  checkNow: DOCUMENT_RATE_LIMITS.checkNow,
  testAlert: DOCUMENT_RATE_LIMITS.testAlert,
};
