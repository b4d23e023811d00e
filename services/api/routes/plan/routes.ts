/**
 * GET /api/plan: the organization's plan, its limits and what it uses of each (issue 17, the
 * dashboard's Settings page). Counts are taken as the quota checks take them
 * (services/lib/tenancy/quotas.ts); `null` limits are unlimited.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiDeps, VerbContext } from '../../context.js';
import { principalOf } from '../../plugins/auth.js';
import { notFound } from '../../../lib/errors.js';
import { effectiveLimits, planOf } from '../../../lib/tenancy/plans.js';
import { ErrorResponse } from '../shared-schemas.js';

const Limit = Type.Union([Type.Integer(), Type.Null()]);
const COUNTED = ['monitors', 'apiKeys', 'alertChannels', 'teams', 'statusPages', 'escalationPolicies', 'maintenanceWindows'] as const;
const COUNT_SQL: Record<(typeof COUNTED)[number], string> = {
  monitors: `SELECT count(*) AS n FROM monitors WHERE org_id = $1`,
  apiKeys: `SELECT count(*) AS n FROM api_keys WHERE org_id = $1 AND revoked_at IS NULL`,
  alertChannels: `SELECT count(*) AS n FROM alert_channels WHERE org_id = $1`,
  teams: `SELECT count(*) AS n FROM teams WHERE org_id = $1`,
  statusPages: `SELECT count(*) AS n FROM status_pages WHERE org_id = $1`,
  escalationPolicies: `SELECT count(*) AS n FROM escalation_policies WHERE org_id = $1`,
  maintenanceWindows: `SELECT count(*) AS n FROM maintenance_windows WHERE org_id = $1`,
};

export const PlanResponse = Type.Object({
  organization: Type.Object({ id: Type.String(), name: Type.String() }),
  plan: Type.Object({ id: Type.String(), name: Type.String() }),
  limits: Type.Object({
    monitors: Limit, minIntervalSeconds: Limit, retentionDays: Limit, apiKeys: Limit, alertChannels: Limit, teams: Limit, membersPerTeam: Limit,
    statusPages: Limit, escalationPolicies: Limit, maintenanceWindows: Limit, reportsPerMonth: Limit,
  }, { description: 'With add-ons applied; null = unlimited' }),
  usage: Type.Object(Object.fromEntries(COUNTED.map((k) => [k, Type.Integer()])) as Record<(typeof COUNTED)[number], ReturnType<typeof Type.Integer>>),
});

export async function planUsage({ ctx }: { ctx: VerbContext }) {
  const org = await ctx.deps.orgs.get(ctx.principal.orgId);
  if (!org) throw notFound('organization');
  const usage = Object.fromEntries(await Promise.all(COUNTED.map(async (k) => {
    const { rows } = await ctx.deps.sql.query<{ n: number | string }>(COUNT_SQL[k], [org.id]);
    return [k, Number(rows[0]?.n ?? 0)] as const;
  }))) as Record<(typeof COUNTED)[number], number>;
  const plan = planOf(org.plan);
  return { organization: { id: org.id, name: org.name }, plan: { id: plan.id, name: plan.name }, limits: effectiveLimits(org.plan, org.addons), usage };
}

export function planRoutes(deps: ApiDeps) {
  return async function register(fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const ctx = (req: FastifyRequest) => ({ deps, principal: principalOf(req) });
    app.get('/api/plan', {
      config: { scope: 'organization:read' },
      schema: { tags: ['Organization'], summary: 'The organization\'s plan, its limits and current usage', response: { 200: PlanResponse, 401: ErrorResponse, 403: ErrorResponse, 429: ErrorResponse } },
    }, async (req) => planUsage({ ctx: ctx(req) }));
  };
}
