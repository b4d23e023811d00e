import Fastify, { LogController, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import type { ApiDeps } from './context.js';
import { installAuth } from './plugins/auth.js';
import { installRateLimits } from './plugins/rate-limit.js';
import { frameworkErrors, installErrorHandler } from './plugins/errors.js';
import { installJsonParser, installValidators } from './plugins/validation.js';
import { installRequestLog } from './plugins/request-log.js';
import { documentRequestSchema } from './plugins/openapi.js';
import { lazySerializers } from './plugins/serialization.js';
import { keyRoutes } from './routes/keys/routes.js';
import { monitorRoutes } from './routes/monitors/routes.js';
import { pingRoutes } from './routes/pings/routes.js';
import { incidentRoutes } from './routes/incidents/routes.js';
import { escalationPolicyRoutes } from './routes/escalation-policies/routes.js';
import { maintenanceWindowRoutes } from './routes/maintenance-windows/routes.js';
import { regionRoutes } from './routes/regions/routes.js';
import { teamRoutes } from './routes/teams/routes.js';
import { alertChannelRoutes } from './routes/alert-channels/routes.js';
import { adminRoutes } from './routes/admin/routes.js';
import { alertRuleRoutes } from './routes/alert-rules/routes.js';
import { alertRoutes } from './routes/alerts/routes.js';
import { badgeRoutes } from './routes/badges/routes.js';
import { reportRoutes } from './routes/reports/routes.js';
import { statusPageRoutes } from './routes/status-pages/routes.js';
import { diligentRoutes } from './routes/diligent/routes.js';
import { encrataRoutes } from '../encrata/routes/index.js';
import cookie from '@fastify/cookie';
import { DashboardSessionStore } from '../lib/tenancy/dashboard-sessions.js';
import { installJsonEtags } from './plugins/etag.js';
import { installDashboard } from './dashboard.js';
import { sessionRoutes } from './routes/session/routes.js';
import { planRoutes } from './routes/plan/routes.js';
import { installOperations } from './plugins/operations.js';
import { installApiReference } from './plugins/api-reference.js';

/** The public HTTP surface. Dependencies come in; nothing here opens a connection of its own. */
export async function buildApp(deps: ApiDeps): Promise<FastifyInstance> {
  // pino's Logger type is wider than Fastify's base logger type; the instance is the same.
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: 'api' }),
    // One wide event per request instead (plugins/request-log.ts).
    logController: new LogController({ disableRequestLogging: true }),
    frameworkErrors,
    bodyLimit: 1024 * 1024,
    trustProxy: false,
    genReqId: () => `req_${Math.random().toString(36).slice(2, 12)}`,
    schemaController: { compilersFactory: { buildSerializer: lazySerializers } },
  }) as unknown as FastifyInstance;
  installValidators(app);
  installJsonParser(app);
  installErrorHandler(app);
  installRequestLog(app);
  // Parses cookies before the auth hook reads the dashboard's session cookie.
  await app.register(cookie);
  const dashboardSessions = new DashboardSessionStore(deps.sql, deps.apiKeys, deps.now);
  installAuth(app, deps.apiKeys, dashboardSessions);
  installJsonEtags(app);
  installRateLimits(app, { hotState: deps.hotState, logger: deps.logger, now: deps.now });
  await app.register(swagger, {
    transform: documentRequestSchema,
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Pharos API', version: '1.0.0', description: 'Enori-compatible uptime monitoring API' },
      components: { securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' }, operatorKey: { type: 'apiKey', in: 'header', name: 'X-Operator-Key' }, bearer: { type: 'http', scheme: 'bearer', description: 'The API key as a Bearer token (the Encrata document\'s form)' }, sessionCookie: { type: 'apiKey', in: 'cookie', name: 'pharos_session', description: 'The web dashboard\'s session (POST /api/session); changes also need X-CSRF-Token' } } },
      tags: [{ name: 'Encrata entity monitors', description: 'The Encrata document\'s API under the base path /encrata: its POST /api/monitors is POST /encrata/api/monitors (docs/encrata.md)' }],
      security: [{ apiKey: [] }],
    },
  });
  app.get('/healthz', { config: { scope: 'public' }, schema: { hide: true } }, async () => ({ status: 'ok' }));
  if (deps.operations) installOperations(app, deps.operations);
  app.get('/openapi/v1.json', { config: { scope: 'public' }, schema: { hide: true } }, async () => app.swagger());
  // The interactive explorer, loaded on its first request (plugins/api-reference.ts).
  installApiReference(app, { specUrl: '/openapi/v1.json', title: 'Pharos API' });
  await app.register(monitorRoutes(deps));
  await app.register(pingRoutes(deps));
  await app.register(incidentRoutes(deps));
  await app.register(keyRoutes(deps));
  await app.register(regionRoutes(deps));
  await app.register(teamRoutes(deps));
  await app.register(alertChannelRoutes(deps));
  await app.register(alertRuleRoutes(deps));
  await app.register(alertRoutes(deps));
  await app.register(escalationPolicyRoutes(deps));
  await app.register(maintenanceWindowRoutes(deps));
  await app.register(badgeRoutes(deps));
  await app.register(reportRoutes(deps));
  await installDashboard(app);
  await app.register(sessionRoutes(deps, dashboardSessions));
  await app.register(planRoutes(deps));
  await app.register(statusPageRoutes(deps));
  await app.register(diligentRoutes(deps, { websiteLookup: deps.websiteLookup }));
  await app.register(encrataRoutes(deps));
  const operatorKey = deps.config.operatorKey;
  if (operatorKey) await app.register(adminRoutes({ ...deps, operatorKey }));
  return app;
}
