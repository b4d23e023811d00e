/**
 * The heartbeat watchdog: server-side lateness detection for Job monitors. Every tick it
 * asks the store for clocks whose deadline passed (no ping by expected time + grace, or a
 * start not finished within grace) and reports them as Down results. Safe to run in more
 * than one process: the store claims rows with SKIP LOCKED and result ids are deterministic.
 *
 * `maxSleepMs` (set where this process is the store's only writer: `pharos dev` on PGlite):
 * instead of a pass every `intervalMs`, it sleeps until the next deadline of any clock, at
 * most `maxSleepMs`, and the store wakes it earlier when a write of its own sets an earlier
 * deadline. Passes are still at least `intervalMs` apart, so lateness is reported no later
 * than with polling, and an idle process does not query every second.
 */
import type { Logger } from '../lib/logger.js';
import type { HeartbeatStore, PublishResults } from './heartbeat-store.js';

export interface HeartbeatWatchdogDeps {
  store: HeartbeatStore;
  publish: PublishResults;
  logger: Logger;
  now?: () => number;
  intervalMs?: number;
  /** Sleep until the next deadline, at most this long (only where every clock write goes through `store`). */
  maxSleepMs?: number;
  /** Pings kept per Job monitor; older ones are pruned every PRUNE_EVERY_MS. */
  pingsKept?: number;
}

export const DEFAULT_PINGS_KEPT = 1_000;
const PRUNE_EVERY_MS = 10 * 60_000;

export interface HeartbeatWatchdog {
  /** One full pass now; resolves with the number of results reported. */
  tick(): Promise<number>;
  stop(): Promise<void>;
}

const BATCH = 500;

export function startHeartbeatWatchdog(deps: HeartbeatWatchdogDeps): HeartbeatWatchdog {
  const now = deps.now ?? Date.now;
  const logger = deps.logger.child({ component: 'heartbeat-watchdog' });
  let running: Promise<number> | null = null;
  let stopped = false;

  async function pass(): Promise<number> {
    const at = now();
    let total = 0;
    for (;;) {
      const reported = await deps.store.sweep(at, deps.publish, BATCH, (monitorId, err) =>
        logger.error({ err, monitorId }, 'Job schedule could not be computed; its lateness deadline is dropped'));
      total += reported;
      if (reported < BATCH) break;
    }
    if (total) logger.info({ event: 'heartbeats.late', reported: total, at: new Date(at).toISOString() }, 'late heartbeats reported');
    return total;
  }

  function tick(): Promise<number> {
    running ??= pass().finally(() => {
      running = null;
    });
    return running;
  }

  const intervalMs = deps.intervalMs ?? 1_000;
  let timer: NodeJS.Timeout | undefined;
  let wakeAtMs = Infinity;
  let lastPassMs = -Infinity;
  /** The next pass at `atMs` (never sooner than intervalMs after the last), unless one is due earlier already. */
  function wakeAt(atMs: number): void {
    const at = Math.max(atMs, lastPassMs + intervalMs);
    if (stopped || (timer && at >= wakeAtMs)) return;
    clearTimeout(timer);
    wakeAtMs = at;
    timer = setTimeout(() => void scheduledPass(), Math.max(0, at - Date.now()));
    timer.unref();
  }
  async function scheduledPass(): Promise<void> {
    timer = undefined;
    wakeAtMs = Infinity;
    await tick().catch((err) => logger.error({ err }, 'heartbeat watchdog pass failed'));
    lastPassMs = Date.now();
    if (deps.maxSleepMs === undefined) return wakeAt(lastPassMs + intervalMs);
    // A failed read retries after intervalMs, as a poll would.
    const next = await deps.store.nextDeadline().catch(() => lastPassMs + intervalMs);
    wakeAt(Math.min(next ?? Infinity, Date.now() + deps.maxSleepMs));
  }
  const unsubscribe = deps.maxSleepMs === undefined ? () => {} : deps.store.onDeadlineSet((atMs) => wakeAt(atMs));
  wakeAt(Date.now() + intervalMs);
  const pruner = setInterval(() => {
    deps.store.prunePings(deps.pingsKept ?? DEFAULT_PINGS_KEPT).then(
      (pruned) => pruned && logger.info({ event: 'heartbeats.pruned', pruned }, 'old pings pruned'),
      (err) => logger.error({ err }, 'pruning old pings failed'),
    );
  }, PRUNE_EVERY_MS);
  pruner.unref();

  return {
    tick,
    async stop() {
      stopped = true;
      unsubscribe();
      clearTimeout(timer);
      clearInterval(pruner);
      await running?.catch(() => undefined);
    },
  };
}
