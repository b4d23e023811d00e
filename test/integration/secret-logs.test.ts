/**
 * Secrets never reach a log or an error message (issue 10): service URLs with planted
 * passwords, pointing at a closed loopback port, fail to open; neither the log stream nor
 * the errors (message, stack, causes) may hold the passwords.
 */
import { describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { loadConfig } from '../../services/lib/config.js';
import { openControlPlaneStore, openHotState, openJobBus, openResultStore } from '../../services/cli/infrastructure.js';

/** A loopback port nobody listens on: bound by us, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** An error with every cause it wraps, as text. */
function errorText(err: unknown): string {
  const parts: string[] = [];
  for (let e = err as { message?: string; stack?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    parts.push(String(e.message), String(e.stack));
  }
  return parts.join('\n');
}

describe('service URLs in logs and errors', () => {
  it('keep their passwords out of both when the service is unreachable', async () => {
    const port = await closedPort();
    const secrets = ['NatsPassw0rdPlanted', 'NatsT0kenPlanted', 'PgPassw0rdPlanted', 'RedisPassw0rdPlanted', 'ChPassw0rdPlanted'];
    const config = loadConfig('server', {
      PHAROS_DATABASE_URL: `postgres://pharos:${secrets[2]}@127.0.0.1:${port}/pharos`,
      PHAROS_NATS_URL: `nats://pharos:${secrets[0]}@127.0.0.1:${port},nats://${secrets[1]}@127.0.0.1:${port}`,
      PHAROS_REDIS_URL: `redis://:${secrets[3]}@127.0.0.1:${port}`,
      PHAROS_CLICKHOUSE_URL: `http://default:${secrets[4]}@127.0.0.1:${port}`,
      PHAROS_REGIONS: 'UsEast',
    });
    let logged = '';
    const logger = pino({ level: 'trace' }, new Writable({ write(chunk, _enc, done) { logged += String(chunk); done(); } }));
    const attempts = {
      postgres: () => openControlPlaneStore(config, logger),
      nats: () => openJobBus(config, logger, 'secret-test'),
      redis: () => openHotState(config),
      clickhouse: () => openResultStore(config),
    };
    for (const [service, open] of Object.entries(attempts)) {
      const err = await open().then(() => undefined, (e: unknown) => e);
      expect(err, `${service} opened against a closed port`).toBeDefined();
      // As main and the roles do with a fatal error: into the log stream, with its causes.
      logger.error({ err, service }, 'cannot start');
      for (const secret of secrets) expect(errorText(err), `${service} error`).not.toContain(secret);
    }
    expect(logged).toContain('cannot start');
    for (const secret of secrets) expect(logged).not.toContain(secret);
    // The user name stays: it tells the operator which account was tried.
    expect(logged).toContain('nats://pharos:[redacted]@127.0.0.1');
  }, 60_000);
});
