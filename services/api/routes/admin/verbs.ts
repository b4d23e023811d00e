import { notFound } from '../../../lib/errors.js';
import { createOrganizationWithAdminKey } from '../../../lib/tenancy/create-organization.js';
import type { Organization } from '../../../lib/tenancy/organizations.js';
import type { PlanAddons } from '../../../lib/tenancy/plans.js';
import type { ApiDeps } from '../../context.js';
import type { CreateOrgBody, SetPlanBody } from './schema.js';

/** The operator acts for no organization, so its verbs have dependencies but no principal. */
export interface OperatorContext {
  deps: ApiDeps;
}

const present = (o: Organization) => ({ id: o.id, name: o.name, plan: o.plan, addons: o.addons, createdAt: o.createdAt.toISOString() });

export async function listOrganizations({ ctx }: { ctx: OperatorContext }) {
  const items = (await ctx.deps.orgs.list()).map(present);
  return { items, totalCount: items.length };
}

export async function createOrganization({ ctx, input }: { ctx: OperatorContext; input: CreateOrgBody }) {
  const { organization, adminKey } = await createOrganizationWithAdminKey({
    ctx: { sql: ctx.deps.sql },
    input: { name: input.name, plan: input.plan, addons: (input.addons ?? {}) as PlanAddons },
  });
  return { organization: present(organization), adminKey };
}

export async function setOrganizationPlan({ ctx, input }: { ctx: OperatorContext; input: SetPlanBody & { id: string } }) {
  const org = await ctx.deps.orgs.setPlan(input.id, input.plan, (input.addons ?? {}) as PlanAddons);
  if (!org) throw notFound(`organization ${input.id}`);
  return present(org);
}
