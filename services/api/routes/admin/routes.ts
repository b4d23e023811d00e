import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { DomainError } from '../../../lib/errors.js';
import type { ApiDeps } from '../../context.js';
import { CreateOrgBody, CreatedOrgResponse, OrgIdParams, OrgList, OrgResponse, SetPlanBody, errorResponses } from './schema.js';
import { createOrganization, listOrganizations, setOrganizationPlan } from './verbs.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Operator auth: `X-Operator-Key` (or Bearer) compared in constant time with PHAROS_OPERATOR_KEY. */
function assertOperator(expected: Buffer, request: FastifyRequest): void {
  const header = request.headers['x-operator-key'];
  const auth = request.headers.authorization;
  const presented = typeof header === 'string' ? header : auth?.replace(/^Bearer\s+/i, '');
  if (!presented || !timingSafeEqual(digest(presented), expected)) {
    throw new DomainError('UNAUTHORIZED', 'Unauthorized', 'missing or invalid operator key (X-Operator-Key)');
  }
}

const tags = ['Operator'];

/**
 * The operator-only admin API: tenants and their plans. It exists only when the operator
 * configured PHAROS_OPERATOR_KEY; tenant API keys never reach it.
 */
export function adminRoutes(deps: ApiDeps & { operatorKey: string }) {
  const expected = digest(deps.operatorKey);
  const ctx = { deps };
  return async function register(fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('onRequest', async (request) => assertOperator(expected, request));
    const security = [{ operatorKey: [] }];

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
