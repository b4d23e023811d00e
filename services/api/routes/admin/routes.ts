import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { DomainError } from '../../../lib/errors.js';
import type { ApiDeps } from '../../context.js';
import { OperatorKeyGuard, type OperatorGuardPolicy } from './operator-guard.js';
import { CreateOrgBody, CreatedOrgResponse, OrgIdParams, OrgList, OrgResponse, SetPlanBody, errorResponses } from './schema.js';
import { createOrganization, listOrganizations, setOrganizationPlan } from './verbs.js';
import { OperatorRegionList } from '../regions/schema.js';
import { listRegionsWithAgents } from '../regions/verbs.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Operator auth: `X-Operator-Key` (or Bearer) compared in constant time with
 * PHAROS_OPERATOR_KEY, behind a per-address brake on wrong keys. A request with no key at
 * all is a 401 that does not count: it guesses nothing.
 */
async function assertOperator(expected: Buffer, guard: OperatorKeyGuard, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  await guard.assertNotLockedOut(request.ip, reply);
  const header = request.headers['x-operator-key'];
  const auth = request.headers.authorization;
  const presented = typeof header === 'string' ? header : auth?.replace(/^Bearer\s+/i, '');
  if (presented && timingSafeEqual(digest(presented), expected)) return;
  if (presented) await guard.recordFailure(request.ip, reply);
  throw new DomainError('UNAUTHORIZED', 'Unauthorized', 'missing or invalid operator key (X-Operator-Key)');
}

const tags = ['Operator'];

/**
 * The operator-only admin API: tenants and their plans. It exists only when the operator
 * configured PHAROS_OPERATOR_KEY; tenant API keys never reach it.
 */
export function adminRoutes(deps: ApiDeps & { operatorKey: string; operatorGuardPolicy?: OperatorGuardPolicy }) {
  const expected = digest(deps.operatorKey);
  const guard = new OperatorKeyGuard({ hotState: deps.hotState, logger: deps.logger, now: deps.now ?? Date.now, policy: deps.operatorGuardPolicy });
  const ctx = { deps };
  return async function register(fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('onRequest', async (request, reply) => assertOperator(expected, guard, request, reply));
    const security = [{ operatorKey: [] }];

    app.get('/admin/regions', {
      config: { scope: 'public' },
      schema: { tags, security, summary: 'Declared regions with every agent present: id, host, version, load', response: { 200: OperatorRegionList, ...errorResponses } },
    }, async () => listRegionsWithAgents({ ctx }));

    app.get('/admin/orgs', {
      config: { scope: 'public' },
      schema: { tags, security, summary: 'List organizations', response: { 200: OrgList, ...errorResponses } },
    }, async () => listOrganizations({ ctx }));

    app.post('/admin/orgs', {
      config: { scope: 'public' },
      schema: {
        tags, security, summary: 'Create an organization and its first admin key (shown once)',
        body: CreateOrgBody, response: { 201: CreatedOrgResponse, ...errorResponses },
      },
    }, async (req, reply) => reply.status(201).send(await createOrganization({ ctx, input: req.body })));

    app.put('/admin/orgs/:id/plan', {
      config: { scope: 'public' },
      schema: {
        tags, security, summary: 'Set an organization\'s plan and add-ons',
        params: OrgIdParams, body: SetPlanBody, response: { 200: OrgResponse, ...errorResponses },
      },
    }, async (req) => setOrganizationPlan({ ctx, input: { id: req.params.id, ...req.body } }));
  };
}
