import { Counter, Histogram, type Registry } from 'prom-client';
import { LATENCY_BUCKETS } from './registry.js';

/** What the api reports (services/api/plugins/operations.ts calls this once per response). */
export interface ApiMetrics {
  /** `route` is the matched route pattern (`/api/monitors/:id`), never the raw URL: bounded cardinality. */
  responded(method: string, route: string, status: number, seconds: number): void;
}

export function createApiMetrics(registry: Registry): ApiMetrics {
  const requests = new Counter({ name: 'pharos_api_requests_total', help: 'HTTP requests answered, by method, route pattern and status code.', labelNames: ['method', 'route', 'status'], registers: [registry] });
  const duration = new Histogram({ name: 'pharos_api_request_duration_seconds', help: 'Time to answer an HTTP request, by method and route pattern.', labelNames: ['method', 'route'], buckets: LATENCY_BUCKETS, registers: [registry] });
  return {
    responded(method, route, status, seconds) {
      requests.inc({ method, route, status: String(status) });
      duration.observe({ method, route }, seconds);
    },
  };
}
