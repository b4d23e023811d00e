import type { Config } from '../lib/config.js';
import { createLogger } from '../lib/logger.js';
import { startNetwork, type ServerRole } from './network.js';

export type OnShutdown = (stop: () => Promise<void>) => void;

/** `pharos dev|server|api|…`: starts the roles over the adapters the configuration selects. */
export async function serve(config: Readonly<Config>, roles: ServerRole[], embeddedAgents: boolean, onShutdown: OnShutdown): Promise<void> {
  const { role } = config;
  const logger = createLogger(config.logLevel);
  const network = await startNetwork(config, logger, { roles: new Set(roles), embeddedAgents });
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
