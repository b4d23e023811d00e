/** The workers' polling loop: a step per poll, a nudge runs one now, failures wait for the next, a wait the worker computes, stop ends it. */
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

  it('sleeps what waitMs answers after each step; a nudge while it computes runs the next step at once; a failed step or wait sleeps the interval', async () => {
    let steps = 0;
    let waits = 0;
    const errors: unknown[] = [];
    let answer: ((ms: number) => void) | null = null;
    const loop = createPollLoop({
      intervalMs: 3_600_000,
      onError: (err) => errors.push(err),
      step: async () => {
        steps += 1;
        if (steps === 4) throw new Error('database away');
      },
      waitMs: async () => {
        waits += 1;
        if (waits === 1) return 20; // the next step is due in 20 ms
        if (waits === 2) return new Promise<number>((r) => { answer = r; });
        if (waits === 3) throw new Error('no due time');
        return 3_600_000;
      },
    });
    void loop.run();
    // Step 1, a 20 ms sleep, step 2: no nudge needed.
    await eventually(() => steps === 2 && answer !== null);
    // Nudged while the wait is being computed: step 3 follows whatever the wait answers.
    loop.nudge();
    answer!(3_600_000);
    await eventually(() => steps === 3 && waits === 3 && errors.length === 1);
    expect((errors[0] as Error).message).toBe('no due time');
    // Slept the interval after the failed wait; step 4 fails, and no wait is asked after it.
    loop.nudge();
    await eventually(() => steps === 4 && errors.length === 2);
    expect(waits).toBe(3);
    loop.nudge();
    await eventually(() => steps === 5 && waits === 4);
    await loop.stop();
  });
});
