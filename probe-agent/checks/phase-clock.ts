/**
 * Measures how long each phase of one check takes and remembers which phase is running,
 * so that a failure (a timeout above all) can say where it happened. Phases entered more
 * than once (one per redirect hop) add up.
 */
import { performance } from 'node:perf_hooks';
import { CheckPhase, type PhaseTimings } from '../../proto/generated/pharos/v1/result.js';
import { emptyTimings } from './checker.js';

type TimedField = Exclude<keyof PhaseTimings, 'totalMs'>;

const FIELD: Partial<Record<CheckPhase, TimedField>> = {
  [CheckPhase.CHECK_PHASE_DNS]: 'dnsMs',
  [CheckPhase.CHECK_PHASE_CONNECT]: 'connectMs',
  [CheckPhase.CHECK_PHASE_TLS]: 'tlsMs',
  [CheckPhase.CHECK_PHASE_TTFB]: 'ttfbMs',
  [CheckPhase.CHECK_PHASE_TRANSFER]: 'transferMs',
};

export class PhaseClock {
  private readonly startedAt = performance.now();
  private phaseStartedAt = this.startedAt;
  private current = CheckPhase.CHECK_PHASE_UNSPECIFIED;
  private readonly timings = emptyTimings();

  get phase(): CheckPhase {
    return this.current;
  }

  /** Ends the running phase and starts `phase`. */
  enter(phase: CheckPhase): void {
    const now = performance.now();
    this.accumulate(now);
    this.current = phase;
    this.phaseStartedAt = now;
  }

  /** Ends the running phase and returns the timings so far, total included. */
  stop(): PhaseTimings {
    const now = performance.now();
    this.accumulate(now);
    this.current = CheckPhase.CHECK_PHASE_UNSPECIFIED;
    this.phaseStartedAt = now;
    return { ...this.timings, totalMs: round(now - this.startedAt) };
  }

  private accumulate(now: number): void {
    const field = FIELD[this.current];
    if (field) this.timings[field] = round(this.timings[field] + (now - this.phaseStartedAt));
  }
}

/** Microsecond resolution is plenty and keeps results small and readable. */
function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
