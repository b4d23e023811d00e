/**
 * The NATS job bus across a NATS server restart: a private nats-server (JetStream on, its
 * own port and store directory) is started, stopped and started again by the test, so the
 * machine's shared NATS is never touched. Work consumers (agents' jobs) and durable
 * consumers (results for alerting) must both carry on after the reconnect, and nothing
 * published to a stream before the restart is lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openNatsJobBus, type NatsJobBus } from '../../services/lib/adapters/nats/job-bus.js';
import { createLogger } from '../../services/lib/logger.js';
import { isTransientBusError } from '../../services/lib/adapters/nats/errors.js';
import { eventually, servicesRequired, uniqueName } from '../support/services.js';

const NATS_SERVER = process.env.PHAROS_TEST_NATS_SERVER_BIN ?? 'nats-server';
const available = spawnSync(NATS_SERVER, ['--version']).status === 0;

if (!available && servicesRequired) {
  it('nats-server is installed (PHAROS_TEST_SERVICES=required)', () => {
    throw new Error(`${NATS_SERVER} was not found; the NATS restart suite needs it`);
  });
}

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

describe.skipIf(!available)(`NATS job bus across a server restart (needs ${NATS_SERVER})`, () => {
  const storeDir = mkdtempSync(path.join(tmpdir(), 'pharos-nats-'));
  const prefix = uniqueName('restart');
  let port: number;
  let server: ChildProcess | undefined;
  let bus: NatsJobBus;

  async function startServer(): Promise<void> {
    server = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], { stdio: 'ignore' });
    await eventually(() => accepting(port), { timeoutMs: 10_000, what: 'nats-server to accept connections' });
  }

  async function stopServer(): Promise<void> {
    const proc = server!;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await exited;
    server = undefined;
  }

  beforeAll(async () => {
    port = await freePort();
    await startServer();
    bus = await openNatsJobBus({ url: `nats://127.0.0.1:${port}`, prefix, logger: createLogger('silent'), name: 'restart-test' });
  });

  afterAll(async () => {
    await bus?.close();
    if (server) await stopServer();
    rmSync(storeDir, { recursive: true, force: true });
  });

  it('keeps delivering jobs and durable results after NATS restarts', async () => {
    const jobs: string[] = [];
    const results: string[] = [];
    const job = (id: string) => bus.publishWork(`${prefix}.jobs.UsEast`, Buffer.from(id), { msgId: id, deadlineMs: Date.now() + 60_000 });
    await bus.consumeWork({ subject: `${prefix}.jobs.UsEast` }, async (msg) => { jobs.push(Buffer.from(msg.data).toString()); });
    await bus.consumeDurable({ durable: 'restart-status', subject: `${prefix}.durable.results.>` }, async (msg) => {
      results.push(Buffer.from(msg.data).toString());
    });

    await job('job-before');
    await bus.publishDurable(`${prefix}.durable.results.UsEast`, Buffer.from('result-before'), 'r-before');
    await eventually(() => jobs.includes('job-before') && results.includes('result-before'), { what: 'delivery before the restart' });

    await stopServer();
    // Acknowledged while NATS is down would be a lie: a durable publish fails until it is back.
    await expect(bus.publishDurable(`${prefix}.durable.results.UsEast`, Buffer.from('result-down'), 'r-down')).rejects.toThrow();
    // A job is refused (transient), not buffered to be sent however late after a reconnect:
    // the scheduler keeps it and decides by its deadline.
    const refused = await eventually(async () => {
      try {
        await job('job-down');
        return false;
      } catch (err) {
        return err as Error;
      }
    }, { timeoutMs: 5_000, what: 'a job publish to be refused while NATS is down' });
    expect(isTransientBusError(refused)).toBe(true);
    await startServer();

    // The client reconnects by itself (jittered, forever); publish once it has.
    await eventually(async () => {
      await bus.publishDurable(`${prefix}.durable.results.UsEast`, Buffer.from('result-after'), 'r-after');
      return true;
    }, { timeoutMs: 20_000, intervalMs: 250, what: 'a durable publish after the restart' });
    // Published once the bus takes it (a retry has the same msgId); the consumer, pulling
    // again after the reconnect, gets it however soon after the restart it was published.
    await eventually(async () => {
      await job('job-after');
      return true;
    }, { timeoutMs: 20_000, intervalMs: 250, what: 'a job publish after the restart' });
    await eventually(() => jobs.includes('job-after'), { timeoutMs: 20_000, what: 'a job delivered after the restart' });
    await eventually(() => results.includes('result-after'), { timeoutMs: 20_000, what: 'a durable result consumed after the restart' });
    // The message stored before the restart was consumed once, and not again after it.
    expect(results.filter((r) => r === 'result-before')).toHaveLength(1);
    expect(jobs).not.toContain('job-down');
    expect(jobs.filter((j) => j === 'job-before')).toHaveLength(1);
    expect(jobs.filter((j) => j === 'job-after')).toHaveLength(1);
  });
});
