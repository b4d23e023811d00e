/**
 * JobBus over NATS (core) and JetStream (durable), DESIGN.md §4 and services/lib/subjects.ts.
 *
 * Durable consumers are pull consumers with explicit ack. Redelivery after a handler
 * throws is a `nak(delay)` with our own backoff schedule rather than the consumer's
 * `backoff` setting, because a server-side backoff replaces `ack_wait` and the port
 * promises both: a hung handler is redelivered after ackWaitMs, a failing one after the
 * backoff step.
 */
import { jetstream, jetstreamManager, RetentionPolicy, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import type {
  DurableConsumerOptions,
  DurableHandler,
  DurablePublish,
  JobBus,
  MessageHandler,
  Subscription,
  WorkConsumerOptions,
  WorkHandler,
  WorkMessage,
  WorkPublish,
} from '../../ports/job-bus.js';
import type { Logger } from '../../logger.js';
import { durableStreamName, workConsumerName, workStreamName } from '../../subjects.js';
import { connectNats } from './connection.js';
import { ensureConsumer, ensureStream, isStreamNotFound, type DurableConsumerSpec, type DurableStreamOptions } from './durable-stream.js';
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
  /**
   * Work-queue stream (`<prefix>.jobs.>`) age limit, default 1 h: a job nobody took by then
   * is removed unseen (nats-server < 2.11 has no per-message TTL; the deadline is checked
   * when a message is taken, `WorkConsumerOptions.onExpired`).
   */
  workMaxAgeMs?: number;
  /**
   * Ack wait of the work consumers (default 30 s): how soon jobs held by an agent that died
   * go to the region's other agents. The publisher declares the consumer too, so every
   * process of a deployment must use the same value (tests shorten it).
   */
  workAckWaitMs?: number;
  /**
   * Declare the streams at open (default). An agent opens with `false`: it may only read
   * and take from its region's consumer (deploy/nats/nats.conf), the server declares.
   */
  declareStreams?: boolean;
  /** Reply subject prefix of the connection (connection.ts); agents: `agentInboxPrefix(region)`. */
  inboxPrefix?: string;
}

/** Header carrying a work message's deadline, unix ms. */
const DEADLINE_HEADER = 'Pharos-Deadline-Ms';
const DEFAULT_WORK_MAX_DELIVER = 3;
/**
 * Jobs a region's consumer hands out unacknowledged, across all its agents. An agent acks a
 * job only once its result is on its disk (probe-agent/agent.ts) and holds at most
 * 5 × concurrency + one batch of them (1,780 at the defaults), so this lets about eleven
 * default agents per region work at full speed; the server's default of 1,000 would cap a
 * single one.
 */
const WORK_MAX_ACK_PENDING = 20_000;
/** How long `close` waits for running work handlers to settle their messages. */
const CLOSE_SETTLE_MS = 10_000;
/** A work publish waits this long for the stream's ack before the caller keeps the job. */
const WORK_PUBLISH_TIMEOUT_MS = 2_000;

const DEFAULT_BACKOFF_MS = [1_000, 5_000, 15_000, 30_000, 60_000];
const DEFAULT_MAX_DELIVER = 10;
const DEFAULT_ACK_WAIT_MS = 30_000;
/** Durable publishes of one batch awaiting their acks at once. */
const PUBLISH_WINDOW = 1_024;

export async function openNatsJobBus(opts: NatsJobBusOptions): Promise<NatsJobBus> {
  const nc = await connectNats({ url: opts.url, name: opts.name, logger: opts.logger, inboxPrefix: opts.inboxPrefix });
  try {
    // A process that declares nothing need not read the account's JetStream info either.
    const jsm = await jetstreamManager(nc, { checkAPI: opts.declareStreams !== false });
    const stream = streamOptions(opts);
    const work = workStreamOptions(opts);
    if (opts.declareStreams !== false) {
      await ensureStream(jsm, stream);
      await ensureStream(jsm, work);
    }
    return new NatsJobBus(nc, jsm, jetstream(nc), stream, work, opts);
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

function workStreamOptions(opts: NatsJobBusOptions): DurableStreamOptions {
  return {
    name: workStreamName(opts.prefix),
    subjects: [`${opts.prefix}.jobs.>`],
    duplicateWindowMs: opts.duplicateWindowMs ?? 120_000,
    maxAgeMs: opts.workMaxAgeMs ?? 3_600_000,
    maxBytes: opts.maxBytes ?? -1,
    retention: RetentionPolicy.Workqueue,
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
    private readonly work: DurableStreamOptions,
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
    const maxInFlight = Math.max(1, opts.maxInFlight ?? 1);
    const messages = await consumer.consume({ max_messages: Math.max(this.opts.prefetch ?? 8, maxInFlight) });
    const log = this.opts.logger.child({ durable: opts.durable });
    let stopped = false;
    const running = new Set<Promise<void>>();
    let freed: (() => void) | undefined;

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
        if (maxInFlight === 1) {
          await this.handle(m, handler, spec.maxDeliver, log);
          continue;
        }
        const handled = this.handle(m, handler, spec.maxDeliver, log).finally(() => {
          running.delete(handled);
          const wake = freed;
          freed = undefined;
          wake?.();
        });
        running.add(handled);
        while (running.size >= maxInFlight) await new Promise<void>((resolve) => (freed = resolve));
      }
      await Promise.all([...running]);
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

  /** JetStream stream holding `<prefix>.jobs.>` (work-queue retention). */
  get workStreamName(): string {
    return this.work.name;
  }

  /** Work subjects whose consumer this process has made sure exists. */
  private readonly workConsumersReady = new Set<string>();

  async publishWork(subject: string, data: Uint8Array, opts: WorkPublish): Promise<void> {
    if (!this.connected || this.nc.isClosed()) throw new BusUnavailableError(`NATS is unreachable; not published on ${subject}`);
    // The consumer is declared by the publisher too, so messages published before any agent
    // of the region ever started are already its messages (a work-queue stream keeps them for
    // whichever consumer arrives; declaring it here keeps that consumer the only one).
    if (!this.workConsumersReady.has(subject)) {
      await this.ensureWorkConsumer({ subject });
      this.workConsumersReady.add(subject);
    }
    const h = headers();
    h.set(DEADLINE_HEADER, String(opts.deadlineMs));
    const send = () => this.js.publish(subject, data, { msgID: opts.msgId, headers: h, timeout: WORK_PUBLISH_TIMEOUT_MS });
    try {
      await send();
    } catch (err) {
      if (!isTransientBusError(err)) throw err;
      if (!this.connected) throw new BusUnavailableError(`NATS is unreachable; not published on ${subject}`, { cause: err });
      // The stream may have been deleted under us: re-declare once.
      this.workConsumersReady.delete(subject);
      await ensureStream(this.jsm, this.work);
      await this.ensureWorkConsumer({ subject });
      this.workConsumersReady.add(subject);
      await send();
    }
  }

  private workSpec(opts: Pick<WorkConsumerOptions, 'subject' | 'ackWaitMs' | 'maxDeliver'>): DurableConsumerSpec {
    return {
      stream: this.work.name,
      durable: workConsumerName(opts.subject),
      filterSubject: opts.subject,
      ackWaitMs: opts.ackWaitMs ?? this.opts.workAckWaitMs ?? DEFAULT_ACK_WAIT_MS,
      maxDeliver: opts.maxDeliver ?? DEFAULT_WORK_MAX_DELIVER,
      maxAckPending: WORK_MAX_ACK_PENDING,
    };
  }

  private async ensureWorkConsumer(opts: Pick<WorkConsumerOptions, 'subject' | 'ackWaitMs' | 'maxDeliver'>): Promise<void> {
    await ensureConsumer(this.jsm, this.workSpec(opts));
  }

  async consumeWork(opts: WorkConsumerOptions, handler: WorkHandler): Promise<Subscription> {
    if (!opts.subject.startsWith(`${this.opts.prefix}.jobs.`) || /[*>]/.test(opts.subject)) {
      throw new Error(`work subject must be an exact subject under ${this.opts.prefix}.jobs.: ${opts.subject}`);
    }
    const spec = this.workSpec(opts);
    const log = this.opts.logger.child({ work: opts.subject });
    let stopped = false;
    const maxInFlight = Math.max(1, opts.maxInFlight ?? 1);
    const holdMs = Math.max(spec.ackWaitMs, opts.holdMs ?? spec.ackWaitMs);
    /** Messages handed out and not settled, with when they were taken. */
    const held = new Map<JsMsg, number>();
    let freed: (() => void) | undefined;
    // In-progress signals keep a live handler's message past ack wait, up to holdMs; a dead
    // consumer stops sending them, so its messages go back to the queue after ack wait.
    const heartbeat = setInterval(() => {
      const now = Date.now();
      for (const [m, takenAt] of held) if (now - takenAt < holdMs - spec.ackWaitMs) settle(() => m.working());
    }, Math.max(50, Math.floor(spec.ackWaitMs / 3)));
    heartbeat.unref();
    if (holdMs === spec.ackWaitMs) clearInterval(heartbeat);
    let messages: Awaited<ReturnType<Awaited<ReturnType<JetStreamClient['consumers']['get']>>['consume']>> | undefined;

    const attach = async () => {
      const consumer = await this.js.consumers.get(spec.stream, spec.durable);
      messages = await consumer.consume({ max_messages: this.opts.prefetch ?? 8 });
      const taken = messages;
      void (async () => {
        for await (const s of taken.status()) {
          if (s.type === 'consumer_not_found' || s.type === 'consumer_deleted') {
            log.warn({ status: s.type }, 'work consumer missing, re-creating');
            await ensureConsumer(this.jsm, spec).catch((err) => log.error({ err }, 'cannot re-create work consumer'));
          } else if (s.type === 'heartbeats_missed') {
            log.warn({ count: s.count }, 'work consumer heartbeats missed');
          }
        }
      })();
      for await (const m of taken) {
        while (!stopped && held.size >= maxInFlight) await new Promise<void>((resolve) => (freed = resolve));
        if (stopped) {
          // Pulled after unsubscribe began: back to the queue now, for another consumer.
          settle(() => m.nak());
          continue;
        }
        held.set(m, Date.now());
        const handled = this.handleWork(m, opts, handler, spec.maxDeliver, log).finally(() => {
          held.delete(m);
          this.workSettling.delete(handled);
          const wake = freed;
          freed = undefined;
          wake?.();
          if (stopped && held.size === 0) clearInterval(heartbeat);
        });
        this.workSettling.add(handled);
      }
    };

    let loop: Promise<void>;
    try {
      await ensureConsumer(this.jsm, spec);
      loop = attach();
    } catch (err) {
      // The work stream is created by the publishing side (the scheduler); an agent has no
      // right to create it and may start first (a fresh deployment, a server still starting).
      // It waits for the stream in the background instead of exiting, and can be stopped meanwhile.
      if (!isStreamNotFound(err)) throw err;
      log.warn({ stream: spec.stream }, 'work stream does not exist yet (the scheduler creates it): waiting');
      loop = (async () => {
        if (await this.untilWorkStreamExists(spec, () => stopped)) {
          log.info('work stream found: taking jobs');
          if (!stopped) await attach();
        }
      })();
    }
    loop = loop.catch((err) => log.error({ err }, 'work consumer loop ended'));

    const sub: Subscription = {
      // Stops taking messages; those whose handlers are running settle when they do.
      unsubscribe: async () => {
        if (stopped) return;
        stopped = true;
        this.consumers.delete(sub);
        freed?.();
        if (held.size === 0) clearInterval(heartbeat);
        await messages?.close();
        await loop;
        await this.nc.flush().catch(() => undefined);
      },
    };
    this.consumers.add(sub);
    return sub;
  }

  /** Work handlers still running (close waits for them, so their acks are sent). */
  private readonly workSettling = new Set<Promise<void>>();

  /** Retries creating the work consumer, with jittered backoff, until its stream exists; false when stopped first. */
  private async untilWorkStreamExists(spec: DurableConsumerSpec, stopped: () => boolean): Promise<boolean> {
    for (let attempt = 1; !stopped(); attempt++) {
      const capMs = Math.min(5_000, 500 * 2 ** attempt);
      await new Promise((resolve) => setTimeout(resolve, capMs / 2 + Math.random() * (capMs / 2)));
      if (stopped()) return false;
      try {
        await ensureConsumer(this.jsm, spec);
        return true;
      } catch (err) {
        if (!isStreamNotFound(err)) throw err;
      }
    }
    return false;
  }

  private async handleWork(m: JsMsg, opts: WorkConsumerOptions, handler: WorkHandler, maxDeliver: number, log: Logger): Promise<void> {
    const deadlineMs = Number(m.headers?.get(DEADLINE_HEADER) ?? NaN);
    const msg: WorkMessage = { subject: m.subject, data: m.data, deadlineMs, deliveryCount: m.info.deliveryCount };
    // Taken after its deadline: reported to the consumer instead of run, and removed once
    // the consumer has settled it.
    const expired = !Number.isFinite(deadlineMs) || Date.now() > deadlineMs;
    try {
      if (expired) await opts.onExpired?.(msg);
      else await handler(msg);
      settle(() => m.ack());
    } catch (err) {
      if (msg.deliveryCount >= maxDeliver) {
        log.error({ err, subject: m.subject, deliveryCount: msg.deliveryCount, expired }, 'work message given up after max deliveries');
        settle(() => m.term(`failed ${msg.deliveryCount} times`));
      } else {
        log.warn({ err, subject: m.subject, deliveryCount: msg.deliveryCount, expired }, 'work handler failed, will redeliver');
        settle(() => m.nak(this.backoffMs[Math.min(msg.deliveryCount - 1, this.backoffMs.length - 1)]));
      }
    }
  }

  async flush(): Promise<void> {
    await this.nc.flush();
  }

  async close(): Promise<void> {
    if (this.nc.isClosed()) return;
    await Promise.all([...this.consumers].map((c) => c.unsubscribe()));
    // Bounded: a handler that never settles must not hang a shutdown; its message goes back
    // to the queue after ack wait.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([...this.workSettling]),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_SETTLE_MS))),
    ]);
    clearTimeout(timer);
    if (this.workSettling.size) this.opts.logger.warn({ unsettled: this.workSettling.size }, 'closing with work messages unsettled; they are redelivered after ack wait');
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

/**
 * Acks, naks and in-progress signals are fire-and-forget publishes: on a connection that
 * closed or is reconnecting they are lost, and the server redelivers after ack wait.
 */
function settle(send: () => void): void {
  try {
    send();
  } catch {
    // The redelivery is the recovery; the caller's log line names the message.
  }
}
