/**
 * One NATS connection per process: reconnects forever with jittered backoff, because a
 * NATS restart must not take down api, scheduler or ingest (DESIGN.md §9), and reports
 * every connection status change in the log so an outage is visible.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../../logger.js';
import { BusUnavailableError } from './errors.js';
import { redactUrl } from '../../redact.js';

export interface NatsConnectOptions {
  url: string;
  /** Connection name shown by the server (`nats server report connections`). */
  name: string;
  logger: Logger;
  /**
   * Reply subjects of this connection (default `_INBOX`). Agents use their own, so the
   * server can let each subscribe to its replies only (deploy/nats/nats.conf).
   */
  inboxPrefix?: string;
}

export async function connectNats({ url, name, logger, inboxPrefix }: NatsConnectOptions): Promise<NatsConnection> {
  let nc: NatsConnection;
  try {
    nc = await connect({
      ...serversAndCredentials(url),
      name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1_000,
      reconnectJitter: 500,
      pingInterval: 20_000,
      ...(inboxPrefix ? { inboxPrefix } : {}),
    });
  } catch (err) {
    // The first connect failing is transient from the caller's view: NATS may still be starting.
    throw new BusUnavailableError(`cannot connect to NATS at ${redactUrl(url)}`, { cause: err });
  }
  logger.info({ server: nc.getServer(), name }, 'nats connected');
  void logStatus(nc, logger);
  return nc;
}

/**
 * The client ignores credentials in a server URL (it connects as no user): take
 * `nats://user:password@host` apart into servers and `user`/`pass` (the first URL with
 * credentials gives them; deploy/nats/nats.conf has one user per role).
 */
function serversAndCredentials(url: string): { servers: string[]; user?: string; pass?: string } {
  let user: string | undefined;
  let pass: string | undefined;
  const servers = url.split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
    const m = /^([a-z]+:\/\/)([^@/]*)@(.*)$/i.exec(s);
    if (!m) return s;
    const [name, password] = m[2].split(':');
    if (user === undefined && name) {
      user = decodeURIComponent(name);
      pass = password === undefined ? undefined : decodeURIComponent(password);
    }
    return m[1] + m[3];
  });
  return { servers, ...(user !== undefined ? { user, pass } : {}) };
}

async function logStatus(nc: NatsConnection, logger: Logger): Promise<void> {
  for await (const s of nc.status()) {
    switch (s.type) {
      case 'disconnect':
        logger.warn({ server: s.server }, 'nats disconnected');
        break;
      case 'reconnecting':
        logger.debug('nats reconnecting');
        break;
      case 'reconnect':
        logger.info({ server: s.server }, 'nats reconnected');
        break;
      case 'staleConnection':
        logger.warn('nats connection stale');
        break;
      case 'ldm':
        logger.warn({ server: s.server }, 'nats server entering lame duck mode');
        break;
      case 'error':
        logger.error({ err: s.error }, 'nats async error');
        break;
      case 'slowConsumer':
        logger.warn({ sub: s.sub.getSubject(), pending: s.pending }, 'nats slow consumer');
        break;
      default:
        break;
    }
  }
}
