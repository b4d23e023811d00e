/**
 * The delivery worker of the alerting role (DESIGN.md §7a): leases due outbox rows, sends
 * each through the injected DeliverEvent, and records the attempt. All its state is in the
 * rows (due times, leases, attempts); the only timer is the one that wakes it, so a restart
 * loses and repeats nothing beyond the send a crash interrupted (sent again, same event id).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../lib/logger.js';
import type { DeliverEvent, DeliveryOutcome, StoredChannel } from '../channels/channel.js';
import type { AttemptToRecord, DeliveryStore, LeasedDelivery, RecordedAttempt } from './delivery-store.js';
import { createPollLoop } from '../../lib/poll-loop.js';

/**
 * Finds a delivery's channel with its settings ready to send; null when it was deleted.
 * `orgId` is null for an operator event (the deployment's own channels).
 */
export type ChannelLoader = (orgId: string | null, channelId: string) => Promise<StoredChannel | null>;

export interface DeliveryWorkerDeps {
  store: DeliveryStore;
  loadChannel: ChannelLoader;
  deliverEvent: DeliverEvent;
  logger: Logger;
  now?: () => number;
  /** How often to look for due rows without a nudge (retries, other processes' events). */
  pollIntervalMs?: number;
  /**
   * Set where every delivery queued reaches this worker as a nudge (`pharos dev`: PGlite's only
   * session listens for the outbox's inserts): instead of a poll every `pollIntervalMs` it
   * sleeps until the next due delivery or lease end, at most this long.
   */
  maxSleepMs?: number;
  /** How long a claim lasts; longer than a send's timeout, so only a dead worker's claim expires. */
  leaseMs?: number;
  /** The document's timeout for one send. */
  sendTimeoutMs?: number;
  /** How many due rows one claim takes. */
  batchSize?: number;
  /**
   * How many sends may be in flight at once. The next batch is claimed as soon as there is
   * room for it, while the current one is still sending, so a slow receiver in one batch does
   * not hold up the rest; each delivery is still claimed by one worker only (SKIP LOCKED).
   */
  maxInFlight?: number;
}

export interface DeliveryWorker {
  /** Sends everything due now; resolves with how many deliveries were attempted. */
  drain(): Promise<number>;
  /** New rows were committed in this process: look now rather than at the next poll. */
  nudge(): void;
  stop(): Promise<void>;
}

const timedOut = (ms: number): DeliveryOutcome => ({ ok: false, statusCode: null, error: `timed out after ${ms / 1000} s` });

export function createDeliveryWorker(deps: DeliveryWorkerDeps): DeliveryWorker & { run(): Promise<void> } {
  const now = deps.now ?? Date.now;
  const leaseMs = deps.leaseMs ?? 60_000;
  const sendTimeoutMs = deps.sendTimeoutMs ?? 10_000;
  const batchSize = deps.batchSize ?? 32;
  const maxInFlight = Math.max(deps.maxInFlight ?? 64, 1);
  const maxSleepMs = deps.maxSleepMs;
  const loop = createPollLoop({
    step: () => drain(),
    intervalMs: deps.pollIntervalMs ?? 1_000,
    waitMs: maxSleepMs === undefined ? undefined : async () => {
      const next = await deps.store.nextDueAtMs();
      // At least 10 ms: a timer may fire a little before the clock reads the due time.
      return next === null ? maxSleepMs : Math.min(Math.max(next - now(), 10), maxSleepMs);
    },
    // Transient (the database is away): the rows wait, the next poll retries.
    onError: (err) => deps.logger.warn({ event: 'alert.delivery_poll_failed', err }, 'delivery poll failed'),
  });

  // Group commit: attempts finished in the same turn of the event loop, or while a write is
  // in flight, are recorded together by the next write, so a busy worker writes one statement
  // per group rather than one per delivery. The first write waits for the end of the turn
  // (setImmediate: after the I/O callbacks already due, no timer): PGlite runs a statement
  // synchronously on this thread, so nothing else would finish "while it is in flight" and
  // every group would be of one. A lone delivery is still recorded at once.
  let queued: Array<{ entry: AttemptToRecord; resolve: (r: RecordedAttempt | null) => void; reject: (err: unknown) => void }> = [];
  let writing = false;
  let scheduled = false;
  async function flushRecords(): Promise<void> {
    scheduled = false;
    if (writing) return;
    writing = true;
    try {
      while (queued.length > 0) {
        const group = queued;
        queued = [];
        try {
          const results = await deps.store.recordMany(group.map((q) => q.entry));
          group.forEach((q, i) => q.resolve(results[i]));
        } catch (err) {
          for (const q of group) q.reject(err);
        }
      }
    } finally {
      writing = false;
    }
  }
  function record(entry: AttemptToRecord): Promise<RecordedAttempt | null> {
    return new Promise((resolve, reject) => {
      queued.push({ entry, resolve, reject });
      if (!writing && !scheduled) {
        scheduled = true;
        setImmediate(() => void flushRecords());
      }
    });
  }

  async function send(channel: StoredChannel, d: LeasedDelivery): Promise<DeliveryOutcome> {
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    // A sender that ignores the signal still cannot hold the lease past the timeout.
    const deadline = new Promise<DeliveryOutcome>((resolve) => {
      timer = setTimeout(() => { abort.abort(); resolve(timedOut(sendTimeoutMs)); }, sendTimeoutMs);
    });
    try {
      return await Promise.race([
        deps.deliverEvent(channel, d.event, { signal: abort.signal, now }).catch((err: unknown): DeliveryOutcome => ({
          ok: false, statusCode: null, error: err instanceof Error ? err.message.slice(0, 200) : 'send failed',
        })),
        deadline,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  async function deliverOne(d: LeasedDelivery, token: string, loadChannel: ChannelLoader): Promise<void> {
    const startedAtMs = now();
    const channel = await loadChannel(d.orgId, d.channelId);
    const outcome = channel ? await send(channel, d) : { ok: false, statusCode: null, error: 'channel no longer exists' };
    const recorded = await record({ delivery: d, token, outcome, startedAtMs, nowMs: now(), permanent: channel === null });
    // One wide event per delivery, with ids only: never a channel's settings or URL.
    deps.logger.info({
      event: 'alert.delivery', deliveryId: d.id, eventId: d.event.id, eventType: d.event.event, orgId: d.orgId, monitorId: d.monitorId,
      channelId: d.channelId, channelType: channel?.type ?? null, attempt: recorded?.attempt ?? d.attemptCount + 1,
      status: recorded?.status ?? 'lease_lost', nextAttemptAt: recorded?.nextAttemptAtMs ? new Date(recorded.nextAttemptAtMs).toISOString() : null,
      ok: outcome.ok, statusCode: outcome.statusCode, error: outcome.error, durationMs: now() - startedAtMs,
    }, outcome.ok ? 'alert delivered' : 'alert delivery failed');
  }

  /** Claims up to `limit` due rows and starts sending them; answers the started sends. */
  async function claimAndStart(limit: number): Promise<Array<Promise<void>>> {
    const token = randomUUID();
    const batch = await deps.store.lease(now(), leaseMs, token, limit);
    // A channel is loaded (read and unsealed) once per batch, however many of its deliveries are in it.
    const loaded = new Map<string, Promise<StoredChannel | null>>();
    const loadOnce: ChannelLoader = (orgId, channelId) => {
      const key = `${orgId}/${channelId}`;
      let p = loaded.get(key);
      if (!p) loaded.set(key, p = deps.loadChannel(orgId, channelId));
      return p;
    };
    return batch.map((d) => deliverOne(d, token, loadOnce));
  }

  /**
   * A window of at most maxInFlight sends: a batch is claimed whenever there is room for one
   * (a whole batch, or what room is left when maxInFlight is smaller), so claims overlap sends.
   * Stops claiming once a claim comes back short (nothing more is due) or the worker stops,
   * and resolves when every started send has been recorded.
   */
  async function drain(): Promise<number> {
    let total = 0;
    let failure: { err: unknown } | null = null;
    const inFlight = new Set<Promise<void>>();
    const wanted = Math.min(batchSize, maxInFlight);
    try {
      for (;;) {
        if (maxInFlight - inFlight.size < wanted) {
          await Promise.race(inFlight);
          if (failure) break;
          continue;
        }
        const limit = Math.min(batchSize, maxInFlight - inFlight.size);
        const started = await claimAndStart(limit);
        for (const p of started) {
          const tracked: Promise<void> = p.then(
            () => { inFlight.delete(tracked); },
            (err: unknown) => { inFlight.delete(tracked); failure ??= { err }; },
          );
          inFlight.add(tracked);
        }
        total += started.length;
        if (started.length < limit || !loop.running || failure) break;
      }
    } finally {
      // Whatever happens to a claim, sends already started finish and are recorded.
      await Promise.all(inFlight);
    }
    if (failure) throw (failure as { err: unknown }).err;
    return total;
  }

  return {
    drain,
    nudge: () => loop.nudge(),
    run: () => loop.run(),
    stop: () => loop.stop(),
  };
}

/** Creates a worker and starts its polling loop. */
export function startDeliveryWorker(deps: DeliveryWorkerDeps): DeliveryWorker {
  const worker = createDeliveryWorker(deps);
  void worker.run();
  return worker;
}
