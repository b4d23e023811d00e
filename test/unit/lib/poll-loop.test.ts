/** The workers' polling loop: a step per poll, a nudge runs one now, failures wait for the next, stop ends it. */
import { describe, expect, it } from 'vitest';
import { createPollLoop } from '../../../services/lib/poll-loop.js';
import { eventually } from '../../support/services.js';

describe('createPollLoop', () => {
  it('steps once at start, again when nudged (also mid-step), survives a failing step and stops without waiting out the interval', async () => {
    let steps = 0;
    const errors: unknown[] = [];
    let release: (() => void) | null = null;
    const loop = createPollLoop({
      // An hour between polls: every step after the first comes from a nudge.
      intervalMs: 3_600_000,
      onError: (err) => errors.push(err),
      step: async () => {
        steps += 1;
        if (steps === 2) throw new Error('database away');
        if (steps === 3) await new Promise<void>((r) => { release = r; });
      },
    });
    const done = loop.run();
    expect(loop.run()).toBe(done);
    await eventually(() => steps === 1);
    loop.nudge();
    await eventually(() => steps === 2 && errors.length === 1);
    expect((errors[0] as Error).message).toBe('database away');
    loop.nudge();
    await eventually(() => release !== null);
    // A nudge while step 3 runs makes step 4 follow at once.
    loop.nudge();
    release!();
    await eventually(() => steps === 4);
    expect(loop.running).toBe(true);
    await loop.stop();
    expect(loop.running).toBe(false);
    await done;
    expect(steps).toBe(4);
  });
});
