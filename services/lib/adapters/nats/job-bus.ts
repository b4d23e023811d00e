/**
 * JobBus over NATS (core) and JetStream (durable), DESIGN.md §4 and services/lib/subjects.ts.
 *
 * Durable consumers are pull consumers with explicit ack. Redelivery after a handler
 * throws is a `nak(delay)` with our own backoff schedule rather than the consumer's
 * `backoff` setting, because a server-side backoff replaces `ack_wait` and the port
 * promises both: a hung handler is redelivered after ackWaitMs, a failing one after the
 * backoff step.
 */
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type {
  DurableConsumerOptions,
  DurableHandler,
  DurablePublish,
  JobBus,
  MessageHandler,
  Subscription,
} from '../../ports/job-bus.js';
import type { Logger } from '../../logger.js';
import { durableStreamName } from '../../subjects.js';
import { connectNats } from './connection.js';
import { ensureConsumer, ensureStream, type DurableStreamOptions } from './durable-stream.js';
import { BusUnavailableError, isTransientBusError } from './errors.js';

export interface NatsJobBusOptions {
  url: string;
  /** Subject prefix (services/lib/subjects.ts); isolates deployments and test suites. */
  prefix: string;
  logger: Logger;
  /** Connection name, e.g. `pharos-ingest`. */
  name: string;
  /** Delay before redelivering after the n-th failed delivery; the last entry repeats. */
  backoffMs?: number[];
  duplicateWindowMs?: number;
  /** Stream limits (limits retention): 0 = unlimited. Default: 7 days, unlimited bytes. */
  maxAgeMs?: number;
  maxBytes?: number;
  /**
   * Messages a consumer subscription pulls ahead. Buffered messages age against ack
   * wait, so keep it small compared with ackWaitMs / handler time.
   */
  prefetch?: number;
}

const DEFAULT_BACKOFF_MS = [1_000, 5_000, 15_000, 30_000, 60_000];
const DEFAULT_MAX_DELIVER = 10;
const DEFAULT_ACK_WAIT_MS = 30_000;
/** Durable publishes of one batch awaiting their acks at once. */
const PUBLISH_WINDOW = 1_024;

export async function openNatsJobBus(opts: NatsJobBusOptions): Promise<NatsJobBus> {
  const nc = await connectNats({ url: opts.url, name: opts.name, logger: opts.logger });
  try {
    const jsm = await jetstreamManager(nc);
    const stream = streamOptions(opts);
    await ensureStream(jsm, stream);
    return new NatsJobBus(nc, jsm, jetstream(nc), stream, opts);
  } catch (err) {
    await nc.close();
    throw err;
  }
}

function streamOptions(opts: NatsJobBusOptions): DurableStreamOptions {
  return {
    name: durableStreamName(opts.prefix),
    subjects: [`${opts.prefix}.durable.>`],
    duplicateWindowMs: opts.duplicateWindowMs ?? 120_000,
    maxAgeMs: opts.maxAgeMs ?? 7 * 24 * 3600_000,
    maxBytes: opts.maxBytes ?? -1,
  };
}

export class NatsJobBus implements JobBus {
  private readonly consumers = new Set<Subscription>();
  private readonly backoffMs: number[];

  constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly js: JetStreamClient,
    private readonly stream: DurableStreamOptions,
    private readonly opts: NatsJobBusOptions,
  ) {
    this.backoffMs = opts.backoffMs?.length ? opts.backoffMs : DEFAULT_BACKOFF_MS;
    void this.trackConnection();
  }

  private connected = true;

  private async trackConnection(): Promise<void> {
    for await (const s of this.nc.status()) {
      if (s.type === 'disconnect') this.connected = false;
      else if (s.type === 'reconnect') this.connected = true;
    }
  }

  /** JetStream stream holding `<prefix>.durable.>`. */
  get streamName(): string {
    return this.stream.name;
  }

  async publish(subject: string, data: Uint8Array): Promise<void> {
    // The client would buffer it until a reconnect and send it however late, to a server
    // that has not yet seen the subscribers come back: refuse instead, so the caller keeps
    // the job and decides by its deadline (services/scheduler/job-backlog.ts).
    if (!this.connected || this.nc.isClosed()) throw new BusUnavailableError(`NATS is unreachable; not published on ${subject}`);
    this.nc.publish(subject, data);
  }

  async subscribe(subject: string, handler: MessageHandler, opts: { queue?: string } = {}): Promise<Subscription> {
    const log = this.opts.logger;
    const sub = this.nc.subscribe(subject, {
      queue: opts.queue,
      // Like the in-process bus: handlers are started per message and not awaited;
      // core messages are at most once, so a failure is logged, not retried.
      callback: (err, msg) => {
        if (err) {
          log.error({ err, subject }, 'nats subscription error');
          return;
        }
        try {
          Promise.resolve(handler(msg.data, msg.subject)).catch((e: unknown) =>
            log.error({ err: e, subject: msg.subject }, 'message handler failed'),
          );
        } catch (e) {
          log.error({ err: e, subject: msg.subject }, 'message handler failed');
        }
      },
    });
    return {
      unsubscribe: async () => {
        if (sub.isClosed()) return;
        // Drain: messages the server already routed to this member are still handled.
        await sub.drain().catch(() => sub.unsubscribe());
      },
    };
  }

  async publishDurable(subject: string, data: Uint8Array, msgId: string): Promise<void> {
    try {
      await this.js.publish(subject, data, { msgID: msgId });
    } catch (err) {
      if (!isTransientBusError(err)) throw err;
      // The stream may have been deleted under us (ops, a test cleanup): re-declare once.
      await this.ensureOwnStream();
      await this.js.publish(subject, data, { msgID: msgId });
    }
  }

  async publishDurableBatch(items: readonly DurablePublish[]): Promise<void> {
    // JetStream acks publishes in order on one connection: keep a window of them in flight
    // instead of waiting for each ack in turn, and bound it so a huge batch cannot queue
    // unbounded pending acks.
    for (let i = 0; i < items.length; i += PUBLISH_WINDOW) {
      await Promise.all(items.slice(i, i + PUBLISH_WINDOW).map((m) => this.publishDurable(m.subject, m.data, m.msgId)));
    }
  }

  async consumeDurable(opts: DurableConsumerOptions, handler: DurableHandler): Promise<Subscription> {
    const spec = {
      stream: this.streamName,
      durable: opts.durable,
      filterSubject: opts.subject,
      ackWaitMs: opts.ackWaitMs ?? DEFAULT_ACK_WAIT_MS,
      maxDeliver: opts.maxDeliver ?? DEFAULT_MAX_DELIVER,
    };
    await ensureConsumer(this.jsm, spec);
    const consumer = await this.js.consumers.get(this.streamName, opts.durable);
    const messages = await consumer.consume({ max_messages: this.opts.prefetch ?? 8 });
    const log = this.opts.logger.child({ durable: opts.durable });
    let stopped = false;

    void (async () => {
      for await (const s of messages.status()) {
        if (s.type === 'consumer_not_found' || s.type === 'consumer_deleted') {
          log.warn({ status: s.type }, 'durable consumer missing, re-creating');
          await ensureConsumer(this.jsm, spec).catch((err) => log.error({ err }, 'cannot re-create durable consumer'));
        } else if (s.type === 'heartbeats_missed') {
          // NATS's own idle heartbeats on the pull consumer: the server has gone quiet.
          log.warn({ count: s.count }, 'durable consumer heartbeats missed');
        }
      }
    })();

    const loop = (async () => {
      for await (const m of messages) {
        if (stopped) {
          // Pulled after unsubscribe began: hand it back now rather than after ack wait.
          m.nak();
          continue;
        }
        await this.handle(m, handler, spec.maxDeliver, log);
      }
    })().catch((err) => log.error({ err }, 'durable consumer loop ended'));

    const sub: Subscription = {
      unsubscribe: async () => {
        if (stopped) return;
        stopped = true;
        this.consumers.delete(sub);
        await messages.close();
        await loop;
        // Acks are fire-and-forget publishes; make sure the server has them before
        // the caller assumes the position is saved.
        await this.nc.flush().catch(() => undefined);
      },
    };
    this.consumers.add(sub);
    return sub;
  }

  async flush(): Promise<void> {
    await this.nc.flush();
  }

  async close(): Promise<void> {
    if (this.nc.isClosed()) return;
    await Promise.all([...this.consumers].map((c) => c.unsubscribe()));
    await this.nc.drain();
  }

  private async handle(m: JsMsg, handler: DurableHandler, maxDeliver: number, log: Logger): Promise<void> {
    const deliveryCount = m.info.deliveryCount;
    try {
      await handler({ subject: m.subject, data: m.data, deliveryCount });
      m.ack();
    } catch (err) {
      if (deliveryCount >= maxDeliver) {
        log.error({ err, subject: m.subject, deliveryCount }, 'durable message given up after max deliveries');
        m.term(`failed ${deliveryCount} times`);
      } else {
        log.warn({ err, subject: m.subject, deliveryCount }, 'durable handler failed, will redeliver');
        m.nak(this.backoffMs[Math.min(deliveryCount - 1, this.backoffMs.length - 1)]);
      }
    }
  }

  private async ensureOwnStream(): Promise<void> {
    await ensureStream(this.jsm, this.stream);
  }
}
