/**
 * The polling loop of a worker whose state lives in rows (deliveries, escalation timers,
 * region watch): run `step`, wait `intervalMs` or until nudged, again, until stopped. A step
 * that throws is transient (the database or hot state is away): `onError` logs it and the
 * next poll tries again. A nudge during a step runs the next one at once. `waitMs`, when
 * given, says after each step how long to sleep (a worker that knows when its next row is due
 * and is nudged for every new one); after a step or a wait that failed it sleeps `intervalMs`.
 */
export interface PollLoop {
  /** Starts the loop (once; later calls return the same promise, which settles when it stops). */
  run(): Promise<void>;
  /** Runs the next step now instead of at the next poll. */
  nudge(): void;
  /** False once stop() was called: a long step can check it between units of work. */
  readonly running: boolean;
  /** Stops after the step in progress, if any. */
  stop(): Promise<void>;
}

export interface PollLoopOptions {
  step: () => Promise<unknown>;
  intervalMs: number;
  onError: (err: unknown) => void;
  waitMs?: () => Promise<number>;
}

export function createPollLoop(opts: PollLoopOptions): PollLoop {
  let running = true;
  let nudged = false;
  let wake: (() => void) | null = null;
  let loop: Promise<void> | null = null;

  async function run(): Promise<void> {
    while (running) {
      let failed = false;
      try {
        await opts.step();
      } catch (err) {
        failed = true;
        opts.onError(err);
      }
      if (!running) break;
      if (nudged) { nudged = false; continue; }
      const ms = opts.waitMs && !failed ? await opts.waitMs().catch((err: unknown) => { opts.onError(err); return opts.intervalMs; }) : opts.intervalMs;
      if (!running) break;
      if (nudged) { nudged = false; continue; }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, ms);
        wake = () => { clearTimeout(t); resolve(); };
      });
      wake = null;
      nudged = false;
    }
  }

  return {
    run() {
      loop ??= run();
      return loop;
    },
    nudge() {
      nudged = true;
      wake?.();
    },
    get running() { return running; },
    async stop() {
      running = false;
      wake?.();
      await loop;
    },
  };
}
