/**
 * The probe agent's own entry, bundled to plain JavaScript by deploy/build.mjs so an
 * agent runs without a TypeScript loader (`node dist/pharos-agent.mjs --region R`): the same
 * command as `pharos agent`, at about half its memory (docs/performance.md).
 */
import { Command } from 'commander';
import { ConfigError } from '../lib/config.js';
import { withAgentOptions } from './agent-options.js';

const program = withAgentOptions(new Command('pharos-agent')
  .description('a Pharos probe agent for one region (connects out to NATS for jobs and ingest for results)'))
  .showHelpAfterError();

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof ConfigError) process.stderr.write(`configuration error: ${err.message}\n`);
  else process.stderr.write(`pharos-agent: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
