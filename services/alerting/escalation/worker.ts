/**
 * Fires due escalation steps. Keeps nothing in memory: every due time is a row, so a
 * restarted process picks up where the last left off, and several processes share the work.
 */
import type { Logger } from '../../lib/logger.js';
import type { EscalationTimers } from './timers.js';
import { createPollLoop } from '../../lib/poll-loop.js';

export interface EscalationWorkerDeps {
  timers: EscalationTimers;
  logger: Logger;
  now?: () => number;
  /** How often to look for due steps. */
  pollIntervalMs?: number;
  /** Called after steps fired (their deliveries are queued), to wake the delivery worker. */
  onFired?: () => void;
}

export interface EscalationWorker {
  /** Fires everything due now (tests call this with their own clock); returns the steps fired. */
  tick(): Promise<number>;
  stop(): Promise<void>;
}

export function startEscalationWorker(deps: EscalationWorkerDeps): EscalationWorker {
  const now = deps.now ?? Date.now;

  async function tick(): Promise<number> {
    let total = 0;
    for (;;) {
      const fired = await deps.timers.fireDue(now());
      total += fired;
      if (fired === 0) break;
    }
    if (total > 0) {
      deps.logger.info({ event: 'escalation.steps_fired', count: total }, 'escalation steps fired');
      deps.onFired?.();
    }
    return total;
  }

  const loop = createPollLoop({
    step: tick,
    intervalMs: deps.pollIntervalMs ?? 5_000,
    // Transient (the database is away): the rows wait for the next poll.
    onError: (err) => deps.logger.warn({ event: 'escalation.poll_failed', err }, 'escalation poll failed'),
  });
  void loop.run();

  return {
    tick,
    stop: () => loop.stop(),
  };
}
