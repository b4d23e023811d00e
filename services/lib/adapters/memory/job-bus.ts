/**
 * In-process JobBus for the embedded network (`pharos dev`): same semantics as the NATS
 * adapter so domain code cannot tell them apart (test/contract/job-bus.test.ts).
 *
 * - Core messages are delivered asynchronously (never inside `publish`), at most once;
 *   a queue group gets each message on one member, round-robin.
 * - Durable messages live in one in-memory stream (bounded by `maxMessages`, oldest
 *   dropped, like a limits-retention JetStream stream); each durable consumer keeps its
 *   own position and unacked set, so closing and reopening a consumer resumes it. A new
 *   durable name starts at the beginning of the stream (JetStream's default policy).
 * - Each consumer subscription runs one handler at a time; several subscriptions with the
 *   same durable name share the work.
 * - Work messages wait in a queue per subject (bounded by `maxMessages` and `workMaxAgeMs`,
 *   like the NATS work-queue stream's limits) until a consumer of that subject takes them;
 *   consumers of one subject share them, up to `maxInFlight` handlers at a time per
 *   subscription (default one). A message taken after its deadline goes to `onExpired`,
 *   never to the handler. A running handler keeps its message up to `holdMs`: in one process
 *   the consumer cannot die without the bus, so ack wait alone never fires for a live one.
 */
import type {
  DurableConsumerOptions,
  DurableHandler,
  DurablePublish,
  JobBus,
  MessageHandler,
  Subscription,
  WorkConsumerOptions,
  WorkHandler,
  WorkPublish,
} from '../../ports/job-bus.js';
import type { Logger } from '../../logger.js';
import { assertSubject, subjectMatches } from './subject-match.js';

export interface MemoryJobBusOptions {
  /** Delay before redelivering after the n-th failed delivery; the last entry repeats. */
  backoffMs?: number[];
  /** msgId de-duplication window (default 2 min, as the NATS stream). */
  duplicateWindowMs?: number;
  /** Durable stream capacity; the oldest messages are dropped beyond it. */
  maxMessages?: number;
  /** Work messages older than this are dropped unseen (default 1 h, as the NATS work stream). */
  workMaxAgeMs?: number;
  /** Ack wait of work consumers that set none (default 30 s, as the NATS adapter's). */
  workAckWaitMs?: number;
  logger?: Pick<Logger, 'warn' | 'error'>;
  now?: () => number;
}

export const DEFAULT_BACKOFF_MS = [1_000, 5_000, 15_000, 30_000, 60_000];
const DEFAULT_MAX_DELIVER = 10;
const DEFAULT_ACK_WAIT_MS = 30_000;
const DEFAULT_WORK_MAX_DELIVER = 3;
const DEFAULT_WORK_MAX_AGE_MS = 3_600_000;

interface WorkItem {
  subject: string;
  data: Uint8Array;
  deadlineMs: number;
  publishedAt: number;
  deliveries: number;
}

interface WorkWorker {
  opts: WorkConsumerOptions;
  handler: WorkHandler;
  /** Handlers running, each settling its message. */
  running: Set<Promise<void>>;
}

interface WorkQueue {
  /** Ready to be taken, oldest first. */
  items: WorkItem[];
  workers: WorkWorker[];
  pumpScheduled: boolean;
}

interface CoreSub {
  pattern: string;
  queue?: string;
  handler: MessageHandler;
  active: boolean;
}

interface StoredMessage {
  seq: number;
  subject: string;
  data: Uint8Array;
}

interface Worker {
  handler: DurableHandler;
  maxInFlight: number;
  /** Handlers running, each settling its message. */
  running: Set<Promise<void>>;
}

interface Consumer {
  name: string;
  filter: string;
  maxDeliver: number;
  ackWaitMs: number;
  /** Next stream sequence not yet delivered to this consumer. */
  nextSeq: number;
  /** Sequences due for redelivery, in order. */
  ready: number[];
  /** Deliveries so far of each unacked sequence. */
  deliveries: Map<number, number>;
  workers: Worker[];
  pumpScheduled: boolean;
}

export class MemoryJobBus implements JobBus {
  private readonly subs = new Set<CoreSub>();
  private readonly rr = new Map<string, number>();
  private readonly stream = new Map<number, StoredMessage>();
  private firstSeq = 1;
  private lastSeq = 0;
  private readonly dedup = new Map<string, number>();
  private readonly consumers = new Map<string, Consumer>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly work = new Map<string, WorkQueue>();
  private readonly workDedup = new Map<string, number>();
  private readonly workRunning = new Set<Promise<void>>();
  private readonly backoffMs: number[];
  private readonly duplicateWindowMs: number;
  private readonly maxMessages: number;
  private readonly now: () => number;
  private closed = false;

  constructor(private readonly opts: MemoryJobBusOptions = {}) {
    this.backoffMs = opts.backoffMs?.length ? opts.backoffMs : DEFAULT_BACKOFF_MS;
    this.duplicateWindowMs = opts.duplicateWindowMs ?? 120_000;
    this.maxMessages = opts.maxMessages ?? 100_000;
    this.now = opts.now ?? Date.now;
  }

  async publish(subject: string, data: Uint8Array): Promise<void> {
    this.assertOpen();
    assertSubject(subject, { wildcards: false });
    const groups = new Map<string, CoreSub[]>();
    for (const sub of this.subs) {
      if (!subjectMatches(sub.pattern, subject)) continue;
      if (sub.queue === undefined) {
        this.deliverCore(sub, data, subject);
      } else {
        const key = `${sub.pattern}\u0000${sub.queue}`;
        const members = groups.get(key);
        if (members) members.push(sub);
        else groups.set(key, [sub]);
      }
    }
    for (const [key, members] of groups) {
      const n = this.rr.get(key) ?? 0;
      this.rr.set(key, n + 1);
      this.deliverCore(members[n % members.length], data, subject);
    }
  }

  async subscribe(subject: string, handler: MessageHandler, opts: { queue?: string } = {}): Promise<Subscription> {
    this.assertOpen();
    assertSubject(subject, { wildcards: true });
    const sub: CoreSub = { pattern: subject, queue: opts.queue, handler, active: true };
    this.subs.add(sub);
    return {
      unsubscribe: async () => {
        sub.active = false;
        this.subs.delete(sub);
      },
    };
  }

  async publishDurable(subject: string, data: Uint8Array, msgId: string): Promise<void> {
    this.append([{ subject, data, msgId }]);
  }

  async publishDurableBatch(items: readonly DurablePublish[]): Promise<void> {
    this.append(items);
  }

  private append(items: readonly DurablePublish[]): void {
    this.assertOpen();
    // Validate all first: a bad subject rejects the batch before any of it is stored.
    let lastSubject: string | undefined;
    for (const { subject } of items) {
      if (subject === lastSubject) continue;
      assertSubject(subject, { wildcards: false });
      lastSubject = subject;
    }
    const now = this.now();
    this.pruneDedup(now);
    const subjects = new Set<string>();
    for (const { subject, data, msgId } of items) {
      const seenAt = this.dedup.get(msgId);
      if (seenAt !== undefined && now - seenAt < this.duplicateWindowMs) continue;
      // Delete first so the Map's order stays publish order (pruneDedup relies on it).
      this.dedup.delete(msgId);
      this.dedup.set(msgId, now);
      const seq = ++this.lastSeq;
      // Copy: the caller may reuse its buffer, and a stream stores its own bytes.
      // (new Uint8Array(typedArray) is a memcpy; Uint8Array.from iterates.)
      this.stream.set(seq, { seq, subject, data: new Uint8Array(data) });
      subjects.add(subject);
    }
    while (this.stream.size > this.maxMessages) this.stream.delete(this.firstSeq++);
    for (const c of this.consumers.values()) {
      for (const subject of subjects) {
        if (subjectMatches(c.filter, subject)) {
          this.schedulePump(c);
          break;
        }
      }
    }
  }

  async consumeDurable(opts: DurableConsumerOptions, handler: DurableHandler): Promise<Subscription> {
    this.assertOpen();
    assertSubject(opts.subject, { wildcards: true });
    let c = this.consumers.get(opts.durable);
    if (!c) {
      c = {
        name: opts.durable,
        filter: opts.subject,
        maxDeliver: opts.maxDeliver ?? DEFAULT_MAX_DELIVER,
        ackWaitMs: opts.ackWaitMs ?? DEFAULT_ACK_WAIT_MS,
        nextSeq: this.firstSeq,
        ready: [],
        deliveries: new Map(),
        workers: [],
        pumpScheduled: false,
      };
      this.consumers.set(opts.durable, c);
    } else {
      // Reopening with new settings updates the consumer, as the NATS adapter does.
      c.filter = opts.subject;
      c.maxDeliver = opts.maxDeliver ?? c.maxDeliver;
      c.ackWaitMs = opts.ackWaitMs ?? c.ackWaitMs;
    }
    const consumer = c;
    const worker: Worker = { handler, maxInFlight: Math.max(1, opts.maxInFlight ?? 1), running: new Set() };
    consumer.workers.push(worker);
    this.schedulePump(consumer);
    return {
      unsubscribe: async () => {
        const i = consumer.workers.indexOf(worker);
        if (i >= 0) consumer.workers.splice(i, 1);
        await Promise.all([...worker.running]);
      },
    };
  }

  async publishWork(subject: string, data: Uint8Array, opts: WorkPublish): Promise<void> {
    this.assertOpen();
    assertSubject(subject, { wildcards: false });
    const now = this.now();
    for (const [id, at] of this.workDedup) {
      if (now - at < this.duplicateWindowMs) break;
      this.workDedup.delete(id);
    }
    const seenAt = this.workDedup.get(opts.msgId);
    if (seenAt !== undefined && now - seenAt < this.duplicateWindowMs) return;
    this.workDedup.set(opts.msgId, now);
    const q = this.workQueue(subject);
    q.items.push({ subject, data: new Uint8Array(data), deadlineMs: opts.deadlineMs, publishedAt: now, deliveries: 0 });
    this.pruneWork(q, now);
    // Observers see it too, as core subscribers of a JetStream subject do.
    await this.publish(subject, data);
    this.scheduleWorkPump(q);
  }

  async consumeWork(opts: WorkConsumerOptions, handler: WorkHandler): Promise<Subscription> {
    this.assertOpen();
    assertSubject(opts.subject, { wildcards: false });
    const q = this.workQueue(opts.subject);
    const worker: WorkWorker = { opts, handler, running: new Set() };
    q.workers.push(worker);
    this.scheduleWorkPump(q);
    return {
      // Stops taking messages; those whose handlers are running settle when they do.
      unsubscribe: async () => {
        const i = q.workers.indexOf(worker);
        if (i >= 0) q.workers.splice(i, 1);
      },
    };
  }

  private workQueue(subject: string): WorkQueue {
    let q = this.work.get(subject);
    if (!q) {
      q = { items: [], workers: [], pumpScheduled: false };
      this.work.set(subject, q);
    }
    return q;
  }

  /** The stream limits: age and count (the oldest go first). */
  private pruneWork(q: WorkQueue, now: number): void {
    const maxAge = this.opts.workMaxAgeMs ?? DEFAULT_WORK_MAX_AGE_MS;
    let drop = 0;
    while (drop < q.items.length && now - q.items[drop].publishedAt >= maxAge) drop++;
    drop = Math.max(drop, q.items.length - this.maxMessages);
    if (drop > 0) q.items.splice(0, drop);
  }

  private scheduleWorkPump(q: WorkQueue): void {
    if (q.pumpScheduled || this.closed) return;
    q.pumpScheduled = true;
    setImmediate(() => {
      q.pumpScheduled = false;
      this.pumpWork(q);
    });
  }

  private pumpWork(q: WorkQueue): void {
    if (this.closed) return;
    this.pruneWork(q, this.now());
    for (;;) {
      const worker = q.workers.find((w) => w.running.size < Math.max(1, w.opts.maxInFlight ?? 1));
      if (!worker || q.items.length === 0) return;
      const item = q.items.shift()!;
      item.deliveries += 1;
      const msg = { subject: item.subject, data: item.data, deadlineMs: item.deadlineMs, deliveryCount: item.deliveries };
      // Taken after its deadline: reported to onExpired instead of run, settled like a handler.
      const expired = this.now() > item.deadlineMs;
      const onExpired = worker.opts.onExpired;
      if (expired && !onExpired) continue;
      this.deliverWork(q, worker, item, msg, expired ? async (m) => onExpired!(m) : worker.handler);
    }
  }

  private deliverWork(q: WorkQueue, worker: WorkWorker, item: WorkItem, msg: Parameters<WorkHandler>[0], handler: WorkHandler): void {
    let settled = false;
    const maxDeliver = worker.opts.maxDeliver ?? DEFAULT_WORK_MAX_DELIVER;
    const handBack = (delayMs: number) => {
      if (item.deliveries >= maxDeliver) {
        this.opts.logger?.error({ subject: item.subject, deliveryCount: item.deliveries }, 'work message given up after max deliveries');
        return;
      }
      this.timer(delayMs, () => {
        // Back at the front: it is the oldest, so the closest to its deadline.
        q.items.unshift(item);
        this.scheduleWorkPump(q);
      });
    };
    // In one process the consumer cannot die without the bus: a handler still running is
    // alive, and keeps its message up to holdMs as on NATS (in-progress signals).
    const ackWaitMs = worker.opts.ackWaitMs ?? this.opts.workAckWaitMs ?? DEFAULT_ACK_WAIT_MS;
    const ackTimer = this.timer(Math.max(ackWaitMs, worker.opts.holdMs ?? ackWaitMs), () => {
      if (settled) return;
      settled = true;
      handBack(0);
    });
    const run = async () => {
      try {
        await handler(msg);
        settled = true;
      } catch (err) {
        if (!settled) {
          settled = true;
          this.opts.logger?.warn({ err, subject: item.subject, deliveryCount: item.deliveries }, 'work handler failed');
          handBack(this.backoff(item.deliveries));
        }
      } finally {
        this.clearTimer(ackTimer);
        worker.running.delete(running);
        this.workRunning.delete(running);
        this.scheduleWorkPump(q);
      }
    };
    const running = run();
    worker.running.add(running);
    this.workRunning.add(running);
  }

  async flush(): Promise<void> {
    // Deliveries are queued with setImmediate; one more turn lets them all start.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const sub of this.subs) sub.active = false;
    this.subs.clear();
    const idle: Promise<void>[] = [];
    for (const c of this.consumers.values()) {
      for (const w of c.workers) idle.push(...w.running);
      c.workers = [];
    }
    for (const q of this.work.values()) q.workers = [];
    // Also those of consumers that unsubscribed: they settle their messages when they end.
    idle.push(...this.workRunning);
    await Promise.all(idle);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('job bus is closed');
  }

  private deliverCore(sub: CoreSub, data: Uint8Array, subject: string): void {
    setImmediate(() => {
      if (!sub.active || this.closed) return;
      try {
        const r = sub.handler(data, subject);
        if (r && typeof (r as Promise<void>).catch === 'function') {
          (r as Promise<void>).catch((err) => this.opts.logger?.error({ err, subject }, 'message handler failed'));
        }
      } catch (err) {
        this.opts.logger?.error({ err, subject }, 'message handler failed');
      }
    });
  }

  private pruneDedup(now: number): void {
    // Map keeps insertion order = publish order, so expired ids are at the front.
    for (const [id, at] of this.dedup) {
      if (now - at < this.duplicateWindowMs) break;
      this.dedup.delete(id);
    }
  }

  private schedulePump(c: Consumer): void {
    if (c.pumpScheduled || this.closed) return;
    c.pumpScheduled = true;
    setImmediate(() => {
      c.pumpScheduled = false;
      this.pump(c);
    });
  }

  private pump(c: Consumer): void {
    if (this.closed) return;
    for (;;) {
      const worker = c.workers.find((w) => w.running.size < w.maxInFlight);
      if (!worker) return;
      const msg = this.nextMessage(c);
      if (!msg) return;
      this.deliverDurable(c, worker, msg);
    }
  }

  private nextMessage(c: Consumer): StoredMessage | undefined {
    while (c.ready.length) {
      const seq = c.ready.shift()!;
      const msg = this.stream.get(seq);
      if (msg && c.deliveries.has(seq)) return msg;
      c.deliveries.delete(seq); // dropped from the stream by the size limit
    }
    if (c.nextSeq < this.firstSeq) c.nextSeq = this.firstSeq;
    while (c.nextSeq <= this.lastSeq) {
      const msg = this.stream.get(c.nextSeq++);
      if (msg && subjectMatches(c.filter, msg.subject)) return msg;
    }
    return undefined;
  }

  private deliverDurable(c: Consumer, worker: Worker, msg: StoredMessage): void {
    const deliveryCount = (c.deliveries.get(msg.seq) ?? 0) + 1;
    c.deliveries.set(msg.seq, deliveryCount);
    let settled = false;
    // Like JetStream's ack wait: a handler that neither resolves nor throws in time does
    // not hold the message hostage; it is redelivered (to this or another subscription).
    const ackTimer = this.timer(c.ackWaitMs, () => {
      if (settled) return;
      settled = true;
      this.retryOrGiveUp(c, msg, deliveryCount, 0);
    });
    const run = async () => {
      try {
        await worker.handler({ subject: msg.subject, data: msg.data, deliveryCount });
        // A late ack still acknowledges the message, as on JetStream.
        settled = true;
        c.deliveries.delete(msg.seq);
      } catch (err) {
        if (!settled) {
          settled = true;
          this.opts.logger?.warn({ err, subject: msg.subject, deliveryCount, durable: c.name }, 'durable handler failed');
          this.retryOrGiveUp(c, msg, deliveryCount, this.backoff(deliveryCount));
        }
      } finally {
        this.clearTimer(ackTimer);
        worker.running.delete(running);
        this.schedulePump(c);
      }
    };
    const running = run();
    worker.running.add(running);
  }

  private retryOrGiveUp(c: Consumer, msg: StoredMessage, deliveryCount: number, delayMs: number): void {
    if (deliveryCount >= c.maxDeliver) {
      c.deliveries.delete(msg.seq);
      this.opts.logger?.error({ subject: msg.subject, deliveryCount, durable: c.name }, 'durable message given up after max deliveries');
      return;
    }
    this.timer(delayMs, () => {
      if (!c.deliveries.has(msg.seq)) return;
      c.ready.push(msg.seq);
      this.schedulePump(c);
    });
  }

  private backoff(deliveryCount: number): number {
    return this.backoffMs[Math.min(deliveryCount - 1, this.backoffMs.length - 1)];
  }

  private timer(ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    t.unref?.();
    this.timers.add(t);
    return t;
  }

  private clearTimer(t: NodeJS.Timeout): void {
    clearTimeout(t);
    this.timers.delete(t);
  }
}
