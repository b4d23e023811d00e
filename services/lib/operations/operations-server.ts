/**
 * The operations listener every role serves on PHAROS_METRICS_PORT: `/metrics` (Prometheus
 * text format), `/healthz` (the process is alive: answers while the event loop turns) and
 * `/readyz` (its dependencies answer; 503 otherwise). Plain node:http, so the probe agent
 * serves it without loading Fastify. Read-only, no tenant data: labels are bounded sets.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../logger.js';
import { checkReadiness, type ReadinessProbes } from './readiness.js';

export interface OperationsServerDeps {
  registry: Registry;
  readiness: ReadinessProbes;
  host: string;
  port: number;
  logger: Logger;
}

export interface OperationsServer {
  /** http://host:port of the listener. */
  url: string;
  stop(): Promise<void>;
}

export async function startOperationsServer(deps: OperationsServerDeps): Promise<OperationsServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'application/json', '{"error":"Method Not Allowed"}', { allow: 'GET, HEAD' });
    if (path === '/healthz') return send(res, 200, 'application/json', '{"status":"ok"}');
    if (path === '/readyz') {
      void checkReadiness(deps.readiness).then((r) => send(res, r.ready ? 200 : 503, 'application/json', JSON.stringify({ status: r.ready ? 'ready' : 'not ready', checks: r.checks })));
      return;
    }
    if (path === '/metrics') {
      deps.registry.metrics().then(
        (text) => send(res, 200, deps.registry.contentType, text),
        (err: unknown) => {
          deps.logger.warn({ event: 'metrics.collect_failed', err }, 'metrics collection failed');
          send(res, 500, 'application/json', '{"error":"metrics collection failed"}');
        },
      );
      return;
    }
    send(res, 404, 'application/json', '{"error":"Not Found"}');
  });
  // A scraper's connection stays open between scrapes; do not let it hold a shutdown.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(deps.port, deps.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = deps.host === '0.0.0.0' || deps.host === '::' ? '127.0.0.1' : deps.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  deps.logger.info({ event: 'operations.listening', host: deps.host, port }, 'metrics and health endpoints listening');
  return {
    url,
    stop: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

function send(res: http.ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
