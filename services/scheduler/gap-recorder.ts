/**
 * Records the slots a scheduler outage left unpublished (docs/decisions.md, "No silent gaps").
 *
 * The leader keeps a progress marker in hot state: every slot due at or before it has been
 * dispatched. A scheduler that becomes leader (a standby taking over, or a restart) reads
 * the marker its predecessor left, and every slot after it and before the slot it will
 * publish itself is stored as `missed` (`scheduler_down`).
 *
 * The marker is written at most every MARKER_EVERY_MS, so it can trail the last publish by
 * that much: a slot in that trail may have been published after all. Missed records are
 * therefore sent only once such a job's result would have reached ingest (the monitors'
 * longest timeout plus SETTLE_MS), so ingest's de-duplication by result id keeps the real
 * result and drops the missed record.
 */
import type { JobBus } from '../lib/ports/job-bus.js';
import type { HotState } from '../lib/ports/hot-state.js';
import type { Subjects } from '../lib/subjects.js';
import type { Logger } from '../lib/logger.js';
import type { Monitor } from '../lib/monitors/model.js';

/** What the recorder needs of a held monitor (the scheduler's snapshot, services/scheduler/snapshot.ts). */
export type RecordedMonitor = Pick<Monitor, 'id' | 'orgId' | 'type' | 'intervalSeconds' | 'timeoutSeconds'> & { readonly regions: readonly string[] };
import type { CheckResult } from '../../proto/generated/pharos/v1/result.js';
import { publishResultBatches } from '../heartbeats/heartbeat-results.js';
import { missedResult, slotsBetween } from './missed-slots.js';

const PROGRESS = 'scheduler-progress';
const FIELD = 'dispatched-through';
const MARKER_EVERY_MS = 1_000;
/**
 * How far back a takeover looks. An outage longer than this is recorded for its last day
 * only (the marker expires): bounded work and rows for a network that was down for days.
 */
export const MARKER_TTL_MS = 86_400_000;
const SETTLE_MS = 5_000;
/** Missed records per publish call, so a long outage is never built in memory at once. */
const CHUNK = 2_000;

export interface GapRecorderDeps {
  hotState: HotState;
  bus: JobBus;
  subjects: Subjects;
  logger: Logger;
  now: () => number;
  /** Wait before sending a takeover's records; tests shorten it. */
  settleMs?: number;
  /**
   * The earliest slot the scheduler holds in memory unpublished (its backlog of jobs the bus
   * refused), if any: the marker stays before it, so those slots are recorded by a takeover
   * if this process dies with them.
   */
  oldestKeptSlot?: () => number | undefined;
}

export interface GapRecorder {
  /**
   * The leader dispatched every slot due at or before `t`; `final` writes it unthrottled (a
   * clean stop). The marker written is held back before any slot still only in this
   * process's memory — kept jobs, missed records not yet sent — so none is lost with it.
   */
  dispatched(t: number, final?: boolean): Promise<void>;
  /**
   * This scheduler just became leader: record as missed every slot after the predecessor's
   * marker and before `firstOwnSlot(monitor)`.
   */
  tookOver<M extends RecordedMonitor>(monitors: Iterable<M>, firstOwnSlot: (m: M) => number | undefined): Promise<void>;
  /**
   * Keeps missed records to send (the bus that refused their jobs refuses them too);
   * `flush` sends them once it takes them.
   */
  record(results: CheckResult[]): void;
  flush(): Promise<void>;
  /** Sends what is still waiting to settle now: better early than lost with the process. */
  stop(): Promise<void>;
}

/** Missed records waiting for the bus; past this the oldest are dropped, and the count logged. */
const MAX_UNSENT = 200_000;

export function createGapRecorder(deps: GapRecorderDeps): GapRecorder {
  const { hotState, logger, now } = deps;
  let lastWrite = -Infinity;
  const pending = new Map<NodeJS.Timeout, CheckResult[]>();
  let unsent: CheckResult[] = [];
  let flushing = false;
  /** The batch `flush` is sending: not recorded until the bus has it. */
  let sending: CheckResult[] = [];

  function record(results: CheckResult[]): void {
    unsent.push(...results);
    const over = unsent.length - MAX_UNSENT;
    if (over > 0) {
      unsent.splice(0, over);
      logger.error({ event: 'scheduler.missed_dropped', dropped: over }, 'missed records dropped: the bus has been unreachable too long');
    }
  }

  /** The earliest slot known only to this process: kept jobs, unsent or settling missed records. */
  function oldestUnrecorded(): number {
    let oldest = deps.oldestKeptSlot?.() ?? Infinity;
    for (const r of unsent) oldest = Math.min(oldest, r.scheduledAtMs);
    for (const r of sending) oldest = Math.min(oldest, r.scheduledAtMs);
    for (const list of pending.values()) for (const r of list) oldest = Math.min(oldest, r.scheduledAtMs);
    return oldest;
  }

  async function send(results: CheckResult[]): Promise<void> {
    for (let i = 0; i < results.length; i += CHUNK) {
      await publishResultBatches(deps.bus, deps.subjects.missedResults, 'missed', results.slice(i, i + CHUNK));
    }
  }

  return {
    async dispatched(t, final = false) {
      if (!final && t - lastWrite < MARKER_EVERY_MS) return;
      lastWrite = t;
      const through = Math.min(t, oldestUnrecorded() - 1);
      await hotState.putRecord(PROGRESS, FIELD, String(through), MARKER_TTL_MS);
    },

    async tookOver(monitors, firstOwnSlot) {
      const raw = (await hotState.getRecords(PROGRESS))[FIELD];
      const marker = raw === undefined ? NaN : Number(raw);
      // No marker: the first scheduler ever, or one down for longer than the marker lives.
      if (!Number.isFinite(marker)) return;
      const from = Math.max(marker, now() - MARKER_TTL_MS);
      const missed: CheckResult[] = [];
      let longestTimeoutMs = 0;
      for (const m of monitors) {
        const until = firstOwnSlot(m);
        if (until === undefined) continue;
        for (const slot of slotsBetween(m, from, until)) {
          for (const region of m.regions) missed.push(missedResult(m, region, slot, 'scheduler_down'));
          longestTimeoutMs = Math.max(longestTimeoutMs, m.timeoutSeconds * 1000);
        }
      }
      if (missed.length === 0) return;
      logger.warn({ event: 'scheduler.slots_missed', reason: 'scheduler_down', slots: missed.length, fromMs: from }, 'recording slots no scheduler published');
      const timer = setTimeout(() => {
        pending.delete(timer);
        // The bus may be down now: keep them with the other unsent records, retried by flush.
        send(missed).catch((err) => {
          logger.warn({ err, slots: missed.length }, 'missed slots not sent yet; kept for the bus');
          record(missed);
        });
      }, longestTimeoutMs + (deps.settleMs ?? SETTLE_MS));
      pending.set(timer, missed);
    },

    record,

    async flush() {
      if (unsent.length === 0 || flushing) return;
      flushing = true;
      const batch = unsent;
      unsent = [];
      sending = batch;
      try {
        await send(batch);
      } catch {
        // Still unreachable. Re-sending the lot is safe: batch ids and result ids de-duplicate.
        unsent = batch.concat(unsent);
      } finally {
        sending = [];
        flushing = false;
      }
    },

    async stop() {
      const left = [...pending.values()].flat();
      for (const t of pending.keys()) clearTimeout(t);
      pending.clear();
      left.push(...unsent);
      unsent = [];
      // Not sent: they stay unsent, and the final marker stays before them for a takeover.
      if (left.length) await send(left).catch((err) => {
        unsent = left;
        logger.error({ err, slots: left.length }, 'recording missed slots failed: left to the next leader');
      });
    },
  };
}
