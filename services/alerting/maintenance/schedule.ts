/**
 * When a maintenance window is on, as pure functions over its definition: a one-off window
 * (start, end), or a recurring one (a cron expression or an RFC 5545 RRULE, each occurrence
 * lasting `durationMinutes`, read in an IANA time zone), plus the api's overrides (started
 * now, ended early).
 */
import { Cron } from 'croner';
// rrule's `main` is CommonJS: under Node's own ESM loader its names come through the default
// export. A bundler (the dashboard's Vite, which previews a window's next occurrences with this
// module) takes its ES build, which has the names and no default.
import * as rrulePackage from 'rrule';
import type { RRule as RRuleInstance } from 'rrule';
import type { FieldError } from '../../lib/errors.js';

const { RRule } = ('RRule' in rrulePackage ? rrulePackage : Reflect.get(rrulePackage, 'default') as typeof rrulePackage);

export const MAINTENANCE_MODES = ['mute', 'pause'] as const;
export type MaintenanceMode = (typeof MAINTENANCE_MODES)[number];

export interface WindowSchedule {
  startsAtMs: number | null;
  endsAtMs: number | null;
  cronExpression: string | null;
  rrule: string | null;
  durationMinutes: number | null;
  timezone: string;
  /** The RRULE's DTSTART (its time of day and first day), an instant. */
  anchorMs: number;
  /** POST …/start: on from-until, whatever the schedule says. */
  overrideStartMs: number | null;
  overrideEndMs: number | null;
  /** POST …/end: the occurrence that contains this instant ended here. */
  endedAtMs: number | null;
}

export interface Occurrence { startMs: number; endMs: number }

const MINUTE_MS = 60_000;

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock time in `tz` of an instant, as a "floating" Date whose UTC fields hold it (how rrule computes). */
function toFloating(ms: number, tz: string): number {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return Date.UTC(+parts.year!, +parts.month! - 1, +parts.day!, +parts.hour!, +parts.minute!, +parts.second!) + (ms % 1000 + 1000) % 1000;
}

/** The instant at which `tz` shows the floating wall time (the later reading in a DST gap). */
function fromFloating(floating: number, tz: string): number {
  let guess = floating - (toFloating(floating, tz) - floating);
  guess = floating - (toFloating(guess, tz) - guess);
  return guess;
}

function parseRrule(text: string, anchorMs: number, tz: string): RRuleInstance | null {
  if (/DTSTART|\n/i.test(text)) return null;
  try {
    const options = RRule.parseString(text.replace(/^RRULE:/i, ''));
    if (options.freq === undefined) return null;
    return new RRule({ ...options, dtstart: new Date(toFloating(anchorMs, tz)) });
  } catch {
    return null;
  }
}

function cronOf(expression: string, tz: string): Cron | null {
  try {
    return new Cron(expression, { timezone: tz, paused: true });
  } catch {
    return null;
  }
}

/** The scheduled occurrence containing `tMs`, without the overrides. */
function scheduled(w: WindowSchedule, tMs: number): Occurrence | null {
  if (w.startsAtMs !== null && w.endsAtMs !== null && !w.cronExpression && !w.rrule) {
    return w.startsAtMs <= tMs && tMs < w.endsAtMs ? { startMs: w.startsAtMs, endMs: w.endsAtMs } : null;
  }
  const durationMs = (w.durationMinutes ?? 0) * MINUTE_MS;
  // The first start after (t - duration): if it is not after t, t is inside that occurrence.
  const from = tMs - durationMs;
  let startMs: number | null = null;
  if (w.cronExpression) startMs = cronOf(w.cronExpression, w.timezone)?.nextRun(new Date(from))?.getTime() ?? null;
  else if (w.rrule) {
    const next = parseRrule(w.rrule, w.anchorMs, w.timezone)?.after(new Date(toFloating(from, w.timezone)), false);
    startMs = next ? fromFloating(next.getTime(), w.timezone) : null;
  }
  if (startMs === null || startMs > tMs || (w.startsAtMs !== null && startMs < w.startsAtMs) || (w.endsAtMs !== null && startMs >= w.endsAtMs)) return null;
  return { startMs, endMs: startMs + durationMs };
}

/** The occurrence in force at `tMs`, null when the window is off. */
export function activeOccurrence(w: WindowSchedule, tMs: number): Occurrence | null {
  if (w.overrideStartMs !== null && w.overrideEndMs !== null && w.overrideStartMs <= tMs && tMs < w.overrideEndMs) {
    return { startMs: w.overrideStartMs, endMs: w.overrideEndMs };
  }
  const occurrence = scheduled(w, tMs);
  if (occurrence && w.endedAtMs !== null && occurrence.startMs <= w.endedAtMs && w.endedAtMs <= tMs) return null;
  return occurrence;
}

/**
 * The next scheduled start after `tMs` (null: it never starts again). A recurring window's
 * startsAt and endsAt bound its starts, as they bound what is in force (scheduled above): a
 * cron window with a future startsAt first starts after it, none starts at or after endsAt.
 */
export function nextStart(w: Omit<WindowSchedule, 'overrideStartMs' | 'overrideEndMs' | 'endedAtMs'>, tMs: number): number | null {
  if (!w.cronExpression && !w.rrule) return w.startsAtMs !== null && w.startsAtMs >= tMs ? w.startsAtMs : null;
  const from = Math.max(tMs, w.startsAtMs ?? tMs);
  let next: number | null = null;
  if (w.cronExpression) {
    // nextRun is strictly after its argument; a start exactly at `from` counts, as for an RRULE.
    next = cronOf(w.cronExpression, w.timezone)?.nextRun(new Date(from - 1))?.getTime() ?? null;
  } else {
    const floating = parseRrule(w.rrule!, w.anchorMs, w.timezone)?.after(new Date(toFloating(from, w.timezone)), true);
    next = floating ? fromFloating(floating.getTime(), w.timezone) : null;
  }
  return next === null || (w.endsAtMs !== null && next >= w.endsAtMs) ? null : next;
}

/** What is wrong with a window's schedule, in REST field names; empty when nothing. */
export function scheduleProblems(w: Omit<WindowSchedule, 'overrideStartMs' | 'overrideEndMs' | 'endedAtMs'>, nowMs: number): FieldError[] {
  const problems: FieldError[] = [];
  const recurring = Boolean(w.cronExpression || w.rrule);
  if (w.cronExpression && w.rrule) problems.push({ field: '/rrule', message: 'give either cronExpression or rrule, not both' });
  if (!isTimeZone(w.timezone)) problems.push({ field: '/timezone', message: `unknown time zone ${w.timezone}` });
  if (w.startsAtMs !== null && w.endsAtMs !== null && w.endsAtMs <= w.startsAtMs) problems.push({ field: '/endsAt', message: 'must be after startsAt' });
  if (!recurring) {
    if (w.startsAtMs === null) problems.push({ field: '/startsAt', message: 'is required for a one-off window (or give cronExpression or rrule)' });
    if (w.endsAtMs === null) problems.push({ field: '/endsAt', message: 'is required for a one-off window' });
    if (w.durationMinutes !== null) problems.push({ field: '/durationMinutes', message: 'applies to recurring windows only' });
    return problems;
  }
  if (w.durationMinutes === null) problems.push({ field: '/durationMinutes', message: 'is required for a recurring window' });
  if (problems.length) return problems;
  if (w.cronExpression && !cronOf(w.cronExpression, w.timezone)) problems.push({ field: '/cronExpression', message: 'is not a valid cron expression' });
  if (w.rrule && !parseRrule(w.rrule, w.anchorMs, w.timezone)) problems.push({ field: '/rrule', message: 'is not a valid RRULE (FREQ=…;…, without DTSTART: startsAt anchors it)' });
  if (problems.length) return problems;
  const next = nextStart(w, Math.max(nowMs, w.startsAtMs ?? nowMs));
  if (next === null || (w.endsAtMs !== null && next >= w.endsAtMs)) {
    problems.push({ field: w.rrule ? '/rrule' : '/cronExpression', message: 'never fires' });
  }
  return problems;
}
