/**
 * Per-key limits, exactly the Enori document's table. Every request counts against its
 * class (reads or general); some routes also against their own, stricter limit.
 */
export interface RateLimit {
  name: string;
  limit: number;
  periodMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const RATE_LIMITS = {
  general: { name: 'general', limit: 100, periodMs: MINUTE },
  read: { name: 'read', limit: 200, periodMs: MINUTE },
  createMonitor: { name: 'create-monitor', limit: 10, periodMs: HOUR },
  checkNow: { name: 'check-now', limit: 5, periodMs: MINUTE },
  testAlert: { name: 'test-alert', limit: 5, periodMs: MINUTE },
} as const satisfies Record<string, RateLimit>;

export type RouteRateLimit = 'createMonitor' | 'checkNow' | 'testAlert';
