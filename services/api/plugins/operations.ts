/**
 * The api's own operations surface on its HTTP port (besides PHAROS_METRICS_PORT):
 * `/metrics` and `/readyz` beside the existing `/healthz`, and one request count and
 * duration per response, labelled by the matched route pattern (never the raw URL, so
 * ids in paths cannot blow up the series count).
 */
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { createApiMetrics } from '../../lib/metrics/api-metrics.js';
import { checkReadiness, type ReadinessProbes } from '../../lib/operations/readiness.js';

export interface ApiOperations {
  registry: Registry;
  readiness: ReadinessProbes;
}

export function installOperations(app: FastifyInstance, ops: ApiOperations): void {
  const metrics = createApiMetrics(ops.registry);
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.responded(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
  });
  app.get('/readyz', { config: { scope: 'public' }, schema: { hide: true } }, async (_request, reply) => {
    const r = await checkReadiness(ops.readiness);
    return reply.code(r.ready ? 200 : 503).send({ status: r.ready ? 'ready' : 'not ready', checks: r.checks });
  });
  app.get('/metrics', { config: { scope: 'public' }, schema: { hide: true } }, async (_request, reply) => {
    const text = await ops.registry.metrics();
    return reply.type(ops.registry.contentType).header('cache-control', 'no-store').send(text);
  });
}
