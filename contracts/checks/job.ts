/**
 * Job (8): heartbeat monitoring. The monitored job pings its URL; the server (not an agent)
 * decides lateness, so this type has no settings on the wire. docs/checks/job.md.
 */
import { Cron } from 'croner';
import { Type } from 'typebox';
import { checkRange, fieldDefaults, type FieldProblem, type ServerCheckContract } from './contract.js';
import { field, integerField, nullable } from './fields.js';

const fields = {
  cronExpression: field<string | null>(nullable(Type.String({ minLength: 1, maxLength: 120, description: 'Job: when pings are expected, 5-field cron (or @daily, …); or use periodSeconds' })), null),
  timezone: field<string>(Type.String({ minLength: 1, maxLength: 64, default: 'UTC', description: 'Job: IANA time zone of cronExpression' }), 'UTC'),
  periodSeconds: field<number | null>(nullable(Type.Integer({ minimum: 60, maximum: 31_536_000, description: 'Job: a ping is expected every this many seconds (instead of cronExpression)' })), null),
  graceSeconds: integerField({ min: 0, max: 604_800 }, 300, 'Job: how late a ping may be, and how long a started run may take'),
};
export type JobFields = { [K in keyof typeof fields]: (typeof fields)[K]['default'] };

/** Cron fields a schedule has: minute hour day month weekday (minute resolution, like cron itself). */
const CRON_FIELD_COUNT = 5;

/** Why a cron expression or timezone cannot be used; null when they can. */
export function scheduleProblem(cronExpression: string, timezone: string): { field: 'cronExpression' | 'timezone'; message: string } | null {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    return { field: 'timezone', message: `"${timezone}" is not an IANA time zone (e.g. UTC, Europe/Berlin)` };
  }
  const expression = cronExpression.trim();
  if (!expression.startsWith('@') && expression.split(/\s+/).length !== CRON_FIELD_COUNT) {
    return { field: 'cronExpression', message: 'must have 5 fields (minute hour day month weekday) or be a nickname like @daily' };
  }
  try {
    if (!new Cron(expression, { timezone, paused: true }).nextRun(new Date())) return { field: 'cronExpression', message: 'never fires' };
  } catch (err) {
    return { field: 'cronExpression', message: `is not a valid cron expression: ${err instanceof Error ? err.message : String(err)}` };
  }
  return null;
}

function validate(f: JobFields): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if ((f.cronExpression === null) === (f.periodSeconds === null)) {
    problems.push({ field: '/cronExpression', message: 'Job monitors need exactly one of cronExpression and periodSeconds' });
  } else if (f.cronExpression !== null) {
    const problem = scheduleProblem(f.cronExpression, f.timezone);
    if (problem) problems.push({ field: `/${problem.field}`, message: problem.message });
  }
  checkRange(problems, 'graceSeconds', f.graceSeconds, fields.graceSeconds.limits.min, fields.graceSeconds.limits.max);
  return problems;
}

export const jobContract: ServerCheckContract<JobFields> = {
  type: 'Job',
  typeNumber: 8,
  settingsCase: null,
  fields,
  validate,
};

export const jobDefaults = (): JobFields => fieldDefaults(fields);
