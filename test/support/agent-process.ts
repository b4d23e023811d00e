/**
 * Starts test/support/agent-child.ts in its own process, for crash tests: `kill -9` must kill
 * a process, not a test worker.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CheckJob } from '../../proto/generated/pharos/v1/check.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface AgentChild {
  child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  /** Publishes a job on the child's in-process bus (only when it runs without NATS). */
  send(job: CheckJob): void;
  exited: Promise<unknown>;
}

export function startAgentChild(env: Record<string, string>): AgentChild {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/agent-child.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PHAROS_LOG_LEVEL: 'info', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    child,
    output: () => out,
    send: (job) => child.stdin!.write(`${JSON.stringify(CheckJob.toJSON(job))}\n`),
    exited,
  };
}
