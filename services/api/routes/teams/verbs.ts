import { notFound } from '../../../lib/errors.js';
import type { Team, TeamMember } from '../../../lib/tenancy/teams.js';
import type { VerbContext } from '../../context.js';
import type { MemberBody, TeamBody } from './schema.js';

const presentTeam = (t: Team) => ({ id: t.id, name: t.name, description: t.description, memberCount: t.memberCount, createdAt: t.createdAt.toISOString(), updatedAt: t.updatedAt.toISOString() });
const presentMember = (m: TeamMember) => ({ id: m.id, name: m.name, email: m.email, role: m.role, createdAt: m.createdAt.toISOString() });

/** A team of the caller's organization; another organization's team is as absent as a missing one. */
async function mustGetTeam(ctx: VerbContext, id: string): Promise<Team> {
  const team = await ctx.deps.teams.get(ctx.principal.orgId, id);
  if (!team) throw notFound(`team ${id}`);
  return team;
}

export async function listTeams({ ctx, input }: { ctx: VerbContext; input: { limit: number; offset: number } }) {
  const { items, totalCount } = await ctx.deps.teams.list(ctx.principal.orgId, input.limit, input.offset);
  return { items: items.map(presentTeam), totalCount };
}

export async function getTeam({ ctx, input }: { ctx: VerbContext; input: { id: string } }) {
  return presentTeam(await mustGetTeam(ctx, input.id));
}

export async function createTeam({ ctx, input }: { ctx: VerbContext; input: TeamBody }) {
  await ctx.deps.quotas.assertCanAddTeam(ctx.principal.orgId);
  return presentTeam(await ctx.deps.teams.create(ctx.principal.orgId, input.name.trim(), input.description ?? null));
}

export async function updateTeam({ ctx, input }: { ctx: VerbContext; input: TeamBody & { id: string } }) {
  const team = await ctx.deps.teams.update(ctx.principal.orgId, input.id, input.name.trim(), input.description ?? null);
  if (!team) throw notFound(`team ${input.id}`);
  return presentTeam(team);
}

export async function deleteTeam({ ctx, input }: { ctx: VerbContext; input: { id: string } }) {
  if (!(await ctx.deps.teams.delete(ctx.principal.orgId, input.id))) throw notFound(`team ${input.id}`);
}

export async function listTeamMembers({ ctx, input }: { ctx: VerbContext; input: { id: string } }) {
  const team = await mustGetTeam(ctx, input.id);
  const items = (await ctx.deps.teams.members(team.id)).map(presentMember);
  return { items, totalCount: items.length };
}

export async function addTeamMember({ ctx, input }: { ctx: VerbContext; input: MemberBody & { id: string } }) {
  const team = await mustGetTeam(ctx, input.id);
  await ctx.deps.quotas.assertCanAddTeamMember(ctx.principal.orgId, team.id);
  return presentMember(await ctx.deps.teams.addMember(team.id, { name: input.name.trim(), email: input.email, role: input.role ?? 'Member' }));
}

export async function removeTeamMember({ ctx, input }: { ctx: VerbContext; input: { id: string; memberId: string } }) {
  const team = await mustGetTeam(ctx, input.id);
  if (!(await ctx.deps.teams.removeMember(team.id, input.memberId))) throw notFound(`member ${input.memberId}`);
}
