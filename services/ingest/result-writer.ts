/**
 * ResultWriter: coalesces the result batches of every agent stream into one ClickHouse
 * insert (a "group commit"), so ClickHouse sees few large inserts however many agents
 * are connected.
 *
 * Order of one flush, and why:
 *   1. de-duplicate by result id inside the flush;
 *   2. drop ids hot state has seen — seen means stored AND published, so they are done;
 *   3. ask the store about the rest: an id stored by an earlier attempt that crashed (or
 *      failed to publish) before marking it seen is not inserted again, but is published
 *      again (the bus de-duplicates by msgId; alerting is idempotent). On chDB the store
 *      answers most ids without a query: those above their series' slot watermark
 *      (services/lib/results/watermarks.ts) cannot be stored;
 *   4. insert the new rows; 5. publish to alerting; 6. mark seen; 7. resolve the batches.
 * Marking seen only after publishing means a publish failure cannot turn into an id that
 * is acknowledged as a duplicate but never reached alerting. Any failure rejects every
 * batch of the flush: nothing is acknowledged, the agents resend, and steps 2–3 make the
 * resend safe.
 *
 * When, by what arrived (issue 18): a flush waits at most maxDelayMs for company when it
 * holds a result alerting may act on — a failure, or a success of a series whose last result
 * this process saw was not one (a recovery, a first result) — or when insertRows are waiting;
 * results that only repeat a success wait up to quietDelayMs (5 s), or until insertRows rows or
 * insertBatches batches are waiting. At a few checks a second every insert is a new part (and
 * a part of the hourly rollup, merged later on chDB's own threads), which cost more than the
 * rest of a result's path; so the quiet steady state is written every few seconds, while a
 * Down still reaches alerting as fast as before, and always after it is stored. insertBatches
 * keeps the wait well inside an agent's window of unacknowledged batches (32) and the
 * intakes' messages in flight (256), so no sender stalls on a quiet flush.
 *
 * Pipelined, one deep: steps 1–4 of flush N+1 (store work, off the event loop in chDB or
 * on the server) run while steps 5–7 of flush N (publish, JS work) do. Steps 1–4 of two
 * flushes never overlap, so N+1's store lookup sees N's rows: an id in both is inserted
 * once and published by both (the bus de-duplicates by msgId). Hand-offs run in flush
 * order, and N+2's store work waits for N's hand-off, so memory stays bounded.
 */
import type { Logger } from '../lib/logger.js';
import type { HotState } from '../lib/ports/hot-state.js';
import type { JobBus } from '../lib/ports/job-bus.js';
import type { ResultStore } from '../lib/ports/results-store.js';
import type { Subjects } from '../lib/subjects.js';
import type { StoredResult } from '../lib/results/types.js';
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { CheckResult, CheckStatus } from '../../proto/generated/pharos/v1/result.js';

export const SEEN_NAMESPACE = 'results';
/** Series remembered as last succeeding, at most (~100 bytes each). */
const MAX_UP_SERIES = 200_000;

export interface IncomingResult {
  stored: StoredResult;
  /** The wire message with the region already replaced by the token's. */
  message: CheckResult;
}

export interface BatchOutcome {
  accepted: number;
  duplicates: number;
}

export interface ResultWriterOptions {
  /** Rows per insert at most. */
  maxRows?: number;
  /** How long a batch that alerting may act on waits for company before it is written. */
  maxDelayMs?: number;
  /** How long a batch that only repeats successes waits for company before it is written. */
  quietDelayMs?: number;
  /** Rows waiting that are written within maxDelayMs whatever they hold. */
  insertRows?: number;
  /** Batches waiting (agent batches, intake messages) that are written within maxDelayMs whatever they hold. */
  insertBatches?: number;
  /** How long hot state remembers a stored id; older resends are caught by the store. */
  seenTtlMs?: number;
}

/** Whether a maintenance window held a monitor at an instant (MaintenanceCalendar.holds). */
export interface MaintenanceLookup {
  holds(orgId: string, monitorId: string, tMs: number): boolean;
}

export interface ResultWriterDeps {
  /** Marks checks taken in a maintenance window (`in_maintenance`), which statistics leave out; none marked without it. */
  maintenance?: MaintenanceLookup;
  store: ResultStore;
  hotState: HotState;
  bus: JobBus;
  subjects: Subjects;
  logger: Logger;
}

/** A flush whose rows are stored, waiting for its hand-off to alerting. */
interface Stored {
  batches: Pending[];
  rows: number;
  started: number;
  event: Record<string, unknown>;
  /** Every id of the flush not seen before (stored now or earlier): published, then marked. */
  unseen: IncomingResult[];
  /** Ids inserted by this flush (accepted). */
  fresh: Set<string>;
}

interface Pending {
  items: IncomingResult[];
  resolve(outcome: BatchOutcome): void;
  reject(err: unknown): void;
}

export class ResultWriter {
  private readonly maxRows: number;
  private readonly maxDelayMs: number;
  private readonly quietDelayMs: number;
  private readonly insertRows: number;
  private readonly insertBatches: number;
  private readonly seenTtlMs: number;
  private queue: Pending[] = [];
  private queuedRows = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  /** Set by kick(): what is queued is to be written now. */
  private due = false;
  /** A batch alerting may act on is queued. */
  private urgentQueued = false;
  private running: Promise<void> | undefined;
  /** Series (org, monitor, region) whose last result seen here was a success; bounded. */
  private upSeries = new Set<string>();

  constructor(private readonly deps: ResultWriterDeps, opts: ResultWriterOptions = {}) {
    this.maxRows = opts.maxRows ?? 20_000;
    this.maxDelayMs = opts.maxDelayMs ?? 100;
    this.quietDelayMs = Math.max(opts.quietDelayMs ?? 5_000, this.maxDelayMs);
    this.insertRows = opts.insertRows ?? 1_000;
    this.insertBatches = opts.insertBatches ?? 16;
    this.seenTtlMs = opts.seenTtlMs ?? 15 * 60_000;
  }

  /** Resolves once every result of the batch is stored and handed to alerting. */
  write(items: IncomingResult[]): Promise<BatchOutcome> {
    if (items.length === 0) return Promise.resolve({ accepted: 0, duplicates: 0 });
    return new Promise<BatchOutcome>((resolve, reject) => {
      if (this.actionable(items)) this.urgentQueued = true;
      this.queue.push({ items, resolve, reject });
      this.queuedRows += items.length;
      if (this.queuedRows >= this.maxRows) this.kick();
      else this.schedule(this.pressing() ? this.maxDelayMs : this.quietDelayMs);
    });
  }

  /**
   * Whether alerting may act on a result of the batch: a failure, or a success of a series not
   * last seen succeeding here (a recovery, a first result, anything after a restart). Skipped
   * and missed slots change no status.
   */
  private actionable(items: readonly IncomingResult[]): boolean {
    let urgent = false;
    for (const { message: m } of items) {
      if (m.status !== CheckStatus.CHECK_STATUS_UP && m.status !== CheckStatus.CHECK_STATUS_DOWN) continue;
      const series = `${m.orgId}\u0000${m.monitorId}\u0000${m.region}`;
      if (m.status === CheckStatus.CHECK_STATUS_DOWN) {
        this.upSeries.delete(series);
        urgent = true;
      } else if (!this.upSeries.has(series)) {
        // Forgetting every series at the cap only makes each one's next success prompt once.
        if (this.upSeries.size >= MAX_UP_SERIES) this.upSeries.clear();
        this.upSeries.add(series);
        urgent = true;
      }
    }
    return urgent;
  }

  /** A batch to act on, insertRows or insertBatches are queued: written within maxDelayMs, and right after a flush in progress. */
  private pressing(): boolean {
    return this.urgentQueued || this.queuedRows >= this.insertRows || this.queue.length >= this.insertBatches;
  }

  /** Writes what is queued within `ms`, or sooner if an earlier write is already scheduled. */
  private schedule(ms: number): void {
    const at = performance.now() + ms;
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => this.kick(), ms);
  }

  /** Writes whatever is queued and waits for it. */
  async drain(): Promise<void> {
    this.kick();
    while (this.running) await this.running;
  }

  private kick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    this.due = true;
    if (this.running || this.queue.length === 0) return;
    this.running = this.loop().finally(() => {
      this.running = undefined;
      // Kicked after the loop's last look: what was due is written now, not at a later kick.
      if (this.due && this.queue.length > 0) this.kick();
    });
  }

  /**
   * Store work one flush at a time, each flush's hand-off overlapping the next flush's
   * store work. A flush takes what is queued when it is due (kicked); what queues up during
   * a flush is written when its own delay runs out, so under load inserts grow on their own.
   */
  private async loop(): Promise<void> {
    let handOff: Promise<void> | undefined;
    for (;;) {
      // Under load (insertRows or insertBatches waiting, or a batch to act on) flushes follow
      // each other at once, as before; a quiet queue waits for its timer.
      if (this.queue.length === 0 || !(this.due || this.pressing())) {
        if (!handOff) return;
        await handOff;
        handOff = undefined;
        continue;
      }
      const taken: Pending[] = [];
      let rows = 0;
      while (this.queue.length > 0 && (taken.length === 0 || rows + this.queue[0].items.length <= this.maxRows)) {
        const next = this.queue.shift()!;
        taken.push(next);
        rows += next.items.length;
      }
      this.queuedRows -= rows;
      // Batches left behind by maxRows were due too; later arrivals schedule their own flush.
      this.due = this.queue.length > 0;
      if (!this.due) this.urgentQueued = false;
      const stored = await this.store(taken, rows);
      // One hand-off in flight at most: wait for the previous one before starting this one.
      if (handOff) await handOff;
      handOff = stored ? this.handOff(stored) : undefined;
    }
  }

  /** Steps 1–4. Resolves undefined (batches rejected) when the rows could not be stored. */
  private async store(batches: Pending[], rows: number): Promise<Stored | undefined> {
    const started = performance.now();
    const { store, hotState } = this.deps;
    const event: Record<string, unknown> = { event: 'ingest.flush', agentBatches: batches.length, results: rows };
    try {
      const unique = new Map<string, IncomingResult>();
      for (const b of batches) for (const item of b.items) if (!unique.has(item.stored.resultId)) unique.set(item.stored.resultId, item);

      const lap = stopwatch();
      const seen = await hotState.filterSeen(SEEN_NAMESPACE, [...unique.keys()]);
      const unseen: IncomingResult[] = [];
      for (const [id, item] of unique) if (!seen.has(id)) unseen.push(item);
      event.seenMs = lap();
      const already = await this.alreadyStored(unseen);
      const freshRows: StoredResult[] = [];
      const fresh = new Set<string>();
      for (const item of unseen) {
        if (already.has(item.stored.resultId)) continue;
        freshRows.push(item.stored);
        fresh.add(item.stored.resultId);
      }
      event.lookupMs = lap();

      const maintenance = this.deps.maintenance;
      if (maintenance) {
        let held = 0;
        for (const r of freshRows) if ((r.inMaintenance = maintenance.holds(r.orgId, r.monitorId, r.startedAtMs))) held++;
        event.inMaintenance = held;
      }
      if (freshRows.length > 0) await store.insertResults(freshRows);
      event.insertMs = lap();
      Object.assign(event, { seenBefore: seen.size, storedBefore: already.size, republished: already.size });
      return { batches, rows, started, event, unseen, fresh };
    } catch (err) {
      // Returned, not logged: each batch's own event records the failure.
      for (const b of batches) b.reject(err);
      return undefined;
    }
  }

  /** Steps 5–7; never rejects (a failure rejects the flush's batches). */
  private async handOff(s: Stored): Promise<void> {
    const { hotState, logger } = this.deps;
    const { batches, event, unseen, fresh } = s;
    try {
      const lap = stopwatch();
      await this.publish(unseen.map((item) => item.message));
      event.publishMs = lap();
      if (unseen.length > 0) await hotState.markSeen(SEEN_NAMESPACE, unseen.map((item) => item.stored.resultId), this.seenTtlMs);
      event.markSeenMs = lap();

      let accepted = 0;
      for (const b of batches) {
        // An id counts as accepted once, for the first batch that brought it.
        let n = 0;
        for (const item of b.items) if (fresh.delete(item.stored.resultId)) n += 1;
        accepted += n;
        b.resolve({ accepted: n, duplicates: b.items.length - n });
      }
      Object.assign(event, { accepted, duplicates: s.rows - accepted });
      // The wide event per agent batch is the stream's; this one shows how batches coalesced.
      logger.debug({ ...event, durationMs: Math.round(performance.now() - s.started) }, 'results flushed');
    } catch (err) {
      for (const b of batches) b.reject(err);
    }
  }

  private async alreadyStored(items: readonly IncomingResult[]): Promise<Set<string>> {
    const byOrg = new Map<string, string[]>();
    for (const { stored: r } of items) {
      const ids = byOrg.get(r.orgId);
      if (ids) ids.push(r.resultId);
      else byOrg.set(r.orgId, [r.resultId]);
    }
    // Asked all at once: a store may answer them together (ClickHouseResultStore does).
    const answers = await Promise.all([...byOrg].map(([org, ids]) => this.deps.store.existingIds(org, ids)));
    const out = new Set<string>();
    for (const a of answers) for (const id of a) out.add(id);
    return out;
  }

  private async publish(messages: CheckResult[]): Promise<void> {
    if (messages.length === 0) return;
    const { bus, subjects } = this.deps;
    // One writer for the whole flush: finish() copies out each message and keeps the
    // buffer, instead of growing a fresh one per message.
    const writer = new BinaryWriter();
    await bus.publishDurableBatch(messages.map((m) => ({
      subject: subjects.results(m.region),
      data: CheckResult.encode(m, writer).finish(),
      msgId: m.resultId,
    })));
  }
}

function stopwatch(): () => number {
  let last = performance.now();
  return () => {
    const now = performance.now();
    const ms = Math.round((now - last) * 10) / 10;
    last = now;
    return ms;
  };
}
