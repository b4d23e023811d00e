import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiDeps } from '../../context.js';
import { principalOf } from '../../plugins/auth.js';
import { MemberBody, MemberList, MemberParams, MemberResponse, Page, TeamBody, TeamIdParams, TeamList, TeamResponse, errorResponses } from './schema.js';
import { addTeamMember, createTeam, deleteTeam, getTeam, listTeamMembers, listTeams, removeTeamMember, updateTeam } from './verbs.js';

const tags = ['Teams'];

export function teamRoutes(deps: ApiDeps) {
  return async function register(fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const ctx = (req: FastifyRequest) => ({ deps, principal: principalOf(req) });

    app.get('/api/teams', {
      config: { scope: 'teams:read' },
      schema: { tags, summary: 'List teams', querystring: Page, response: { 200: TeamList, ...errorResponses } },
    }, async (req) => listTeams({ ctx: ctx(req), input: req.query }));
    app.post('/api/teams', {
      config: { scope: 'teams:write' },
      schema: { tags, summary: 'Create a team', body: TeamBody, response: { 201: TeamResponse, ...errorResponses } },
    }, async (req, reply) => reply.status(201).send(await createTeam({ ctx: ctx(req), input: req.body })));
    app.get('/api/teams/:id', {
      config: { scope: 'teams:read' },
      schema: { tags, summary: 'Get a team', params: TeamIdParams, response: { 200: TeamResponse, ...errorResponses } },
    }, async (req) => getTeam({ ctx: ctx(req), input: req.params }));
    app.put('/api/teams/:id', {
      config: { scope: 'teams:write' },
      schema: { tags, summary: 'Update a team', params: TeamIdParams, body: TeamBody, response: { 200: TeamResponse, ...errorResponses } },
    }, async (req) => updateTeam({ ctx: ctx(req), input: { id: req.params.id, ...req.body } }));
    app.delete('/api/teams/:id', {
      config: { scope: 'teams:write' },
      schema: { tags, summary: 'Delete a team and its memberships', params: TeamIdParams, response: { 204: Type.Null(), ...errorResponses } },
    }, async (req, reply) => {
      await deleteTeam({ ctx: ctx(req), input: req.params });
      return reply.status(204).send(null);
    });
    app.get('/api/teams/:id/members', {
      config: { scope: 'teams:read' },
      schema: { tags, summary: 'List a team\'s members', params: TeamIdParams, response: { 200: MemberList, ...errorResponses } },
    }, async (req) => listTeamMembers({ ctx: ctx(req), input: req.params }));
    app.post('/api/teams/:id/members', {
      config: { scope: 'teams:write' },
      schema: { tags, summary: 'Add a member (name, email, role)', params: TeamIdParams, body: MemberBody, response: { 201: MemberResponse, ...errorResponses } },
    }, async (req, reply) => reply.status(201).send(await addTeamMember({ ctx: ctx(req), input: { id: req.params.id, ...req.body } })));
    app.delete('/api/teams/:id/members/:memberId', {
      config: { scope: 'teams:write' },
      schema: { tags, summary: 'Remove a member', params: MemberParams, response: { 204: Type.Null(), ...errorResponses } },
    }, async (req, reply) => {
      await removeTeamMember({ ctx: ctx(req), input: req.params });
      return reply.status(204).send(null);
    });
  };
}
