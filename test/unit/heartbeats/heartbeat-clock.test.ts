import { describe, expect, it } from 'vitest';
import { dueAt, nextExpectedAt, type JobSchedule } from '../../../services/heartbeats/schedule.js';
import { scheduleProblem } from '../../../contracts/checks/job.js';
import { applyPing, missedPing, overrunningRun, type HeartbeatState } from '../../../services/heartbeats/heartbeat-state.js';

const at = (iso: string) => Date.parse(iso);
const hourly: JobSchedule = { cronExpression: '0 * * * *', timezone: 'UTC', periodSeconds: null, graceSeconds: 300 };

function fresh(anchor: number, schedule: JobSchedule = hourly): HeartbeatState {
  return {
    monitorId: 'mon_1', orgId: 'org_1', anchorAtMs: anchor, dueAtMs: dueAt(schedule, anchor),
    lastPingAtMs: null, lastPingKind: null, runStartedAtMs: null, runDueAtMs: null,
  };
}

describe('job schedule', () => {
  it('expects the next cron instant after the anchor, in the monitor time zone', () => {
    const nightly: JobSchedule = { cronExpression: '0 2 * * *', timezone: 'Europe/Berlin', periodSeconds: null, graceSeconds: 0 };
    // 02:00 in Berlin is 01:00 UTC in winter and 00:00 UTC in summer.
    expect(nextExpectedAt(nightly, at('2026-01-10T12:00:00Z'))).toBe(at('2026-01-11T01:00:00Z'));
    expect(nextExpectedAt(nightly, at('2026-07-10T12:00:00Z'))).toBe(at('2026-07-11T00:00:00Z'));
    expect(nextExpectedAt({ ...nightly, timezone: 'UTC' }, at('2026-07-10T12:00:00Z'))).toBe(at('2026-07-11T02:00:00Z'));
  });

  it('expects anchor + period for a plain period, and adds the grace to make the deadline', () => {
    const period: JobSchedule = { cronExpression: null, timezone: 'UTC', periodSeconds: 600, graceSeconds: 60 };
    expect(nextExpectedAt(period, 1_000_000)).toBe(1_600_000);
    expect(dueAt(period, 1_000_000)).toBe(1_660_000);
  });

  it('names the field that is wrong', () => {
    expect(scheduleProblem('0 2 * * *', 'Europe/Berlin')).toBeNull();
    expect(scheduleProblem('@daily', 'UTC')).toBeNull();
    expect(scheduleProblem('61 * * * *', 'UTC')?.field).toBe('cronExpression');
    expect(scheduleProblem('* * *', 'UTC')?.field).toBe('cronExpression');
    expect(scheduleProblem('0 2 * * *', 'Nowhere/Land')?.field).toBe('timezone');
  });
});

describe('heartbeat clock', () => {
  it('a success ping restarts the schedule from the ping; a start opens a run with a grace deadline', () => {
    const t0 = at('2026-06-01T10:10:00Z');
    const started = applyPing(fresh(t0), hourly, false, 'start', at('2026-06-01T11:00:05Z'));
    expect(started.state.runDueAtMs).toBe(at('2026-06-01T11:05:05Z'));
    expect(started.runtimeMs).toBeNull();
    const done = applyPing(started.state, hourly, false, 'success', at('2026-06-01T11:00:47Z'));
    expect(done.runtimeMs).toBe(42_000);
    expect(done.state).toMatchObject({ runStartedAtMs: null, runDueAtMs: null, lastPingKind: 'success', dueAtMs: at('2026-06-01T12:05:00Z') });
  });

  it('a paused monitor records pings but keeps no deadline', () => {
    const effect = applyPing(fresh(0), hourly, true, 'success', at('2026-06-01T11:00:00Z'));
    expect(effect.state.dueAtMs).toBeNull();
    expect(applyPing(fresh(0), hourly, true, 'start', 5).state.runDueAtMs).toBeNull();
  });

  it('reports a missed slot once, exactly after expected time + grace, then waits for the next slot', () => {
    const state = fresh(at('2026-06-01T10:10:00Z'));
    expect(missedPing(state, hourly, at('2026-06-01T11:04:59Z'))).toBeNull();
    const missed = missedPing(state, hourly, at('2026-06-01T11:05:00Z'))!;
    expect(missed.expectedAtMs).toBe(at('2026-06-01T11:00:00Z'));
    expect(missed.state.dueAtMs).toBe(at('2026-06-01T12:05:00Z'));
    expect(missedPing(missed.state, hourly, at('2026-06-01T11:30:00Z'))).toBeNull();
  });

  it('after a long silence reports only the latest missed slot', () => {
    const missed = missedPing(fresh(at('2026-06-01T10:10:00Z')), hourly, at('2026-06-03T07:20:00Z'))!;
    expect(missed.expectedAtMs).toBe(at('2026-06-03T07:00:00Z'));
    expect(missed.state.dueAtMs).toBe(at('2026-06-03T08:05:00Z'));
  });

  it('reports an unfinished run once when its grace time has passed', () => {
    const started = applyPing(fresh(0), hourly, false, 'start', 1_000).state;
    expect(overrunningRun(started, 300_999)).toBeNull();
    const overrun = overrunningRun(started, 301_000)!;
    expect(overrun.runDueAtMs).toBeNull();
    expect(overrun.runStartedAtMs).toBe(1_000);
    expect(overrunningRun(overrun, 900_000)).toBeNull();
  });
});
