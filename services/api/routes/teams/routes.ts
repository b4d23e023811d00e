import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { notFound } from '../../../lib/errors.js';
import { TEAM_ROLES, type Team, type TeamMember, type TeamRole } from '../../../lib/tenancy/teams.js';
import type { ApiDeps, VerbContext } from '../../context.js';
import { principalOf } from '../../plugins/auth.js';
import { ErrorResponse } from '../shared-schemas.js';
import { stringEnum } from '../enum-schema.js';

const TeamBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  description: Type.Optional(Type.Union([Type.String({ maxLength: 1000 }), Type.Null()])),
}, { additionalProperties: false });

const MemberBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  email: Type.String({ format: 'email', maxLength: 254 }),
  role: Type.Optional(stringEnum(TEAM_ROLES, { default: 'Member' })),
}, { additionalProperties: false });

const MemberResponse = Type.Object({
  id: Type.String(), name: Type.String(), email: Type.String(), role: Type.String(), createdAt: Type.String({ format: 'date-time' }),
});
const TeamResponse = Type.Object({
  id: Type.String(), name: Type.String(), description: Type.Union([Type.String(), Type.Null()]), memberCount: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }), updatedAt: Type.String({ format: 'date-time' }),
});
const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
const MemberParams = Type.Object({ id: Type.String({ maxLength: 64 }), memberId: Type.String({ maxLength: 64 }) });
const Page = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
}, { additionalProperties: false });
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse, 429: ErrorResponse };
const tags = ['Teams'];

const presentTeam = (t: Team) => ({ id: t.id, name: t.name, description: t.description, memberCount: t.memberCount, createdAt: t.createdAt.toISOString(), updatedAt: t.updatedAt.toISOString() });
const presentMember = (m: TeamMember) => ({ id: m.id, name: m.name, email: m.email, role: m.role, createdAt: m.createdAt.toISOString() });

async function mustGetTeam(ctx: VerbContext, id: string): Promise<Team> {
  const team = await ctx.deps.teams.get(ctx.principal.orgId, id);
  if (!team) throw notFound(`team ${id}`);
  return team;
}

export async function createTeam({ ctx, input }: { ctx: VerbContext; input: { name: string; description?: string | null } }) {
  await ctx.deps.quotas.assertCanAddTeam(ctx.principal.orgId);
  return presentTeam(await ctx.deps.teams.create(ctx.principal.orgId, input.name.trim(), input.description ?? null));
}

export async function updateTeam({ ctx, input }: { ctx: VerbContext; input: { id: string; name: string; description?: string | null } }) {
  const team = await ctx.deps.teams.update(ctx.principal.orgId, input.id, input.name.trim(), input.description ?? null);
  if (!team) throw notFound(`team ${input.id}`);
  return presentTeam(team);
}

export async function addTeamMember({ ctx, input }: { ctx: VerbContext; input: { id: string; name: string; email: string; role?: TeamRole } }) {
  const team = await mustGetTeam(ctx, input.id);
  await ctx.deps.quotas.assertCanAddTeamMember(ctx.principal.orgId, team.id);
  return presentMember(await ctx.deps.teams.addMember(team.id, { name: input.name.trim(), email: input.email, role: input.role ?? 'Member' }));
}

export function teamRoutes(deps: ApiDeps) {
  return async function register(fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const ctx = (req: Parameters<typeof principalOf>[0]) => ({ deps, principal: principalOf(req) });

    app.get('/api/teams', {
      config: { scope: 'teams:read' },
      schema: { tags, summary: 'List teams', querystring: Page, response: { 200: Type.Object({ items: Type.Array(TeamResponse), totalCount: Type.Integer() }), ...errors } },
    }, async (req) => {
      const { items, totalCount } = await deps.teams.list(principalOf(req).orgId, req.query.limit, req.query.offset);
      return { items: items.map(presentTeam), totalCount };
    });
    app.post('/api/teams', {
      config: { scope: 'teams:write' },
      schema: { tags, summary: 'Create a team', body: TeamBody, response: { 201: TeamResponse, ...errors } },
    }, async (req, reply) => reply.status(201).send(await createTeam({ ctx: ctx(req), input: req.body })));
    app.get('/api/teams/:id', {
      config: { scope: 'teams:read' },
      schema: { tags, summary: 'Get a team', params: IdParams, response: { 200: TeamResponse, ...errors } },
    }, async (req) => presentTeam(await mustGetTeam(ctx(req), req.params.id)));
    app.put('/api/teams/:id', {
      config: { scope: 'teams:write' },
      schema: { tags, summary: 'Update a team', params: IdParams, body: TeamBody, response: { 200: TeamResponse, ...errors } },
    }, async (req) => updateTeam({ ctx: ctx(req), input: { id: req.params.id, ...req.body } }));
    app.delete('/api/teams/:id', {
      config: { scope: 'teams:write' },
      schema: { tags, summary: 'Delete a team and its memberships', params: IdParams, response: { 204: Type.Null(), ...errors } },
    }, async (req, reply) => {
      if (!(await deps.teams.delete(principalOf(req).orgId, req.params.id))) throw notFound(`team ${req.params.id}`);
      return reply.status(204).send(null);
    });
    app.get('/api/teams/:id/members', {
      config: { scope: 'teams:read' },
      schema: { tags, summary: 'List a team\'s members', params: IdParams, response: { 200: Type.Object({ items: Type.Array(MemberResponse), totalCount: Type.Integer() }), ...errors } },
    }, async (req) => {
      const team = await mustGetTeam(ctx(req), req.params.id);
      const items = (await deps.teams.members(team.id)).map(presentMember);
      return { items, totalCount: items.length };
    });
    app.post('/api/teams/:id/members', {
      config: { scope: 'teams:write' },
      schema: { tags, summary: 'Add a member (name, email, role)', params: IdParams, body: MemberBody, response: { 201: MemberResponse, ...errors } },
    }, async (req, reply) => reply.status(201).send(await addTeamMember({ ctx: ctx(req), input: { id: req.params.id, ...req.body } })));
    app.delete('/api/teams/:id/members/:memberId', {
      config: { scope: 'teams:write' },
      schema: { tags, summary: 'Remove a member', params: MemberParams, response: { 204: Type.Null(), ...errors } },
    }, async (req, reply) => {
      const team = await mustGetTeam(ctx(req), req.params.id);
      if (!(await deps.teams.removeMember(team.id, req.params.memberId))) throw notFound(`member ${req.params.memberId}`);
      return reply.status(204).send(null);
    });
  };
}
