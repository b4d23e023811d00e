import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ApiDeps } from '../../context.js';
import { ErrorResponse } from '../shared-schemas.js';
import { RegionList } from './schema.js';
import { listRegions } from './verbs.js';

export function regionRoutes(deps: ApiDeps) {
  return async function register(fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.get('/api/regions', {
      config: { scope: 'monitors:read' },
      schema: {
        tags: ['Regions'],
        summary: 'Declared regions, whether each has an agent present, and when one was last seen',
        response: { 200: RegionList, 401: ErrorResponse, 403: ErrorResponse },
      },
    }, async () => listRegions({ ctx: { deps } }));
  };
}
