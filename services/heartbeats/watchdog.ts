/**
 * The heartbeat watchdog: server-side lateness detection for Job monitors. Every tick it
 * asks the store for clocks whose deadline passed (no ping by expected time + grace, or a
 * start not finished within grace) and reports them as Down results. Safe to run in more
 * than one process: the store claims rows with SKIP LOCKED and result ids are deterministic.
 */
import type { Logger } from '../lib/logger.js';
import type { HeartbeatStore, PublishResults } from './heartbeat-store.js';

export interface HeartbeatWatchdogDeps {
  store: HeartbeatStore;
  publish: PublishResults;
  logger: Logger;
  now?: () => number;
  intervalMs?: number;
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

  const timer = setInterval(() => {
    if (!stopped) tick().catch((err) => logger.error({ err }, 'heartbeat watchdog pass failed'));
  }, deps.intervalMs ?? 1_000);
  timer.unref();
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
      clearInterval(timer);
      clearInterval(pruner);
      await running?.catch(() => undefined);
    },
  };
}
