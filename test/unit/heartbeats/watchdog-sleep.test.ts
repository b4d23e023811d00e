/**
 * The heartbeat watchdog where its process writes every clock (`maxSleepMs`, `pharos dev`):
 * it sleeps until the next deadline instead of passing every `intervalMs`, a deadline a
 * write announces wakes it earlier, and passes stay at least `intervalMs` apart. The store
 * here is a stand-in recording when it was swept; what the real store announces and answers
 * is tested against the database in test/integration/heartbeat-deadlines.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { startHeartbeatWatchdog, type HeartbeatWatchdog } from '../../../services/heartbeats/watchdog.js';
import type { HeartbeatStore } from '../../../services/heartbeats/heartbeat-store.js';
import { eventually } from '../../support/services.js';

function standInStore(nextDeadline: () => number | null) {
  const sweeps: number[] = [];
  const listeners = new Set<(atMs: number) => void>();
  const store = {
    async sweep() { sweeps.push(Date.now()); return 0; },
    async nextDeadline() { return nextDeadline(); },
    onDeadlineSet(l: (atMs: number) => void) { listeners.add(l); return () => listeners.delete(l); },
    async prunePings() { return 0; },
  };
  return { store: store as unknown as HeartbeatStore, sweeps, announce: (atMs: number) => { for (const l of listeners) l(atMs); } };
}

let watchdog: HeartbeatWatchdog | undefined;
afterEach(async () => { await watchdog?.stop(); });
const logger = pino({ level: 'silent' });

describe('heartbeat watchdog sleeping until the next deadline', () => {
  it('passes at the next deadline, not every interval, and a write announcing an earlier one wakes it', async () => {
    let next: number | null = null;
    const s = standInStore(() => next);
    const started = Date.now();
    watchdog = startHeartbeatWatchdog({ store: s.store, publish: async () => {}, logger, intervalMs: 10, maxSleepMs: 60_000 });
    await eventually(() => s.sweeps.length === 1, { what: 'the first pass' });
    expect(s.sweeps[0]! - started).toBeGreaterThanOrEqual(5);

    // No deadline: it sleeps (up to maxSleepMs); a deadline 150 ms ahead is announced.
    const deadline = Date.now() + 150;
    next = deadline;
    s.announce(deadline);
    await eventually(() => s.sweeps.length >= 2, { what: 'the pass at the announced deadline' });
    // Polling every 10 ms would have swept ~15 times by then; sleeping, the second pass is the one at the deadline.
    expect(s.sweeps).toHaveLength(2);
    expect(s.sweeps[1]!).toBeGreaterThanOrEqual(deadline - 5);
  });

  it('keeps passes intervalMs apart when deadlines are already due', async () => {
    const s = standInStore(() => Date.now() - 1_000);
    watchdog = startHeartbeatWatchdog({ store: s.store, publish: async () => {}, logger, intervalMs: 40, maxSleepMs: 60_000 });
    await eventually(() => s.sweeps.length >= 4, { what: 'four passes' });
    const gaps = s.sweeps.slice(1).map((t, i) => t - s.sweeps[i]!);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(35);
  });

  it('without maxSleepMs it passes every interval, as before', async () => {
    const s = standInStore(() => null);
    watchdog = startHeartbeatWatchdog({ store: s.store, publish: async () => {}, logger, intervalMs: 10 });
    await eventually(() => s.sweeps.length >= 3, { what: 'three passes with no deadline at all' });
  });
});
