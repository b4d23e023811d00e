/**
 * The Encrata surface (docs/api.md, "Encrata entity monitors"): its routes, and the text/csv
 * body parser its uploads need, in one encapsulated plugin so the rest of the api is unchanged.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../../api/context.js';
import { encrataMonitorRoutes } from './monitors/routes.js';
import { encrataContactListRoutes } from './contact-lists/routes.js';

/** A CSV upload of 10,000 targets fits well inside this. */
const CSV_BODY_LIMIT = 2 * 1024 * 1024;

export function encrataRoutes(deps: ApiDeps) {
  return async function register(app: FastifyInstance): Promise<void> {
    app.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'string', bodyLimit: CSV_BODY_LIMIT }, (_req, body, done) => done(null, body));
    await app.register(encrataMonitorRoutes(deps));
    await app.register(encrataContactListRoutes(deps));
  };
}
