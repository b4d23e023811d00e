/**
 * The heartbeat clock of one Job monitor as pure functions: what a ping does to it, and
 * what the watchdog finds when it looks at it. Kept free of I/O so the timing rules
 * (docs/checks/job.md) are tested with plain numbers.
 */
import { dueAt, nextExpectedAt, type JobSchedule } from './schedule.js';

export const PING_KINDS = ['start', 'success', 'fail'] as const;
export type PingKind = (typeof PING_KINDS)[number];

export interface HeartbeatState {
  monitorId: string;
  orgId: string;
  anchorAtMs: number;
  dueAtMs: number | null;
  lastPingAtMs: number | null;
  lastPingKind: PingKind | null;
  runStartedAtMs: number | null;
  runDueAtMs: number | null;
}

export interface PingEffect {
  state: HeartbeatState;
  /** From the open start to this finish; null for a start or a finish without one. */
  runtimeMs: number | null;
}

/**
 * A start opens a run that must finish within the grace time; a success or failure closes
 * it and restarts the schedule from now. A paused monitor keeps its history but no clock.
 */
export function applyPing(state: HeartbeatState, schedule: JobSchedule, paused: boolean, kind: PingKind, atMs: number): PingEffect {
  if (kind === 'start') {
    return {
      state: { ...state, lastPingAtMs: atMs, lastPingKind: kind, runStartedAtMs: atMs, runDueAtMs: paused ? null : atMs + schedule.graceSeconds * 1000 },
      runtimeMs: null,
    };
  }
  const runtimeMs = state.runStartedAtMs !== null && state.runStartedAtMs <= atMs ? atMs - state.runStartedAtMs : null;
  return {
    state: {
      ...state,
      anchorAtMs: atMs,
      dueAtMs: paused ? null : dueAt(schedule, atMs),
      lastPingAtMs: atMs,
      lastPingKind: kind,
      runStartedAtMs: null,
      runDueAtMs: null,
    },
    runtimeMs,
  };
}

export interface MissedPing {
  /** The expected time that passed (plus grace) without a ping. */
  expectedAtMs: number;
  state: HeartbeatState;
}

/** Catch-up bound: after a long outage only the latest missed slot is reported. */
const MAX_SLOTS_SCANNED = 10_000;

/**
 * Called when `dueAtMs` has passed: reports the latest expected slot that went unanswered
 * and moves the clock to the next slot still in the future, so each slot is reported once.
 */
export function missedPing(state: HeartbeatState, schedule: JobSchedule, nowMs: number): MissedPing | null {
  if (state.dueAtMs === null || state.dueAtMs > nowMs) return null;
  const graceMs = schedule.graceSeconds * 1000;
  let expected = state.dueAtMs - graceMs;
  for (let i = 0; i < MAX_SLOTS_SCANNED; i++) {
    const next = nextExpectedAt(schedule, expected);
    if (next === null || next + graceMs > nowMs) break;
    expected = next;
  }
  return { expectedAtMs: expected, state: { ...state, anchorAtMs: expected, dueAtMs: dueAt(schedule, expected) } };
}

/** Called when `runDueAtMs` has passed: the open run is reported once as running too long. */
export function overrunningRun(state: HeartbeatState, nowMs: number): HeartbeatState | null {
  if (state.runDueAtMs === null || state.runDueAtMs > nowMs) return null;
  return { ...state, runDueAtMs: null };
}
