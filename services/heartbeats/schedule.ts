/**
 * When a Job monitor expects its next ping: the first instant of its cron schedule (in its
 * timezone) after the anchor, or anchor + period. Lateness is that instant plus the grace
 * time. Pure functions of the monitor's configuration, used by the heartbeat path (deadlines);
 * the api validates a schedule with the Job contract (contracts/checks/job.ts).
 */
import { Cron } from 'croner';
import type { MonitorConfig } from '../lib/monitors/model.js';

export type JobSchedule = Pick<MonitorConfig, 'cronExpression' | 'timezone' | 'periodSeconds' | 'graceSeconds'>;

/** Parsed schedules, reused: a burst of pings would otherwise parse one per ping. */
const parsed = new Map<string, Cron>();
const PARSED_KEPT = 10_000;

function cronFor(expression: string, timezone: string): Cron {
  const key = `${timezone}\u0000${expression}`;
  let cron = parsed.get(key);
  if (!cron) {
    cron = new Cron(expression, { timezone, paused: true });
    if (parsed.size >= PARSED_KEPT) parsed.clear();
    parsed.set(key, cron);
  }
  return cron;
}

/**
 * Next cron instants, remembered per schedule and anchor second: a burst of pings asks the
 * same question many times (cron resolution is a second at best), and answering it is the
 * costliest step of recording a ping.
 */
const nextRuns = new Map<string, number | null>();
const NEXT_RUNS_KEPT = 50_000;

/** The first expected ping strictly after `anchorMs`; null when the schedule never fires again. */
export function nextExpectedAt(schedule: JobSchedule, anchorMs: number): number | null {
  if (schedule.cronExpression) {
    const key = `${schedule.timezone}\u0000${schedule.cronExpression}\u0000${Math.floor(anchorMs / 1000)}`;
    let next = nextRuns.get(key);
    if (next === undefined) {
      // nextRun is strictly after its argument at second resolution: ask from the anchor's second.
      next = cronFor(schedule.cronExpression, schedule.timezone).nextRun(new Date(Math.floor(anchorMs / 1000) * 1000))?.getTime() ?? null;
      if (nextRuns.size >= NEXT_RUNS_KEPT) nextRuns.clear();
      nextRuns.set(key, next);
    }
    return next;
  }
  if (schedule.periodSeconds) return anchorMs + schedule.periodSeconds * 1000;
  return null;
}

/** When the monitor is late if no ping arrives: the next expected time plus grace. */
export function dueAt(schedule: JobSchedule, anchorMs: number): number | null {
  const expected = nextExpectedAt(schedule, anchorMs);
  return expected === null ? null : expected + schedule.graceSeconds * 1000;
}
