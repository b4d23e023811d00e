/**
 * The dashboard's alerting and status page forms (web/src/forms/): escalation policies, alert
 * rules, maintenance windows and status pages. Each case checks the form's own verdict and the
 * API's on the same body: its request schema (the route's TypeBox schema, compiled as the API
 * compiles it) and, where they are pure, its own rules (the maintenance schedule module, the
 * status page patterns).
 */
import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { MAX_RECIPIENTS, emptyPolicy, emptyStep, memberOptions, moveStep, policyBody, policyForm, stepRecipients, type PolicyFormValues } from '../../../web/src/forms/escalation-form.js';
import { ALERT_EVENTS, RULE_MONITOR_TYPES, emptyRule, ruleBody, ruleForm, type RuleFormValues } from '../../../web/src/forms/rule-form.js';
import { emptyWindow, windowBody, windowForm, type WindowFormValues } from '../../../web/src/forms/maintenance-form.js';
import { schedulePreview } from '../../../web/src/forms/occurrences.js';
import { DOMAIN_PATTERN as FORM_DOMAIN, SLUG_PATTERN as FORM_SLUG, emptyStatusPage, statusPageBody, statusPageForm, type StatusPageFormValues } from '../../../web/src/forms/status-page-form.js';
import { problemUnder, problemsByPointer } from '../../../web/src/forms/checks.js';
import { EscalationPolicyBody } from '../../../services/api/routes/escalation-policies/schema.js';
import { AlertRuleBody } from '../../../services/api/routes/alert-rules/schema.js';
import { MaintenanceWindowBody } from '../../../services/api/routes/maintenance-windows/schema.js';
import { DOMAIN_PATTERN, SLUG_PATTERN, StatusPageBody } from '../../../services/api/routes/status-pages/schema.js';
import { ALERT_EVENT_TYPES } from '../../../services/alerting/events.js';
import { MONITOR_TYPE_NAMES } from '../../../services/lib/monitors/model.js';
import { scheduleProblems } from '../../../services/alerting/maintenance/schedule.js';

const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv) => Ajv;
const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: false });
addFormats(ajv);

/** The pointers the API's request schema refuses in a body ([] when it takes it). */
function schemaRefuses(schema: object, body: unknown): string[] {
  const accepts = ajv.compile(schema);
  if (accepts(body)) return [];
  return [...new Set((accepts.errors ?? []).map((e) => e.instancePath || `/${String((e.params as { missingProperty?: string }).missingProperty ?? '')}`))].sort();
}

const pointers = (problems: Array<{ field: string }>) => [...new Set(problems.map((p) => p.field))].sort();

describe('the escalation policy form', () => {
  const twoSteps = (): PolicyFormValues => ({
    name: 'Wake someone', repeatCount: '2',
    steps: [{ delayMinutes: '0', channelIds: ['ch_a'], memberIds: [] }, { delayMinutes: '15', channelIds: ['ch_b', 'ch_a'], memberIds: ['mem_1'] }],
  });

  it('builds a body of several steps that the API takes, and reads a policy back to the same values', () => {
    const { body, problems } = policyBody(twoSteps());
    expect(problems).toEqual([]);
    expect(body).toEqual({
      name: 'Wake someone', repeatCount: 2,
      steps: [{ delayMinutes: 0, channelIds: ['ch_a'] }, { delayMinutes: 15, channelIds: ['ch_b', 'ch_a'], memberIds: ['mem_1'] }],
    });
    expect(schemaRefuses(EscalationPolicyBody, body)).toEqual([]);
    // As the API answers it (memberIds always present): the team members are kept on an edit.
    const answered = { name: 'Wake someone', repeatCount: 2, steps: [{ delayMinutes: 0, channelIds: ['ch_a'], memberIds: [] }, { delayMinutes: 15, channelIds: ['ch_b', 'ch_a'], memberIds: ['mem_1'] }] };
    expect(policyForm(answered)).toEqual(twoSteps());
  });

  it('reorders, adds and removes steps', () => {
    const steps = twoSteps().steps;
    expect(moveStep(steps, 1, -1).map((s) => s.delayMinutes)).toEqual(['15', '0']);
    expect(moveStep(steps, 0, -1)).toEqual(steps);
    expect(moveStep(steps, 1, 1)).toEqual(steps);
    const three = [...steps, emptyStep('30')];
    expect(moveStep(three, 0, 2).map((s) => s.delayMinutes)).toEqual(['15', '30', '0']);
    expect(policyBody({ ...twoSteps(), steps: three }).problems.map((p) => p.field)).toEqual(['/steps/2']);
    expect(emptyPolicy().steps).toHaveLength(1);
  });

  it.each([
    ['a blank name', { name: ' ' }, ['/name'], { name: '' }],
    ['no step', { steps: [] }, ['/steps'], { steps: [] }],
    ['eleven steps', { steps: Array.from({ length: 11 }, () => ({ delayMinutes: '1', channelIds: ['ch_a'], memberIds: [] })) }, ['/steps'], null],
    ['a negative delay', { steps: [{ delayMinutes: '-1', channelIds: ['ch_a'], memberIds: [] }] }, ['/steps/0/delayMinutes'], { steps: [{ delayMinutes: -1, channelIds: ['ch_a'] }] }],
    ['a delay over a week', { steps: [{ delayMinutes: '10081', channelIds: ['ch_a'], memberIds: [] }] }, ['/steps/0/delayMinutes'], { steps: [{ delayMinutes: 10_081, channelIds: ['ch_a'] }] }],
    ['a repeat count of 11', { repeatCount: '11' }, ['/repeatCount'], { repeatCount: 11 }],
  ] as const)('flags %s, as the API does', (_what, over, fields, raw) => {
    const values = { ...twoSteps(), ...over } as PolicyFormValues;
    const { body, problems } = policyBody(values);
    expect(pointers(problems)).toEqual([...fields]);
    if (raw) {
      // The value sent as it is: the API's schema refuses it at the same place.
      const refused = schemaRefuses(EscalationPolicyBody, { ...body, ...raw });
      for (const f of fields) expect(refused.some((r) => r === f || r.startsWith(`${f}/`)), `${f} in ${refused.join(', ')}`).toBe(true);
    } else {
      expect(schemaRefuses(EscalationPolicyBody, body)).not.toEqual([]);
    }
  });

  it('flags a step that notifies no one at that step (the API refuses it in its input rules, at /steps/{i})', () => {
    const { problems } = policyBody({ ...twoSteps(), steps: [{ delayMinutes: '0', channelIds: [], memberIds: [] }] });
    expect(pointers(problems)).toEqual(['/steps/0']);
    // An API answer naming a deeper pointer shows at its step.
    const errors = problemsByPointer([{ field: '/steps/1/channelIds/0', message: 'alert channel ch_x not found' }]);
    expect(problemUnder(errors, '/steps/1')).toBe('alert channel ch_x not found');
    expect(problemUnder(errors, '/steps/0')).toBeUndefined();
    expect(problemUnder(errors, '/steps/10')).toBeUndefined();
  });
});

describe("an escalation step's team members", () => {
  const teams = [
    { team: { id: 'team_a', name: 'Night shift' }, members: [{ id: 'mem_1', name: 'Dana <Ops>', email: 'dana@example.com' }, { id: 'mem_2', name: 'Eli', email: 'eli@example.com' }] },
    { team: { id: 'team_b', name: 'Empty' }, members: [] },
    { team: { id: 'team_c', name: 'Days' }, members: [{ id: 'mem_3', name: 'Fay', email: 'fay@example.com' }] },
  ];

  it('offers every team member, team by team, labelled with name, address and team', () => {
    expect(memberOptions(teams)).toEqual([
      { id: 'mem_1', label: 'Dana <Ops> <dana@example.com> · Night shift', team: 'Night shift' },
      { id: 'mem_2', label: 'Eli <eli@example.com> · Night shift', team: 'Night shift' },
      { id: 'mem_3', label: 'Fay <fay@example.com> · Days', team: 'Days' },
    ]);
  });

  it('keeps members a step names that are not among the teams read (removed since, or no teams:read), so an edit can keep or drop them', () => {
    const options = memberOptions(teams, ['mem_3', 'mem_gone']);
    expect(options.map((o) => o.id)).toEqual(['mem_1', 'mem_2', 'mem_3', 'mem_gone']);
    expect(options.at(-1)).toEqual({ id: 'mem_gone', label: 'mem_gone (not among the teams\' members)', team: null });
    expect(memberOptions([], ['mem_1']).map((o) => o.id)).toEqual(['mem_1']);
  });

  it('sends a step that emails members only, which the API takes; members chosen twice are sent once', () => {
    const { body, problems } = policyBody({ name: 'Page people', repeatCount: '0', steps: [{ delayMinutes: '5', channelIds: [], memberIds: ['mem_2', 'mem_1', 'mem_2'] }] });
    expect(problems).toEqual([]);
    expect(body).toEqual({ name: 'Page people', repeatCount: 0, steps: [{ delayMinutes: 5, channelIds: [], memberIds: ['mem_2', 'mem_1'] }] });
    expect(schemaRefuses(EscalationPolicyBody, body)).toEqual([]);
    expect(policyForm(body as any).steps[0]!.memberIds).toEqual(['mem_2', 'mem_1']);
  });

  it(`flags more than ${MAX_RECIPIENTS} members or channels in a step, as the API's schema does`, () => {
    const many = (prefix: string) => Array.from({ length: MAX_RECIPIENTS + 1 }, (_, i) => `${prefix}_${i}`);
    for (const [key, field] of [['memberIds', '/steps/0/memberIds'], ['channelIds', '/steps/0/channelIds']] as const) {
      const { body, problems } = policyBody({ name: 'Everyone', repeatCount: '0', steps: [{ ...emptyStep(), [key]: many(key) }] });
      expect(pointers(problems)).toEqual([field]);
      expect(schemaRefuses(EscalationPolicyBody, body)).toEqual([field]);
      const fifty = policyBody({ name: 'Everyone', repeatCount: '0', steps: [{ ...emptyStep(), [key]: many(key).slice(1) }] });
      expect(fifty.problems).toEqual([]);
      expect(schemaRefuses(EscalationPolicyBody, fifty.body)).toEqual([]);
    }
  });

  it('describes a step by channel and member names, an unknown member by its id', () => {
    const member = new Map(teams.flatMap((t) => t.members.map((m) => [m.id, m] as const)));
    const channel = (id: string) => (id === 'ch_a' ? 'On-call hook' : id);
    expect(stepRecipients({ channelIds: ['ch_a', 'ch_x'], memberIds: ['mem_1', 'mem_gone'] }, channel, member)).toBe('On-call hook, ch_x, Dana <Ops>, team member mem_gone');
  });
});

describe('the alert rule form', () => {
  const rule = (over: Partial<RuleFormValues> = {}): RuleFormValues => ({ ...emptyRule(), name: 'Production down', channelIds: ['ch_a'], ...over });

  it('knows the API\'s events and monitor types', () => {
    expect([...ALERT_EVENTS]).toEqual([...ALERT_EVENT_TYPES]);
    expect([...RULE_MONITOR_TYPES].sort()).toEqual([...MONITOR_TYPE_NAMES].sort());
  });

  it('builds whole bodies the API takes: every monitor narrowed by tags and types, or chosen monitors, with a policy', () => {
    const all = ruleBody(rule({ tags: 'prod, eu, prod', monitorTypes: ['Website', 'Ping'] }));
    expect(all.problems).toEqual([]);
    expect(all.body).toEqual({ name: 'Production down', enabled: true, monitorIds: null, tags: ['prod', 'eu'], monitorTypes: ['Website', 'Ping'], events: ['monitor.down', 'monitor.up'], channelIds: ['ch_a'], escalationPolicyId: null });
    expect(schemaRefuses(AlertRuleBody, all.body)).toEqual([]);
    const chosen = ruleBody(rule({ scope: 'chosen', monitorIds: ['mon_1', 'mon_2'], escalationPolicyId: 'esc_1', enabled: false }));
    expect(chosen.body).toMatchObject({ monitorIds: ['mon_1', 'mon_2'], escalationPolicyId: 'esc_1', enabled: false });
    expect(schemaRefuses(AlertRuleBody, chosen.body)).toEqual([]);
    // Read back from the API's answer: the same values.
    expect(ruleForm({ ...(chosen.body as any) })).toEqual(rule({ scope: 'chosen', monitorIds: ['mon_1', 'mon_2'], escalationPolicyId: 'esc_1', enabled: false }));
    expect(ruleForm({ ...(all.body as any) }).scope).toBe('all');
  });

  it.each([
    ['a blank name', { name: '' }, ['/name']],
    ['no channel', { channelIds: [] }, ['/channelIds']],
    ['no event', { events: [] }, ['/events']],
    ['"chosen monitors" with none chosen', { scope: 'chosen', monitorIds: [] }, ['/monitorIds']],
  ] as const)('flags %s, as the API does', (_what, over, fields) => {
    const { body, problems } = ruleBody(rule(over as Partial<RuleFormValues>));
    expect(pointers(problems)).toEqual([...fields]);
    if (fields[0] === '/monitorIds') {
      // The API takes an empty list (a rule for no monitor); the form asks instead of saving a rule that never fires.
      expect(schemaRefuses(AlertRuleBody, body)).toEqual([]);
    } else {
      expect(schemaRefuses(AlertRuleBody, body)).toEqual([...fields]);
    }
  });

  it('refuses what the API refuses for a tag', () => {
    const long = 'x'.repeat(65);
    const { body, problems } = ruleBody(rule({ tags: long }));
    expect(pointers(problems)).toEqual(['/tags']);
    expect(schemaRefuses(AlertRuleBody, body)).toEqual(['/tags/0']);
  });
});

describe('the maintenance window form', () => {
  const NOW = Date.parse('2030-01-01T00:00:00Z');
  const win = (over: Partial<WindowFormValues> = {}): WindowFormValues => ({ ...emptyWindow('Europe/Berlin'), name: 'Database upgrade', ...over });
  /** The API's own check of a body: its schema, then its schedule rules. */
  function apiRefuses(body: Record<string, any>): string[] {
    const schema = schemaRefuses(MaintenanceWindowBody, body);
    if (schema.length) return schema;
    const startsAtMs = body.startsAt ? Date.parse(body.startsAt) : null;
    return pointers(scheduleProblems({
      startsAtMs, endsAtMs: body.endsAt ? Date.parse(body.endsAt) : null, cronExpression: body.cronExpression, rrule: body.rrule,
      durationMinutes: body.durationMinutes, timezone: body.timezone, anchorMs: startsAtMs ?? NOW,
    }, NOW));
  }

  it('builds a one-off window from a start in the viewer\'s zone and a length', () => {
    const { body, problems } = windowBody(win({ startsAt: '2030-01-05T02:00', minutes: '90' }));
    expect(problems).toEqual([]);
    const start = new Date('2030-01-05T02:00');
    expect(body).toEqual({
      name: 'Database upgrade', mode: 'mute', startsAt: start.toISOString(), endsAt: new Date(start.getTime() + 90 * 60_000).toISOString(),
      cronExpression: null, rrule: null, durationMinutes: null, timezone: 'Europe/Berlin', allMonitors: true, tags: [], monitorIds: null,
    });
    expect(apiRefuses(body)).toEqual([]);
    expect(windowForm({ ...(body as any) })).toMatchObject({ kind: 'once', startsAt: '2030-01-05T02:00', minutes: '90', target: 'all' });
  });

  it('builds a recurring RRULE window and previews its next occurrences with the API\'s schedule module', () => {
    const { body, problems } = windowBody(win({ kind: 'rrule', rrule: 'RRULE:FREQ=WEEKLY;BYDAY=SU;BYHOUR=2;BYMINUTE=0;BYSECOND=0', minutes: '120', target: 'tags', tags: 'db, prod' }));
    expect(problems).toEqual([]);
    expect(body).toMatchObject({ rrule: 'FREQ=WEEKLY;BYDAY=SU;BYHOUR=2;BYMINUTE=0;BYSECOND=0', durationMinutes: 120, startsAt: null, endsAt: null, cronExpression: null, tags: ['db', 'prod'], allMonitors: false, monitorIds: null });
    expect(apiRefuses(body)).toEqual([]);
    const preview = schedulePreview(body, NOW, NOW, 3);
    expect(preview.problems).toEqual([]);
    // Sundays at 02:00 in Berlin (UTC+1 in winter): 01:00 UTC.
    expect(preview.starts.map((t) => new Date(t).toISOString())).toEqual(['2030-01-06T01:00:00.000Z', '2030-01-13T01:00:00.000Z', '2030-01-20T01:00:00.000Z']);
    expect(windowForm({ ...(body as any), timezone: 'Europe/Berlin' })).toMatchObject({ kind: 'rrule', minutes: '120', target: 'tags', tags: 'db, prod' });
  });

  it('builds a cron window with an end, and the preview stops at it', () => {
    const { body, problems } = windowBody(win({ kind: 'cron', cronExpression: '30 3 * * *', minutes: '30', timezone: 'UTC', until: '', target: 'monitors', monitorIds: ['mon_1'] }));
    expect(problems).toEqual([]);
    expect(apiRefuses(body)).toEqual([]);
    const until = { ...body, endsAt: '2030-01-03T00:00:00.000Z' };
    expect(schedulePreview(until, NOW, NOW).starts.map((t) => new Date(t).toISOString())).toEqual(['2030-01-01T03:30:00.000Z', '2030-01-02T03:30:00.000Z']);
  });

  it.each([
    ['no name', { name: '' }, ['/name']],
    ['a one-off window without a start', { startsAt: '' }, ['/startsAt']],
    ['a one-off length of 0', { startsAt: '2030-01-05T02:00', minutes: '0' }, ['/endsAt']],
    ['a recurring window without a rule', { kind: 'rrule', rrule: ' ' }, ['/rrule']],
    ['a rule with DTSTART', { kind: 'rrule', rrule: 'DTSTART:20300101T000000Z\nFREQ=DAILY' }, ['/rrule']],
    ['a cron window without an expression', { kind: 'cron', cronExpression: '' }, ['/cronExpression']],
    ['an occurrence over a week', { kind: 'cron', minutes: '10081' }, ['/durationMinutes']],
    ['an end before the first occurrence', { kind: 'rrule', startsAt: '2030-02-01T00:00', until: '2030-01-01T00:00' }, ['/endsAt']],
    ['tags chosen and none given', { target: 'tags', tags: ' , ' }, ['/tags']],
    ['chosen monitors and none chosen', { target: 'monitors', monitorIds: [] }, ['/monitorIds']],
  ] as const)('flags %s, as the API does', (_what, over, fields) => {
    const values = win({ startsAt: '2030-01-05T02:00', ...over } as Partial<WindowFormValues>);
    const { body, problems } = windowBody(values);
    expect(pointers(problems)).toEqual([...fields]);
    // The body as the form would have sent it, the offending value as typed: the API refuses it too.
    const raw: Record<string, any> = { ...body };
    if (fields[0] === '/durationMinutes') raw.durationMinutes = 10_081;
    if (fields[0] === '/endsAt' && values.kind === 'once') raw.endsAt = raw.startsAt;
    if (fields[0] === '/rrule') raw.rrule = values.rrule.trim() || null;
    if (fields[0] === '/cronExpression') raw.cronExpression = null;
    if (fields[0] === '/tags' || fields[0] === '/monitorIds') return; // "exactly one kind of target": the API's input rules, which need the database
    expect(apiRefuses(raw).length, JSON.stringify(raw)).toBeGreaterThan(0);
  });

  it('shows the schedule\'s own problems, as the API words them: a rule that never fires, an unknown zone', () => {
    const never = windowBody(win({ kind: 'rrule', rrule: 'FREQ=DAILY;COUNT=1', startsAt: '2029-01-01T00:00' })).body;
    expect(pointers(schedulePreview(never, NOW, NOW).problems)).toEqual(['/rrule']);
    expect(apiRefuses(never)).toEqual(['/rrule']);
    const zone = windowBody(win({ kind: 'cron', timezone: 'Mars/Olympus' })).body;
    expect(pointers(schedulePreview(zone, NOW, NOW).problems)).toEqual(['/timezone']);
    const bad = windowBody(win({ kind: 'cron', cronExpression: 'every day' })).body;
    expect(pointers(schedulePreview(bad, NOW, NOW).problems)).toEqual(['/cronExpression']);
  });
});

describe('the status page form', () => {
  const page = (over: Partial<StatusPageFormValues> = {}): StatusPageFormValues => ({ ...emptyStatusPage(), title: 'Shop status', slug: 'shop', ...over });

  it('uses the API\'s own slug and domain patterns', () => {
    expect(FORM_SLUG).toBe(SLUG_PATTERN);
    expect(FORM_DOMAIN).toBe(DOMAIN_PATTERN);
  });

  it('builds bodies the API takes: a custom domain (lower-cased, no final dot), a password page', () => {
    const { body, problems } = statusPageBody(page({ customDomain: 'Status.Example.com.', visibility: 'password', password: 'correct horse', components: [{ monitorId: 'mon_1', displayName: ' Checkout ', group: '', showUptime: false }] }), null);
    expect(problems).toEqual([]);
    expect(body).toEqual({
      title: 'Shop status', slug: 'shop', description: '', customDomain: 'status.example.com', visibility: 'password', password: 'correct horse',
      components: [{ monitorId: 'mon_1', displayName: 'Checkout', group: null, showUptime: false }],
    });
    expect(schemaRefuses(StatusPageBody, body)).toEqual([]);
    // An edit of a password page may leave the password empty: the API keeps the current one.
    const kept = statusPageBody(page({ visibility: 'password' }), { visibility: 'password' });
    expect(kept.problems).toEqual([]);
    expect(kept.body).not.toHaveProperty('password');
    // Public again: no password sent (the API refuses one for a public page).
    expect(statusPageBody(page({ visibility: 'public', password: 'leftover1' }), { visibility: 'password' }).body).not.toHaveProperty('password');
    expect(statusPageForm({ title: 'T', slug: 's', description: '', customDomain: null, visibility: 'password', components: [{ monitorId: 'mon_1', displayName: 'Checkout', group: null, showUptime: true }] }, () => 'Checkout'))
      .toEqual({ title: 'T', slug: 's', description: '', customDomain: '', visibility: 'password', password: '', components: [{ monitorId: 'mon_1', displayName: '', group: '', showUptime: true }] });
  });

  it.each([
    ['no title', { title: '' }, ['/title']],
    ['a slug with capitals', { slug: 'Shop' }, ['/slug']],
    ['a slug ending in a dash', { slug: 'shop-' }, ['/slug']],
    ['a domain of one label', { customDomain: 'localhost' }, ['/customDomain']],
    ['a domain with a path', { customDomain: 'status.example.com/x' }, ['/customDomain']],
    ['a short password', { visibility: 'password', password: 'short' }, ['/password']],
  ] as const)('flags %s, as the API does', (_what, over, fields) => {
    const { body, problems } = statusPageBody(page(over as Partial<StatusPageFormValues>), null);
    expect(pointers(problems)).toEqual([...fields]);
    const raw: Record<string, any> = { ...body, title: (over as any).title ?? body.title };
    if (fields[0] === '/customDomain') {
      // The schema takes any host-like text; the API's input rule is this pattern.
      expect(new RegExp(DOMAIN_PATTERN).test(String(raw.customDomain))).toBe(false);
    } else {
      expect(schemaRefuses(StatusPageBody, raw)).toEqual([...fields]);
    }
  });

  it('asks for a password when a page becomes password-protected (the API refuses it without)', () => {
    const { body, problems } = statusPageBody(page({ visibility: 'password' }), { visibility: 'public' });
    expect(pointers(problems)).toEqual(['/password']);
    expect(body).not.toHaveProperty('password');
  });
});
