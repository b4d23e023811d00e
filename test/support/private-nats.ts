/**
 * A private nats-server (JetStream on, its own port and store directory) a test starts,
 * stops and starts again, so the machine's shared NATS is never touched.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eventually } from './services.js';

export const NATS_SERVER = process.env.PHAROS_TEST_NATS_SERVER_BIN ?? 'nats-server';
export const natsServerAvailable = spawnSync(NATS_SERVER, ['--version']).status === 0;

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

const accepting = (port: number) => new Promise<boolean>((resolve) => {
  const socket = net.connect(port, '127.0.0.1');
  socket.once('connect', () => { socket.destroy(); resolve(true); });
  socket.once('error', () => resolve(false));
});

export interface PrivateNats {
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Stops it if running and removes its store. */
  dispose(): Promise<void>;
}

/**
 * `config`: a nats-server configuration file to run with (e.g. deploy/nats/nats.conf); it
 * runs as written except for its `store_dir`, address and ports, which are the test's own.
 */
export async function privateNats(opts: { config?: string; env?: NodeJS.ProcessEnv } = {}): Promise<PrivateNats> {
  const storeDir = mkdtempSync(path.join(tmpdir(), 'pharos-nats-'));
  const port = await freePort();
  let server: ChildProcess | undefined;
  const self: PrivateNats = {
    url: `nats://127.0.0.1:${port}`,
    async start() {
      // nats-server refuses -sd next to a configured store_dir: rewrite that one line instead.
      let args = ['-js', '-sd', storeDir];
      if (opts.config) {
        const conf = path.join(storeDir, 'nats.conf');
        writeFileSync(conf, readFileSync(opts.config, 'utf8').replace(/^(\s*)store_dir:.*$/m, `$1store_dir: ${JSON.stringify(path.join(storeDir, 'js'))}`));
        args = ['-c', conf, '-m', '0'];
      }
      server = spawn(NATS_SERVER, [...args, '-a', '127.0.0.1', '-p', String(port)], {
        stdio: 'ignore',
        env: { ...process.env, ...opts.env },
      });
      await eventually(() => accepting(port), { timeoutMs: 10_000, what: 'nats-server to accept connections' });
    },
    async stop() {
      const proc = server!;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
      server = undefined;
    },
    async dispose() {
      if (server) await self.stop();
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
  await self.start();
  return self;
}
