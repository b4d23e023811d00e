/**
 * The `agent` command's options, shared by `pharos agent` and the bundled
 * `dist/pharos-agent.mjs` (deploy/build.mjs). Loads nothing of the agent until it runs.
 */
import { Option, type Command } from 'commander';
import { loadConfig } from '../lib/config.js';
import { onShutdown } from './shutdown.js';

export function withAgentOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--region <region>', 'the region this agent serves (must match its token)').env('PHAROS_REGION'))
    .addOption(new Option('--token <token>', 'agent token from `pharos agent-token create`').env('PHAROS_AGENT_TOKEN'))
    .addOption(new Option('--ingest <host:port>', 'ingest gRPC address').env('PHAROS_INGEST_ADDRESS'))
    .action(async (opts: { region?: string; token?: string; ingest?: string }) => {
      const config = loadConfig('agent', process.env, { region: opts.region, token: opts.token, ingestAddress: opts.ingest });
      const { runAgentCommand } = await import('./agent-command.js');
      await runAgentCommand(config, onShutdown);
    });
}
