/**
 * The maintenance window form: one-off (start and length) or recurring (an RFC 5545 RRULE or a
 * cron expression, each occurrence lasting durationMinutes, in an IANA time zone, optionally
 * from a first occurrence until a date); all monitors, some tags or chosen monitors. Times are
 * entered in the viewer's time zone. Checks mirror the API's (services/api/routes/
 * maintenance-windows); what only the schedule can tell (a rule that never fires) comes from
 * the API's own schedule module, loaded with the preview (./occurrences.ts).
 */
import type { FieldProblem } from './problems.js';
import { commaList, instantOf, localInput, requiredText, wholeNumber } from './checks.js';

export const MAX_DURATION_MINUTES = 10_080;
/** A one-off window's length is not bounded by the API; the form takes up to a year. */
export const MAX_ONE_OFF_MINUTES = 527_040;
export type WindowKind = 'once' | 'rrule' | 'cron';
export type WindowTarget = 'all' | 'tags' | 'monitors';

export interface WindowFormValues {
  name: string;
  mode: 'mute' | 'pause';
  kind: WindowKind;
  /** once: when it starts; rrule: the first occurrence (its time of day anchors the rule); cron: not before (optional). */
  startsAt: string;
  /** once: how long it lasts; recurring: how long each occurrence lasts (durationMinutes). */
  minutes: string;
  rrule: string;
  cronExpression: string;
  /** Recurring: no occurrence starts from here on (endsAt); empty = for ever. */
  until: string;
  timezone: string;
  target: WindowTarget;
  tags: string;
  monitorIds: string[];
}

export const emptyWindow = (timezone: string): WindowFormValues => ({
  name: '', mode: 'mute', kind: 'once', startsAt: '', minutes: '60', rrule: 'FREQ=WEEKLY;BYDAY=SU', cronExpression: '0 2 * * 0', until: '', timezone, target: 'all', tags: '', monitorIds: [],
});

interface WindowResponse {
  name: string; mode: string; startsAt: string | null; endsAt: string | null; cronExpression: string | null; rrule: string | null;
  durationMinutes: number | null; timezone: string; monitorIds: string[] | null; tags: string[]; allMonitors: boolean;
}

/** The form's values for a window as the API answers it. */
export function windowForm(w: WindowResponse): WindowFormValues {
  const kind: WindowKind = w.rrule ? 'rrule' : w.cronExpression ? 'cron' : 'once';
  const oneOffMinutes = w.startsAt && w.endsAt ? Math.round((Date.parse(w.endsAt) - Date.parse(w.startsAt)) / 60_000) : 60;
  return {
    name: w.name, mode: w.mode === 'pause' ? 'pause' : 'mute', kind, startsAt: localInput(w.startsAt),
    minutes: String(kind === 'once' ? oneOffMinutes : w.durationMinutes ?? 60),
    rrule: w.rrule ?? 'FREQ=WEEKLY;BYDAY=SU', cronExpression: w.cronExpression ?? '0 2 * * 0', until: kind === 'once' ? '' : localInput(w.endsAt), timezone: w.timezone,
    target: w.allMonitors ? 'all' : w.monitorIds !== null ? 'monitors' : 'tags', tags: w.tags.join(', '), monitorIds: [...(w.monitorIds ?? [])],
  };
}

export function windowBody(v: WindowFormValues): { body: Record<string, unknown>; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const name = requiredText(problems, '/name', v.name, 100);
  const start = instantOf(v.startsAt);
  if (v.startsAt.trim() && !start) problems.push({ field: '/startsAt', message: 'is not a date and time' });
  const timezone = v.timezone.trim();
  if (!timezone) problems.push({ field: '/timezone', message: 'is required' });
  let schedule: Record<string, unknown>;
  if (v.kind === 'once') {
    if (!v.startsAt.trim()) problems.push({ field: '/startsAt', message: 'choose when it starts' });
    const minutes = wholeNumber(problems, '/endsAt', v.minutes, 1, MAX_ONE_OFF_MINUTES);
    schedule = {
      startsAt: start?.toISOString() ?? null, endsAt: start && minutes ? new Date(start.getTime() + minutes * 60_000).toISOString() : null,
      cronExpression: null, rrule: null, durationMinutes: null,
    };
  } else {
    const durationMinutes = wholeNumber(problems, '/durationMinutes', v.minutes, 1, MAX_DURATION_MINUTES);
    const until = instantOf(v.until);
    if (v.until.trim() && !until) problems.push({ field: '/endsAt', message: 'is not a date and time' });
    if (start && until && until <= start) problems.push({ field: '/endsAt', message: 'must be after the first occurrence' });
    const rule = v.rrule.trim().replace(/^RRULE:/i, '');
    if (v.kind === 'rrule' && !rule) problems.push({ field: '/rrule', message: 'is required, e.g. FREQ=WEEKLY;BYDAY=SU' });
    if (v.kind === 'rrule' && /DTSTART/i.test(rule)) problems.push({ field: '/rrule', message: 'leave DTSTART out: the first occurrence anchors the rule' });
    if (v.kind === 'cron' && !v.cronExpression.trim()) problems.push({ field: '/cronExpression', message: 'is required, e.g. 0 2 * * 0' });
    schedule = {
      startsAt: start?.toISOString() ?? null, endsAt: until?.toISOString() ?? null, durationMinutes: durationMinutes ?? null,
      rrule: v.kind === 'rrule' ? rule : null, cronExpression: v.kind === 'cron' ? v.cronExpression.trim() : null,
    };
  }
  const tags = commaList(v.tags);
  if (v.target === 'tags' && tags.length === 0) problems.push({ field: '/tags', message: 'give at least one tag' });
  if (v.target === 'monitors' && v.monitorIds.length === 0) problems.push({ field: '/monitorIds', message: 'choose at least one monitor' });
  const target = v.target === 'all' ? { allMonitors: true, tags: [], monitorIds: null }
    : v.target === 'tags' ? { allMonitors: false, tags, monitorIds: null }
    : { allMonitors: false, tags: [], monitorIds: [...new Set(v.monitorIds)] };
  return { body: { name, mode: v.mode, ...schedule, timezone, ...target }, problems };
}
