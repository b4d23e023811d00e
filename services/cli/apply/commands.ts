import { readFile, writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { createApiClient } from './api-client.js';
import { runApply } from './apply-command.js';
import { runExport } from './export-command.js';
import type { Output } from './output.js';

export interface ConnectionEnv {
  PHAROS_URL?: string;
  PHAROS_API_KEY?: string;
}

interface ConnectionOpts { url: string; key?: string }

const output: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** `apply` and `export`: monitoring as code over the public API. `env` is read by main once and passed in. */
export function monitoringAsCodeCommands(env: ConnectionEnv): Command[] {
  const withConnection = (cmd: Command) => cmd
    .option('--url <url>', 'Pharos API base URL (env PHAROS_URL)', env.PHAROS_URL || 'http://127.0.0.1:8080')
    .option('--key <key>', 'API key (env PHAROS_API_KEY)', env.PHAROS_API_KEY || undefined);
  const api = (opts: ConnectionOpts) => createApiClient({ baseUrl: opts.url, key: opts.key!, notice: output.err });
  const finish = (code: number) => {
    process.exitCode = code;
  };
  /** A missing key is a usage error, said plainly rather than as a 401 from the server. */
  const hasKey = (opts: ConnectionOpts) => {
    if (opts.key) return true;
    output.err('error: an API key is required: --key or PHAROS_API_KEY');
    finish(2);
    return false;
  };

  const apply = withConnection(new Command('apply'))
    .description('make the organization\'s monitors match a file (plan, then create/update by name; --prune deletes the rest)')
    .requiredOption('-f, --file <file>', 'monitors file (YAML or JSON)')
    .option('--prune', 'also delete monitors that are not in the file', false)
    .option('--dry-run', 'print the plan and change nothing', false)
    .action(async (opts: ConnectionOpts & { file: string; prune: boolean; dryRun: boolean }) => {
      if (!hasKey(opts)) return;
      finish(await runApply(opts, { ...output, api: api(opts), readFile: (p) => readFile(p, 'utf8') }));
    });

  const exportCmd = withConnection(new Command('export'))
    .description('write the organization\'s monitors as a monitors file (defaults left out)')
    .option('-o, --output <file>', 'write to this file instead of standard output')
    .action(async (opts: ConnectionOpts & { output?: string }) => {
      if (!hasKey(opts)) return;
      finish(await runExport(opts, {
        ...output,
        api: api(opts),
        writeFile: (p, text) => writeFile(p, text, 'utf8'),
        writeStdout: (text) => process.stdout.write(text),
      }));
    });
  return [apply, exportCmd];
}
