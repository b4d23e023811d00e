import { describe, expect, it } from 'vitest';
import { activeOccurrence, nextStart, scheduleProblems, type WindowSchedule } from '../../../services/alerting/maintenance/schedule.js';

const at = (iso: string) => Date.parse(iso);
const base: WindowSchedule = {
  startsAtMs: null, endsAtMs: null, cronExpression: null, rrule: null, durationMinutes: null, timezone: 'UTC',
  anchorMs: at('2026-01-04T00:00:00Z'), overrideStartMs: null, overrideEndMs: null, endedAtMs: null,
};
const now = at('2026-03-24T12:00:00Z');

describe('maintenance window schedule', () => {
  it('a one-off window is on from its start until (not including) its end', () => {
    const w = { ...base, startsAtMs: at('2026-03-24T10:00:00Z'), endsAtMs: at('2026-03-24T11:00:00Z') };
    expect(activeOccurrence(w, at('2026-03-24T09:59:59Z'))).toBeNull();
    expect(activeOccurrence(w, at('2026-03-24T10:30:00Z'))).toEqual({ startMs: w.startsAtMs, endMs: w.endsAtMs });
    expect(activeOccurrence(w, at('2026-03-24T11:00:00Z'))).toBeNull();
  });

  it('a cron window runs in its time zone, across a DST change', () => {
    // Sundays 03:30 in Berlin for an hour: 02:30Z in winter, 01:30Z from the spring-forward day (2026-03-29).
    const w = { ...base, cronExpression: '30 3 * * 0', durationMinutes: 60, timezone: 'Europe/Berlin' };
    expect(activeOccurrence(w, at('2026-03-22T02:45:00Z'))).toEqual({ startMs: at('2026-03-22T02:30:00Z'), endMs: at('2026-03-22T03:30:00Z') });
    expect(activeOccurrence(w, at('2026-03-29T01:45:00Z'))).toEqual({ startMs: at('2026-03-29T01:30:00Z'), endMs: at('2026-03-29T02:30:00Z') });
    expect(activeOccurrence(w, at('2026-03-29T02:45:00Z'))).toBeNull();
  });

  it('an RRULE window reads its hours as wall time in its zone', () => {
    const w = { ...base, rrule: 'FREQ=WEEKLY;BYDAY=SU;BYHOUR=2;BYMINUTE=0;BYSECOND=0', durationMinutes: 120, timezone: 'America/New_York' };
    // 02:00 New York = 07:00Z in winter (EST), 06:00Z after 8 March 2026 (EDT).
    expect(activeOccurrence(w, at('2026-03-01T08:00:00Z'))).toEqual({ startMs: at('2026-03-01T07:00:00Z'), endMs: at('2026-03-01T09:00:00Z') });
    expect(activeOccurrence(w, at('2026-03-22T06:30:00Z'))).toEqual({ startMs: at('2026-03-22T06:00:00Z'), endMs: at('2026-03-22T08:00:00Z') });
    expect(activeOccurrence(w, at('2026-03-23T06:30:00Z'))).toBeNull();
  });

  it('a recurring window\'s next start is within its startsAt and endsAt, as what is in force is', () => {
    const w = { ...base, cronExpression: '0 4 * * 6', durationMinutes: 45, startsAtMs: at('2026-05-01T00:00:00Z') };
    // Saturdays 04:00 UTC, not before 1 May: the first is 2 May, not the Saturday after now.
    expect(nextStart(w, now)).toBe(at('2026-05-02T04:00:00Z'));
    expect(activeOccurrence(w, at('2026-03-28T04:10:00Z'))).toBeNull();
    expect(activeOccurrence(w, at('2026-05-02T04:10:00Z'))).not.toBeNull();
    // A start exactly at the asked instant counts; none at or after endsAt.
    expect(nextStart({ ...w, startsAtMs: null }, at('2026-03-28T04:00:00Z'))).toBe(at('2026-03-28T04:00:00Z'));
    expect(nextStart({ ...w, endsAtMs: at('2026-05-02T04:00:00Z') }, now)).toBeNull();
    const r = { ...base, rrule: 'FREQ=DAILY;BYHOUR=1;BYMINUTE=0;BYSECOND=0', durationMinutes: 30, endsAtMs: at('2026-03-26T00:00:00Z') };
    expect(nextStart(r, now)).toBe(at('2026-03-25T01:00:00Z'));
    expect(nextStart(r, at('2026-03-25T01:00:01Z'))).toBeNull();
  });

  it('started now, it is on until its override ends; ended early, its occurrence is over', () => {
    const w = { ...base, cronExpression: '0 * * * *', durationMinutes: 30 };
    expect(activeOccurrence({ ...w, endedAtMs: at('2026-03-24T12:10:00Z') }, at('2026-03-24T12:20:00Z'))).toBeNull();
    expect(activeOccurrence({ ...w, endedAtMs: at('2026-03-24T12:10:00Z') }, at('2026-03-24T13:10:00Z'))).not.toBeNull();
    expect(activeOccurrence({ ...w, overrideStartMs: at('2026-03-24T12:40:00Z'), overrideEndMs: at('2026-03-24T12:50:00Z') }, at('2026-03-24T12:45:00Z')))
      .toEqual({ startMs: at('2026-03-24T12:40:00Z'), endMs: at('2026-03-24T12:50:00Z') });
  });

  it.each<[string, Partial<WindowSchedule>, string, RegExp]>([
    ['an end before the start', { startsAtMs: now + 60_000, endsAtMs: now }, '/endsAt', /after startsAt/],
    ['an unknown time zone', { cronExpression: '0 * * * *', durationMinutes: 5, timezone: 'Mars/Olympus' }, '/timezone', /unknown time zone/],
    ['an RRULE that never fires', { rrule: 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30', durationMinutes: 5 }, '/rrule', /never fires/],
    ['an RRULE that is not one', { rrule: 'FREQ=SOMETIMES', durationMinutes: 5 }, '/rrule', /not a valid RRULE/],
    ['a cron expression that never fires', { cronExpression: '0 0 30 2 *', durationMinutes: 5 }, '/cronExpression', /never fires|not a valid/],
    ['a recurring window without a duration', { cronExpression: '0 * * * *' }, '/durationMinutes', /required/],
    ['a one-off window without an end', { startsAtMs: now }, '/endsAt', /required/],
  ])('refuses %s', (_name, over, field, message) => {
    const problems = scheduleProblems({ ...base, ...over }, now);
    expect(problems).toContainEqual({ field, message: expect.stringMatching(message) });
  });

  it('accepts a well-formed window of each kind', () => {
    expect(scheduleProblems({ ...base, startsAtMs: now, endsAtMs: now + 60_000 }, now)).toEqual([]);
    expect(scheduleProblems({ ...base, cronExpression: '0 2 * * 0', durationMinutes: 60, timezone: 'Europe/Berlin' }, now)).toEqual([]);
    expect(scheduleProblems({ ...base, rrule: 'FREQ=MONTHLY;BYDAY=1SA', durationMinutes: 60 }, now)).toEqual([]);
  });
});
