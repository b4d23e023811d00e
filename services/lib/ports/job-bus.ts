/**
 * Job bus and durable streams (DESIGN.md §3, §4). Two adapters: NATS with JetStream
 * (`PHAROS_NATS_URL` set) and an in-process bus (embedded default). Both pass
 * test/contract/suites/job-bus.ts.
 *
 * Three delivery semantics, chosen per subject (see services/lib/subjects.ts):
 * - core publish/subscribe, at most once: change notices. With `queue`, each message goes
 *   to exactly one subscriber of the group.
 * - work queues, for check jobs (`publishWork`/`consumeWork`): a message waits until a
 *   consumer of its subject takes it (an agent restarting or re-subscribing loses nothing),
 *   the consumers of one subject share the messages, each taken once, and a message past
 *   its deadline is never handed to a handler (`onExpired` sees it instead, so the
 *   consumer can account for it). msgId de-duplicates a re-publish. Work subjects are
 *   `<prefix>.jobs.<queue>` (the NATS adapter's work-queue stream is bound to them).
 * - durable streams, at least once with explicit ack, bounded redelivery and backoff:
 *   results handed to alerting, missed slots, heartbeats. `msgId` de-duplicates a re-publish of
 *   the same message inside the stream's duplicate window.
 */
export interface Subscription {
  unsubscribe(): Promise<void>;
}

export type MessageHandler = (data: Uint8Array, subject: string) => void | Promise<void>;

export interface DurableMessage {
  subject: string;
  data: Uint8Array;
  /** 1 on first delivery. */
  deliveryCount: number;
}

export interface DurableConsumerOptions {
  /** Consumer name; consumers with the same name share the messages (and the position). */
  durable: string;
  /** Subject filter, may end in `>` (all tokens below). */
  subject: string;
  /** Give up after this many deliveries (default 10). */
  maxDeliver?: number;
  /** Redeliver a message not acked within this time (default 30 s). */
  ackWaitMs?: number;
  /**
   * Messages handed to the handler and not yet settled, at most (default 1: one at a time).
   * Above 1 the handler is called for the next messages while earlier ones are still
   * running, so a consumer can gather many into one unit of work (the status evaluator's
   * batch transaction) and settle each when that commits.
   */
  maxInFlight?: number;
}

/**
 * Handler contract for durable consumers: resolving acknowledges the message; throwing
 * leaves it unacknowledged so it is redelivered (with backoff).
 */
export type DurableHandler = (msg: DurableMessage) => Promise<void>;

export interface DurablePublish {
  subject: string;
  data: Uint8Array;
  msgId: string;
}

export interface WorkPublish {
  /** De-duplicates a re-publish inside the duplicate window (the job id). */
  msgId: string;
  /** Unix ms after which the message is no longer handed to a handler. */
  deadlineMs: number;
}

export interface WorkMessage {
  subject: string;
  data: Uint8Array;
  deadlineMs: number;
  /** 1 on first delivery. */
  deliveryCount: number;
}

export interface WorkConsumerOptions {
  /** An exact subject (no wildcards): one queue, e.g. one region's jobs. */
  subject: string;
  /** Give up on a message after this many failed deliveries (default 3). */
  maxDeliver?: number;
  /** Redeliver a message not acknowledged within this time (default 30 s). */
  ackWaitMs?: number;
  /**
   * Messages handed to the handler (or onExpired) and not yet settled, at most (default 1:
   * one at a time). Above 1 the handler may resolve long after it was called — e.g. once
   * the work's outcome is durable — while the next messages are taken meanwhile.
   */
  maxInFlight?: number;
  /**
   * How long a message whose handler is still running stays with this consumer (default
   * ackWaitMs). Past ackWaitMs the adapter tells the queue the message is still being
   * worked on (JetStream in-progress), so a consumer that dies is noticed within ackWaitMs
   * while a slow but live handler keeps its message up to holdMs; after that it is
   * redelivered as if the consumer had died.
   */
  holdMs?: number;
  /**
   * Called instead of the handler for a message whose deadline had passed when it was
   * taken from the queue. The message is removed when the returned promise resolves (at
   * once for a plain return) and handed back, like a failed handler's, when it rejects.
   * Messages the queue dropped unseen (older than the adapter's maximum age) reach nobody.
   */
  onExpired?: (msg: WorkMessage) => void | Promise<void>;
}

/**
 * Handler contract for work consumers: resolving acknowledges (removes) the message;
 * throwing hands it back for redelivery (with backoff) while maxDeliver and its deadline
 * allow. A consumer that dies holding a message (handler not settled) loses it to the
 * queue's other consumers after ackWaitMs.
 */
export type WorkHandler = (msg: WorkMessage) => Promise<void>;

export interface JobBus {
  /**
   * Core publish. Rejects with a transient error when the bus is unreachable rather than
   * buffering the message for a later reconnect: the caller keeps it or records it missed.
   */
  publish(subject: string, data: Uint8Array): Promise<void>;
  subscribe(subject: string, handler: MessageHandler, opts?: { queue?: string }): Promise<Subscription>;
  publishDurable(subject: string, data: Uint8Array, msgId: string): Promise<void>;
  /**
   * Many durable publishes at once, each with the semantics of publishDurable; resolves
   * when the stream has every one of them, rejects if any was not stored (callers
   * re-publish the whole batch; msgId de-duplicates what did get in).
   */
  publishDurableBatch(items: readonly DurablePublish[]): Promise<void>;
  consumeDurable(opts: DurableConsumerOptions, handler: DurableHandler): Promise<Subscription>;
  /**
   * Work publish: resolves when the queue holds the message (or already held its msgId).
   * Rejects with a transient error while the bus is unreachable, like `publish`. Core
   * subscribers of the subject also see it (observers; on NATS a stream does not hide a
   * message from them).
   */
  publishWork(subject: string, data: Uint8Array, opts: WorkPublish): Promise<void>;
  /** Takes messages from the subject's queue; every consumer of one subject shares them. */
  consumeWork(opts: WorkConsumerOptions, handler: WorkHandler): Promise<Subscription>;
  /** Resolves when everything published so far has reached the server. */
  flush(): Promise<void>;
  close(): Promise<void>;
}
