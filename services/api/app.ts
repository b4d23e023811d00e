import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import scalar from '@scalar/fastify-api-reference';
import type { ApiDeps } from './context.js';
import { installAuth } from './plugins/auth.js';
import { installRateLimits } from './plugins/rate-limit.js';
import { installErrorHandler } from './plugins/errors.js';
import { installValidators } from './plugins/validation.js';
import { keyRoutes } from './routes/keys/routes.js';
import { monitorRoutes } from './routes/monitors/routes.js';
import { pingRoutes } from './routes/pings/routes.js';
import { incidentRoutes } from './routes/incidents/routes.js';
import { regionRoutes } from './routes/regions/routes.js';
import { teamRoutes } from './routes/teams/routes.js';
import { adminRoutes } from './routes/admin/routes.js';
import { alertRuleRoutes } from './routes/alert-rules/routes.js';
import { alertRoutes } from './routes/alerts/routes.js';

/**
 * A request as logged: Fastify's fields, with the secret part of a ping URL masked (the
 * token is a Job monitor's only credential; secrets are never logged).
 */
function requestForLog(req: { method: string; url: string; host?: string; ip?: string; socket?: { remotePort?: number } }) {
  return {
    method: req.method,
    url: req.url.replace(/^\/ping\/[^/?#]+/, '/ping/[redacted]'),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

/** The public HTTP surface. Dependencies come in; nothing here opens a connection of its own. */
export async function buildApp(deps: ApiDeps): Promise<FastifyInstance> {
  // pino's Logger type is wider than Fastify's base logger type; the instance is the same.
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: 'api' }, { serializers: { req: requestForLog } }),
    bodyLimit: 1024 * 1024,
    trustProxy: false,
    genReqId: () => `req_${Math.random().toString(36).slice(2, 12)}`,
  }) as unknown as FastifyInstance;
  installValidators(app);
  // Clients such as the Enori document's Node.js helper send `Content-Type: application/json`
  // on every call, including body-less POSTs (pause, resume, check): an empty body is no body.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') return done(null, undefined);
    return parseJson(request, body as string, done);
  });
  installErrorHandler(app);
  installAuth(app, deps.apiKeys);
  installRateLimits(app, { hotState: deps.hotState, logger: deps.logger, now: deps.now });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Pharos API', version: '1.0.0', description: 'Enori-compatible uptime monitoring API' },
      components: { securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' }, operatorKey: { type: 'apiKey', in: 'header', name: 'X-Operator-Key' } } },
      security: [{ apiKey: [] }],
    },
  });
  app.get('/healthz', { config: { scope: 'public' }, schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/openapi/v1.json', { config: { scope: 'public' }, schema: { hide: true } }, async () => app.swagger());
  // The interactive explorer (Scalar, as the Enori document links), served with its own
  // script from this server: no CDN, so it works on closed networks too.
  await app.register(scalar, { routePrefix: '/reference', configuration: { url: '/openapi/v1.json', title: 'Pharos API' } });
  await app.register(monitorRoutes(deps));
  await app.register(pingRoutes(deps));
  await app.register(incidentRoutes(deps));
  await app.register(keyRoutes(deps));
  await app.register(regionRoutes(deps));
  await app.register(teamRoutes(deps));
  await app.register(alertRuleRoutes(deps));
  await app.register(alertRoutes(deps));
  const operatorKey = deps.config.operatorKey;
  if (operatorKey) await app.register(adminRoutes({ ...deps, operatorKey }));
  return app;
}
