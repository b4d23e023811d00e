import { ConfigError, type Config } from '../lib/config.js';
import { createLogger } from '../lib/logger.js';
import { agentInboxPrefix, subjectsFor } from '../lib/subjects.js';
import { openNatsJobBus } from '../lib/adapters/nats/job-bus.js';
import { startAgent } from '../../probe-agent/agent.js';
import { createAgentCheckers } from './agent-checkers.js';
import { createMetricsRegistry } from '../lib/metrics/registry.js';
import { createAgentMetrics } from '../../probe-agent/metrics.js';
import { startOperationsServer } from '../lib/operations/operations-server.js';

/**
 * `pharos agent`: connects only outbound — to NATS for its region's jobs and to ingest
 * over gRPC for results — and holds no database credentials. Imports nothing of the
 * server's: main loads this module only for this command.
 */
export async function runAgentCommand(config: Readonly<Config>, onShutdown: (stop: () => Promise<void>) => void): Promise<void> {
  const { region, token } = config.agent;
  if (!region) throw new ConfigError('pharos agent needs --region (or PHAROS_REGION)');
  if (!token) throw new ConfigError('pharos agent needs --token (or PHAROS_AGENT_TOKEN); create one with `pharos agent-token create --region ' + region + '`');
  if (!config.natsUrl) throw new ConfigError('pharos agent needs PHAROS_NATS_URL');
  const logger = createLogger(config.logLevel).child({ component: 'agent' });
  // The server declares the streams; an agent may only take from its region's consumer
  // (deploy/nats/nats.conf).
  const bus = await openNatsJobBus({ url: config.natsUrl, prefix: config.natsPrefix, logger, name: `pharos-agent-${config.agent.agentId}`,
    declareStreams: false,
    inboxPrefix: agentInboxPrefix(region),
  });
  // Off by default here: an agent runs checks for every tenant of the network (DESIGN.md §6).
  const checkers = createAgentCheckers(config);
  const registry = createMetricsRegistry();
  const agent = await startAgent({ config: config.agent, region, token, bus, subjects: subjectsFor(config.natsPrefix), logger, checkers, metrics: createAgentMetrics(registry) });
  // Opt-in (PHAROS_METRICS_PORT): an agent opens no port unless the operator asks for one.
  const operations = config.metrics.port === undefined ? undefined : await startOperationsServer({
    registry, host: config.metrics.host, port: config.metrics.port, logger,
    readiness: {
      nats: () => bus.flush(),
      ingest: async () => {
        if (!agent.stats().connected) throw Object.assign(new Error('no result stream to ingest'), { code: 'NOT_CONNECTED' });
      },
    },
  });
  if (config.allowPrivateTargets) logger.warn('PHAROS_ALLOW_PRIVATE_TARGETS is on: monitors may probe private and loopback addresses from this agent');
  onShutdown(async () => {
    await operations?.stop();
    await agent.stop();
    await bus.close();
  });
  process.stdout.write(`Pharos agent ${config.agent.agentId} serving region ${region} (ingest ${config.agent.ingestAddress}).\n`);
  if (operations) process.stdout.write(`Metrics and health: ${operations.url}/metrics, /healthz, /readyz\n`);
}
