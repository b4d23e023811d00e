/**
 * The `pharos` program. Only commander and the configuration parser load up front: each
 * command imports its modules when it runs, so `pharos agent` never loads the server's
 * storage code (pg, PGlite, chDB, ClickHouse client, ioredis, Fastify) and stays small
 * (test/e2e/agent-closure.test.ts holds it to that).
 */
import { Command } from 'commander';
import { ConfigError, loadConfig, type Role } from '../lib/config.js';
import type { ServerRole } from './network.js';
import { withAgentOptions } from './agent-options.js';
import { onShutdown } from './shutdown.js';

async function serve(role: Role, roles: ServerRole[], embeddedAgents: boolean): Promise<void> {
  const config = loadConfig(role, process.env);
  const { serve: start } = await import('./serve.js');
  await start(config, roles, embeddedAgents, onShutdown);
}

const loadCliConfig = () => loadConfig('cli', process.env);

/**
 * Commands with subcommands of their own live in their own modules. Only the one being run
 * is loaded; the others stand in by name and summary, which is all the top-level help shows.
 */
const commandGroups: Array<{ names: string[]; summaries: string[]; load: () => Promise<Command[]> }> = [
  {
    names: ['agent-token'],
    summaries: ['issue, list and revoke probe-agent tokens'],
    load: async () => [(await import('./agent-token-command.js')).agentTokenCommands(loadCliConfig)],
  },
  {
    names: ['org'],
    summaries: ['manage organizations (tenants) and their plans'],
    load: async () => [(await import('./org-command.js')).orgCommands()],
  },
  {
    names: ['apply', 'export'],
    summaries: [
      'make the organization\'s monitors match a file (plan, then create/update by name; --prune deletes the rest)',
      'write the organization\'s monitors as a monitors file (defaults left out)',
    ],
    load: async () => (await import('./apply/commands.js')).monitoringAsCodeCommands(process.env),
  },
];

const program = new Command('pharos').description('Pharos: a self-hosted multi-region probe network').showHelpAfterError();

program.command('dev').description('the whole network in one process on embedded engines (PGlite, chDB, in-process bus)')
  .action(() => serve('dev', ['api', 'scheduler', 'ingest', 'alerting', 'diligent', 'encrata-worker'], true));
program.command('server').description('api, scheduler, ingest, alerting and the Diligent and Encrata workers in one process on real Postgres, NATS, Redis and ClickHouse')
  .action(() => serve('server', ['api', 'scheduler', 'ingest', 'alerting', 'diligent', 'encrata-worker'], false));
for (const role of ['api', 'scheduler', 'ingest', 'alerting'] as const) {
  program.command(role).description(`the ${role} role alone, for scaling out`).action(() => serve(role, [role], false));
}
program.command('diligent-worker').description('Diligent website risk monitorings alone: the schedule scan and a worker taking executions from NATS')
  .action(() => serve('diligent-worker', ['diligent'], false));
program.command('encrata-worker').description('the Encrata entity-monitor worker alone (scans due monitors, enriches their targets from the shared work queue)')
  .action(() => serve('encrata-worker', ['encrata-worker'], false));
withAgentOptions(program.command('agent').description('a probe agent for one region (connects out to NATS for jobs and ingest for results)'));
program.command('migrate').description('apply control-plane migrations and exit').action(async () => {
  const config = loadConfig('migrate', process.env);
  const [{ createLogger }, { openControlPlaneStore }] = await Promise.all([import('../lib/logger.js'), import('./infrastructure.js')]);
  const sql = await openControlPlaneStore(config, createLogger(config.logLevel));
  await sql.close();
  process.stdout.write('migrations applied\n');
});
program.command('rdap-bootstrap').description("IANA's RDAP bootstrap data that Domain checks use")
  .command('refresh').description('download it to PHAROS_RDAP_BOOTSTRAP_FILE (agents pick it up on their next Domain check)')
  .option('--url <url>', "where to download it from (default: IANA's dns.json)")
  .option('--file <path>', 'where to write it (default PHAROS_RDAP_BOOTSTRAP_FILE, else <data dir>/rdap-dns.json)')
  .action(async (opts: { url?: string; file?: string }) => {
    const config = loadConfig('migrate', process.env);
    const { refreshRdapBootstrap } = await import('../../probe-agent/checks/domain-registry/refresh.js');
    const done = await refreshRdapBootstrap({ url: opts.url, file: opts.file ?? config.rdapBootstrapFile, signal: AbortSignal.timeout(60_000) });
    process.stdout.write(`wrote ${done.file}: ${done.tlds} TLDs, published ${done.publication}\n`);
  });

program.command('rdap-ip-bootstrap').description("IANA's RDAP bootstrap for IP addresses that Encrata IP monitors use")
  .command('refresh').description('download ipv4.json and ipv6.json into PHAROS_RDAP_IP_BOOTSTRAP_FILE (workers pick it up on their next lookup)')
  .option('--file <path>', 'where to write it (default PHAROS_RDAP_IP_BOOTSTRAP_FILE, else <data dir>/rdap-ip.json)')
  .action(async (opts: { file?: string }) => {
    const config = loadConfig('migrate', process.env);
    const { refreshRdapIpBootstrap } = await import('../encrata/sources/rdap-ip-bootstrap.js');
    const done = await refreshRdapIpBootstrap({ file: opts.file ?? config.encrata.rdapIpBootstrapFile, signal: AbortSignal.timeout(60_000) });
    process.stdout.write(`wrote ${done.file}: ${done.prefixes} prefixes, published ${done.publication}\n`);
  });

program.command('ip-asn').description('the IPtoASN database (public domain): an optional, fresher replacement for the ASN data shipped for Encrata IP monitors')
  .command('refresh').description('download it into PHAROS_IP_ASN_FILE (workers reload it on their next lookup)')
  .option('--url <url>', 'where to download it from (default: iptoasn.com ip2asn-combined.tsv.gz)')
  .option('--file <path>', 'where to write it (default PHAROS_IP_ASN_FILE, else <data dir>/ip2asn-combined.tsv.gz)')
  .action(async (opts: { url?: string; file?: string }) => {
    const config = loadConfig('migrate', process.env);
    const { refreshAsnDatabase } = await import('../encrata/sources/asn-database.js');
    const done = await refreshAsnDatabase({ url: opts.url, file: opts.file ?? config.encrata.ipAsnFile, signal: AbortSignal.timeout(300_000) });
    process.stdout.write(`wrote ${done.file}: ${done.ranges} ranges\n`);
  });

// `pharos help <command>` names the command second.
const invoked = process.argv[2] === 'help' ? process.argv[3] : process.argv[2];
for (const group of commandGroups) {
  if (invoked !== undefined && group.names.includes(invoked)) {
    for (const cmd of await group.load()) program.addCommand(cmd);
  } else {
    group.names.forEach((name, i) => program.addCommand(new Command(name).description(group.summaries[i])));
  }
}

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof ConfigError) process.stderr.write(`configuration error: ${err.message}\n`);
  else process.stderr.write(`pharos: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
