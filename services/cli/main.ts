import { Command, Option } from 'commander';
import { ConfigError, loadConfig, type Role } from '../lib/config.js';
import { createLogger } from '../lib/logger.js';
import { startNetwork, type ServerRole } from './network.js';
import { runAgentCommand } from './agent-command.js';
import { agentTokenCommands } from './agent-token-command.js';
import { orgCommands } from './org-command.js';
import { monitoringAsCodeCommands } from './apply/commands.js';
import { openControlPlaneStore } from './infrastructure.js';
import { IANA_RDAP_BOOTSTRAP_URL, refreshRdapBootstrap } from '../../probe-agent/checks/domain-registry/refresh.js';

/** Stops cleanly on SIGINT/SIGTERM; a second signal exits at once. */
function onShutdown(stop: () => Promise<void>): void {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(1);
      stopping = true;
      stop().then(() => process.exit(0), () => process.exit(1));
    });
  }
}

async function serve(role: Role, roles: ServerRole[], embeddedAgents: boolean): Promise<void> {
  const config = loadConfig(role, process.env);
  const logger = createLogger(config.logLevel);
  const network = await startNetwork(config, logger, { roles: new Set(roles), embeddedAgents });
  onShutdown(network.stop);
  const lines = [`Pharos ${role} is running (roles: ${roles.join(', ')}${embeddedAgents ? `; agents in ${config.regions.join(', ')}` : ''}).`];
  if (network.apiUrl) lines.push(`API: ${network.apiUrl}   (OpenAPI: ${network.apiUrl}/openapi/v1.json)`);
  if (network.grpcPort !== undefined && !embeddedAgents) lines.push(`Agent ingest (gRPC): port ${network.grpcPort}`);
  if (network.adminKey) lines.push(`Admin API key (shown only this once, store it now): ${network.adminKey}`);
  if (role === 'dev') lines.push(`Data: ${config.dataDir}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

const program = new Command('pharos').description('Pharos: a self-hosted multi-region probe network').showHelpAfterError();

program.command('dev').description('the whole network in one process on embedded engines (PGlite, chDB, in-process bus)')
  .action(() => serve('dev', ['api', 'scheduler', 'ingest', 'alerting'], true));
program.command('server').description('api, scheduler, ingest and alerting in one process on real Postgres, NATS, Redis and ClickHouse')
  .action(() => serve('server', ['api', 'scheduler', 'ingest', 'alerting'], false));
for (const role of ['api', 'scheduler', 'ingest', 'alerting'] as const) {
  program.command(role).description(`the ${role} role alone, for scaling out`).action(() => serve(role, [role], false));
}
program.command('agent').description('a probe agent for one region (connects out to NATS for jobs and ingest for results)')
  .addOption(new Option('--region <region>', 'the region this agent serves (must match its token)').env('PHAROS_REGION'))
  .addOption(new Option('--token <token>', 'agent token from `pharos agent-token create`').env('PHAROS_AGENT_TOKEN'))
  .addOption(new Option('--ingest <host:port>', 'ingest gRPC address').env('PHAROS_INGEST_ADDRESS'))
  .action((opts: { region?: string; token?: string; ingest?: string }) => runAgentCommand(opts, onShutdown));
program.command('migrate').description('apply control-plane migrations and exit').action(async () => {
  const config = loadConfig('migrate', process.env);
  const logger = createLogger(config.logLevel);
  const sql = await openControlPlaneStore(config, logger);
  await sql.close();
  process.stdout.write('migrations applied\n');
});
program.command('rdap-bootstrap').description("IANA's RDAP bootstrap data that Domain checks use")
  .command('refresh').description('download it to PHAROS_RDAP_BOOTSTRAP_FILE (agents pick it up on their next Domain check)')
  .option('--url <url>', 'where to download it from', IANA_RDAP_BOOTSTRAP_URL)
  .option('--file <path>', 'where to write it (default PHAROS_RDAP_BOOTSTRAP_FILE, else <data dir>/rdap-dns.json)')
  .action(async (opts: { url: string; file?: string }) => {
    const config = loadConfig('migrate', process.env);
    const done = await refreshRdapBootstrap({ url: opts.url, file: opts.file ?? config.rdapBootstrapFile, signal: AbortSignal.timeout(60_000) });
    process.stdout.write(`wrote ${done.file}: ${done.tlds} TLDs, published ${done.publication}\n`);
  });
program.addCommand(agentTokenCommands());
program.addCommand(orgCommands());
for (const cmd of monitoringAsCodeCommands(process.env)) program.addCommand(cmd);

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof ConfigError) process.stderr.write(`configuration error: ${err.message}\n`);
  else process.stderr.write(`pharos: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
