/**
 * A maintenance window's next occurrences and the schedule's problems, computed by the API's
 * own schedule module (rrule and croner), so the preview shows what the server will do. Loaded
 * on demand (a chunk of its own), keeping the libraries out of the dashboard's first load.
 */
import { nextStart, scheduleProblems } from '../../../services/alerting/maintenance/schedule.js';
import type { FieldProblem } from './problems.js';

interface ScheduleBody {
  startsAt?: unknown; endsAt?: unknown; cronExpression?: unknown; rrule?: unknown; durationMinutes?: unknown; timezone?: unknown;
}

const instant = (v: unknown) => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? Date.parse(v) : null);

/**
 * The window body's schedule problems (as the API would name them) and its next `count`
 * starts after `nowMs`. `anchorFallbackMs` anchors a rule without startsAt: the API takes the
 * creation time (now for a new window, createdAt for an existing one).
 */
export function schedulePreview(body: ScheduleBody, nowMs: number, anchorFallbackMs: number, count = 5): { problems: FieldProblem[]; starts: number[] } {
  const startsAtMs = instant(body.startsAt);
  const w = {
    startsAtMs, endsAtMs: instant(body.endsAt),
    cronExpression: typeof body.cronExpression === 'string' ? body.cronExpression : null,
    rrule: typeof body.rrule === 'string' ? body.rrule : null,
    durationMinutes: typeof body.durationMinutes === 'number' ? body.durationMinutes : null,
    timezone: typeof body.timezone === 'string' ? body.timezone : 'UTC',
    anchorMs: startsAtMs ?? anchorFallbackMs,
  };
  const problems = scheduleProblems(w, nowMs);
  const starts: number[] = [];
  if (problems.length) return { problems, starts };
  let t = Math.max(nowMs, w.startsAtMs ?? nowMs);
  while (starts.length < count) {
    const next = nextStart(w, t);
    if (next === null || (w.endsAtMs !== null && next >= w.endsAtMs) || (starts.length && next <= starts[starts.length - 1]!)) break;
    starts.push(next);
    t = next + 1000;
  }
  return { problems, starts };
}
