import { Command } from 'commander';
import { ConfigError, type Config } from '../lib/config.js';
import { createLogger } from '../lib/logger.js';
import { AgentTokenStore } from '../lib/tenancy/agent-tokens.js';
import { openControlPlaneStore } from './infrastructure.js';

type LoadConfig = () => Readonly<Config>;

async function withTokens<T>(loadConfig: LoadConfig, fn: (tokens: AgentTokenStore, regions: string[]) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const sql = await openControlPlaneStore(config, createLogger('warn'));
  try {
    return await fn(new AgentTokenStore(sql), config.regions);
  } finally {
    await sql.close();
  }
}

/**
 * Operators issue one token per agent; the token fixes the region its results count for.
 * `loadConfig` is main's parser, called when a subcommand runs (so `--help` needs no valid environment).
 */
export function agentTokenCommands(loadConfig: LoadConfig): Command {
  const cmd = new Command('agent-token').description('issue, list and revoke probe-agent tokens');
  cmd.command('create').description('issue a token for one agent (printed once)')
    .requiredOption('--region <region>', 'region the agent will serve')
    .option('--name <name>', 'a label, e.g. the VM name', 'agent')
    .option('--token <token>', 'register this token instead of generating one (idempotent)')
    .action(async (opts: { region: string; name: string; token?: string }) => {
      const token = await withTokens(loadConfig, async (tokens, regions) => {
        if (!regions.includes(opts.region)) throw new ConfigError(`region "${opts.region}" is not declared in PHAROS_REGIONS (${regions.join(', ')})`);
        return (await tokens.create(opts.region, opts.name, opts.token)).token;
      });
      process.stdout.write(`${token}\n`);
    });
  cmd.command('list').description('live tokens (never their secret)').action(async () => {
    const list = await withTokens(loadConfig, (tokens) => tokens.list());
    for (const t of list) process.stdout.write(`${t.tokenId}\t${t.region}\t${t.name}\t${t.createdAt.toISOString()}\n`);
  });
  cmd.command('revoke').description('revoke a token by id').argument('<id>').action(async (id: string) => {
    const ok = await withTokens(loadConfig, (tokens) => tokens.revoke(id));
    if (!ok) throw new ConfigError(`no live agent token ${id}`);
    process.stdout.write(`revoked ${id}\n`);
  });
  return cmd;
}
