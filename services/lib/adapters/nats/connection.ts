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
}

export async function connectNats({ url, name, logger }: NatsConnectOptions): Promise<NatsConnection> {
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: url.split(',').map((s) => s.trim()).filter(Boolean),
      name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1_000,
      reconnectJitter: 500,
      pingInterval: 20_000,
    });
  } catch (err) {
    // The first connect failing is transient from the caller's view: NATS may still be starting.
    throw new BusUnavailableError(`cannot connect to NATS at ${redactUrl(url)}`, { cause: err });
  }
  logger.info({ server: nc.getServer(), name }, 'nats connected');
  void logStatus(nc, logger);
  return nc;
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
