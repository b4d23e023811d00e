import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { DomainError, notFound } from '../../../lib/errors.js';
import { PLANS, type PlanAddons } from '../../../lib/tenancy/plans.js';
import type { Organization } from '../../../lib/tenancy/organizations.js';
import type { ApiDeps } from '../../context.js';
import { ErrorResponse } from '../shared-schemas.js';
import { stringEnum } from '../enum-schema.js';

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

const Addons = Type.Object({
  extraMonitors: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
  interval30s: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });
const OrgResponse = Type.Object({
  id: Type.String(), name: Type.String(), plan: Type.String(), addons: Addons, createdAt: Type.String({ format: 'date-time' }),
});
const errors = { 400: ErrorResponse, 401: ErrorResponse, 404: ErrorResponse };
const tags = ['Operator'];
const present = (o: Organization) => ({ id: o.id, name: o.name, plan: o.plan, addons: o.addons, createdAt: o.createdAt.toISOString() });

/**
 * The operator-only admin API: tenants and their plans. It exists only when the operator
 * configured PHAROS_OPERATOR_KEY; tenant API keys never reach it.
 */
export function adminRoutes(deps: ApiDeps & { operatorKey: string }) {
  const expected = digest(deps.operatorKey);
  return async function register(fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('onRequest', async (request) => assertOperator(expected, request));
    const security = [{ operatorKey: [] }];

    app.get('/admin/orgs', {
      config: { scope: 'public' },
      schema: { tags, security, summary: 'List organizations', response: { 200: Type.Object({ items: Type.Array(OrgResponse), totalCount: Type.Integer() }), ...errors } },
    }, async () => {
      const items = (await deps.orgs.list()).map(present);
      return { items, totalCount: items.length };
    });

    app.post('/admin/orgs', {
      config: { scope: 'public' },
      schema: {
        tags, security, summary: 'Create an organization and its first admin key (shown once)',
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }), plan: stringEnum(Object.keys(PLANS) as [string, ...string[]]), addons: Type.Optional(Addons) }, { additionalProperties: false }),
        response: { 201: Type.Object({ organization: OrgResponse, adminKey: Type.String() }), ...errors },
      },
    }, async (req, reply) => {
      const org = await deps.orgs.create(req.body.name, req.body.plan, (req.body.addons ?? {}) as PlanAddons);
      const { plaintext } = await deps.apiKeys.create(org.id, 'admin', ['*']);
      return reply.status(201).send({ organization: present(org), adminKey: plaintext });
    });

    app.put('/admin/orgs/:id/plan', {
      config: { scope: 'public' },
      schema: {
        tags, security, summary: 'Set an organization\'s plan and add-ons',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        body: Type.Object({ plan: stringEnum(Object.keys(PLANS) as [string, ...string[]]), addons: Type.Optional(Addons) }, { additionalProperties: false }),
        response: { 200: OrgResponse, ...errors },
      },
    }, async (req) => {
      const org = await deps.orgs.setPlan(req.params.id, req.body.plan, (req.body.addons ?? {}) as PlanAddons);
      if (!org) throw notFound(`organization ${req.params.id}`);
      return present(org);
    });
  };
}
