/**
 * Job bus and durable streams (DESIGN.md §3, §4). Two adapters: NATS with JetStream
 * (`PHAROS_NATS_URL` set) and an in-process bus (embedded default). Both pass
 * test/contract/suites/job-bus.ts.
 *
 * Two delivery semantics, chosen per subject (see services/lib/subjects.ts):
 * - core publish/subscribe, at most once: periodic check jobs (a lost job is simply the
 *   next interval's job) and change notices. With `queue`, each message goes to exactly
 *   one subscriber of the group (agents of one region share the load).
 * - durable streams, at least once with explicit ack, bounded redelivery and backoff:
 *   results handed to alerting, on-demand checks. `msgId` de-duplicates a re-publish of
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
  /** Resolves when everything published so far has reached the server. */
  flush(): Promise<void>;
  close(): Promise<void>;
}
