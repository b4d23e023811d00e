import type { Config } from '../lib/config.js';
import { createLogger } from '../lib/logger.js';
import type { ServerRole } from './network.js';
import { closeStores, openStores, rolesNeedResults } from './infrastructure.js';

export type OnShutdown = (stop: () => Promise<void>) => void;

/** `pharos dev|server|api|…`: starts the roles over the adapters the configuration selects. */
export async function serve(config: Readonly<Config>, roles: ServerRole[], embeddedAgents: boolean, onShutdown: OnShutdown): Promise<void> {
  const { role } = config;
  const logger = createLogger(config.logLevel);
  const roleSet = new Set(roles);
  // The stores start opening before the roles' modules load (~0.5 CPU-s on this thread),
  // so PGlite's WASM compiles on V8's background threads meanwhile (docs/performance.md).
  const stores = openStores(config, logger, rolesNeedResults(roleSet));
  stores.catch(() => {}); // handled where it is awaited, after the import below
  const { startNetwork } = await import('./network.js').catch(async (err: unknown) => {
    await closeStores(await stores.catch(() => ({})));
    throw err;
  });
  const network = await startNetwork(config, logger, { roles: roleSet, embeddedAgents, stores });
  onShutdown(network.stop);
  const lines = [`Pharos ${role} is running (roles: ${roles.join(', ')}${embeddedAgents ? `; agents in ${config.regions.join(', ')}` : ''}).`];
  if (network.apiUrl) lines.push(`API: ${network.apiUrl}   (OpenAPI: ${network.apiUrl}/openapi/v1.json)`);
  if (network.apiUrl) lines.push(`Dashboard: ${network.apiUrl}/   (sign in with an API key)`);
  if (network.grpcPort !== undefined && !embeddedAgents) lines.push(`Agent ingest (gRPC): port ${network.grpcPort}`);
  if (network.metricsUrl) lines.push(`Metrics and health: ${network.metricsUrl}/metrics, /healthz, /readyz`);
  if (network.adminKey) lines.push(`Admin API key (shown only this once, store it now): ${network.adminKey}`);
  if (role === 'dev') lines.push(`Data: ${config.dataDir}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
