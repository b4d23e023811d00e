/**
 * Status pages (scopes status-pages:read|write): the authenticated CRUD, and the public
 * pages themselves (public-routes.ts), which share the store and the rendering cache so an
 * edit stops this process serving the old page at once.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiDeps } from '../../context.js';
import { principalOf } from '../../plugins/auth.js';
import { StatusPageStore } from '../../../status-pages/store.js';
import { PageCache } from '../../../status-pages/page-cache.js';
import { ListStatusPagesQuery, StatusPageBody, StatusPageIdParams, StatusPageList, StatusPageResponse, errorResponses } from './schema.js';
import { createStatusPage, deleteStatusPage, getStatusPage, listStatusPages, replaceStatusPage, type StatusPageVerbContext } from './verbs.js';
import { publicStatusRoutes } from './public-routes.js';

const tags = ['Status pages'];
const read = { scope: 'status-pages:read' } as const;
const write = { scope: 'status-pages:write' } as const;

export function statusPageRoutes(deps: ApiDeps) {
  return async function register(fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const pages = new StatusPageStore(deps.sql, deps.now);
    const cache = new PageCache(deps.now ?? Date.now);
    const ctx = (req: FastifyRequest): StatusPageVerbContext => ({
      deps, principal: principalOf(req), pages, forget: (p) => cache.forget(p), baseUrl: deps.config.publicUrl ?? `${req.protocol}://${req.host}`,
    });

    app.get('/api/status-pages', {
      config: read,
      schema: { tags, summary: 'List status pages', querystring: ListStatusPagesQuery, response: { 200: StatusPageList, ...errorResponses } },
    }, async (req) => listStatusPages({ ctx: ctx(req), input: req.query }));

    app.post('/api/status-pages', {
      config: write,
      schema: { tags, summary: 'Create a status page', body: StatusPageBody, response: { 201: StatusPageResponse, ...errorResponses } },
    }, async (req, reply) => reply.status(201).send(await createStatusPage({ ctx: ctx(req), input: req.body })));

    app.get('/api/status-pages/:id', {
      config: read,
      schema: { tags, summary: 'Get a status page', params: StatusPageIdParams, response: { 200: StatusPageResponse, ...errorResponses } },
    }, async (req) => getStatusPage({ ctx: ctx(req), input: req.params }));

    app.put('/api/status-pages/:id', {
      config: write,
      schema: { tags, summary: 'Replace a status page (an omitted password keeps the current one)', params: StatusPageIdParams, body: StatusPageBody, response: { 200: StatusPageResponse, ...errorResponses } },
    }, async (req) => replaceStatusPage({ ctx: ctx(req), input: { id: req.params.id, body: req.body } }));

    app.delete('/api/status-pages/:id', {
      config: write,
      schema: { tags, summary: 'Delete a status page', params: StatusPageIdParams, response: { 204: Type.Null(), ...errorResponses } },
    }, async (req, reply) => {
      await deleteStatusPage({ ctx: ctx(req), input: req.params });
      return reply.status(204).send(null);
    });

    await app.register(publicStatusRoutes({ deps, pages, cache }));
  };
}
