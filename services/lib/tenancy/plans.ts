import { DomainError } from '../errors.js';
import { DOCUMENT_RATE_LIMITS, SELF_HOSTED_RATE_LIMITS, type RateLimits } from '../rate-limit/limits.js';

/**
 * Plans are configuration: the Enori document's Base, Pro and Business limits, plus
 * `unlimited` for a self-hosted single tenant (the embedded default). `null` = no limit.
 */
export interface PlanLimits {
  monitors: number | null;
  minIntervalSeconds: number | null;
  retentionDays: number | null;
  apiKeys: number | null;
  alertChannels: number | null;
  teams: number | null;
  membersPerTeam: number | null;
  statusPages: number | null;
  escalationPolicies: number | null;
  maintenanceWindows: number | null;
  reportsPerMonth: number | null;
}

export interface Plan {
  id: string;
  name: string;
  limits: PlanLimits;
  /** Per-key request limits (per API key, not per organization). */
  rateLimits: RateLimits;
}

export const PLANS: Record<string, Plan> = {
  base: { id: 'base', name: 'Base', limits: { monitors: 10, minIntervalSeconds: 60, retentionDays: 30, apiKeys: 2, alertChannels: 5, teams: 2, membersPerTeam: 3, statusPages: 3, escalationPolicies: 2, maintenanceWindows: 2, reportsPerMonth: 3 }, rateLimits: DOCUMENT_RATE_LIMITS },
  pro: { id: 'pro', name: 'Pro', limits: { monitors: 50, minIntervalSeconds: 60, retentionDays: 60, apiKeys: 10, alertChannels: 15, teams: 10, membersPerTeam: 10, statusPages: 10, escalationPolicies: 10, maintenanceWindows: 10, reportsPerMonth: 10 }, rateLimits: DOCUMENT_RATE_LIMITS },
  business: { id: 'business', name: 'Business', limits: { monitors: 200, minIntervalSeconds: 60, retentionDays: 90, apiKeys: 50, alertChannels: null, teams: null, membersPerTeam: 25, statusPages: 50, escalationPolicies: 20, maintenanceWindows: null, reportsPerMonth: null }, rateLimits: DOCUMENT_RATE_LIMITS },
  unlimited: { id: 'unlimited', name: 'Unlimited', limits: { monitors: null, minIntervalSeconds: null, retentionDays: null, apiKeys: null, alertChannels: null, teams: null, membersPerTeam: null, statusPages: null, escalationPolicies: null, maintenanceWindows: null, reportsPerMonth: null }, rateLimits: SELF_HOSTED_RATE_LIMITS },
};

const UPGRADE_PATH = ['base', 'pro', 'business'];

/** Add-ons, available on any plan. */
export interface PlanAddons {
  /** +1 monitor each. */
  extraMonitors?: number;
  /** Unlocks 30-second checks account-wide. */
  interval30s?: boolean;
}

export function planOf(id: string): Plan {
  const plan = PLANS[id];
  if (!plan) throw new Error(`unknown plan "${id}"; plans: ${Object.keys(PLANS).join(', ')}`);
  return plan;
}

/**
 * A key's request limits, by its organization's plan. An unknown plan (one removed from
 * this table while organizations still name it) falls back to the document's table rather
 * than failing every request.
 */
export function rateLimitsOf(planId: string): RateLimits {
  return PLANS[planId]?.rateLimits ?? DOCUMENT_RATE_LIMITS;
}

/** The limits in force for an organization: its plan's, adjusted by its add-ons. */
export function effectiveLimits(planId: string, addons: PlanAddons): PlanLimits {
  const { limits } = planOf(planId);
  return {
    ...limits,
    monitors: limits.monitors === null ? null : limits.monitors + Math.max(0, addons.extraMonitors ?? 0),
    minIntervalSeconds: limits.minIntervalSeconds === null ? null : addons.interval30s ? Math.min(30, limits.minIntervalSeconds) : limits.minIntervalSeconds,
  };
}

const LABELS: Record<keyof PlanLimits, [string, string]> = {
  monitors: ['Monitor limit exceeded', 'monitors'],
  minIntervalSeconds: ['Check interval not allowed', 'seconds between checks'],
  retentionDays: ['Retention limit exceeded', 'days of data retention'],
  apiKeys: ['API key limit exceeded', 'API keys'],
  alertChannels: ['Alert channel limit exceeded', 'alert channels'],
  teams: ['Team limit exceeded', 'teams'],
  membersPerTeam: ['Team member limit exceeded', 'members per team'],
  statusPages: ['Status page limit exceeded', 'status pages'],
  escalationPolicies: ['Escalation policy limit exceeded', 'escalation policies'],
  maintenanceWindows: ['Maintenance window limit exceeded', 'maintenance windows'],
  reportsPerMonth: ['Report limit exceeded', 'reports per month'],
};

/** "Your Base plan allows 10 monitors. Upgrade to Pro for up to 50." — the document's wording. */
export function planLimitExceeded(planId: string, limit: keyof PlanLimits, allowed: number): DomainError {
  const plan = planOf(planId);
  const [title, noun] = LABELS[limit];
  const next = UPGRADE_PATH.slice(UPGRADE_PATH.indexOf(planId) + 1).map((p) => PLANS[p]).find((p) => {
    const v = p.limits[limit];
    return v === null || (limit === 'minIntervalSeconds' ? v < allowed : v > allowed);
  });
  if (limit === 'minIntervalSeconds') {
    const hint = allowed > 30 ? ' Add the 30s Check Interval add-on for 30-second checks.' : '';
    return new DomainError('PLAN_LIMIT_EXCEEDED', title, `Your ${plan.name} plan does not allow checks more often than every ${allowed} seconds.${hint}`);
  }
  const upgrade = next ? ` Upgrade to ${next.name} for ${next.limits[limit] === null ? 'unlimited' : `up to ${next.limits[limit]}`}.` : '';
  return new DomainError('PLAN_LIMIT_EXCEEDED', title, `Your ${plan.name} plan allows ${allowed} ${noun}.${upgrade}`);
}
