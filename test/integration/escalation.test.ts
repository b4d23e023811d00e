/**
 * Escalation policies (issue 12): CRUD with the plan limit and bad input, and escalation
 * runs on the test's clock — each step fires once across a restart (a new timers instance)
 * and with two processes at once, acknowledge and resolve stop it mid-way, and a policy runs
 * out after its repeats.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { insertChannel } from '../support/alert-fixtures.js';
import { AlertOutbox } from '../../services/alerting/deliveries/outbox.js';
import { EscalationTimers } from '../../services/alerting/escalation/timers.js';
import { startEscalationWorker } from '../../services/alerting/escalation/worker.js';
import { createLogger } from '../../services/lib/logger.js';
import { eventually, realService } from '../support/services.js';
import { startAlertingHarness } from '../support/alerting-harness.js';
import { request } from 'undici';
import { startSmtpReceiver, type SmtpReceiver } from '../support/smtp-receiver.js';
import { createDeliveryWorker } from '../../services/alerting/deliveries/worker.js';
import { DeliveryStore } from '../../services/alerting/deliveries/delivery-store.js';
import { channelIdentityLoader } from '../../services/alerting/deliveries/unconfigured-sender.js';
import { createChannelSender } from '../../services/alerting/channels/index.js';
import { createMailSender } from '../../services/alerting/channels/email.js';
import { withTeamMembers } from '../../services/alerting/escalation/member-recipients.js';

const databaseUrl = realService('database');
const MIN = 60_000;
let clock = Date.parse('2026-03-24T14:00:00Z');
let h: ApiHarness;

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
const call = async (key: string, method: Method, url: string, body?: unknown) => {
  const res = await h.app.inject({ method, url, headers: { 'x-api-key': key }, ...(body === undefined ? {} : { payload: body as object }) });
  return { status: res.statusCode, json: res.body ? res.json() : undefined };
};
/** A fresh alerting process's view of the timers: nothing in memory carries over. */
const timersProcess = () => new EscalationTimers({ sql: h.sql, outbox: new AlertOutbox() });
const policyCount = async (orgId: string) => Number((await h.sql.query<{ n: string }>(`SELECT count(*) AS n FROM escalation_policies WHERE org_id = $1`, [orgId])).rows[0].n);

/** The channels each incident.escalated event of the incident went to, in order. */
async function escalations(incidentId: string): Promise<string[]> {
  const { rows } = await h.sql.query<{ channel_id: string; payload: { escalation: { step: number; round: number } } }>(
    `SELECT d.channel_id, e.payload FROM alert_events e JOIN alert_deliveries d ON d.event_id = e.id
      WHERE e.type = 'incident.escalated' AND e.payload->'incident'->>'id' = $1 ORDER BY e.created_at, e.id, d.channel_id`, [incidentId],
  );
  return rows.map((r) => `${r.payload.escalation.round}.${r.payload.escalation.step}:${r.channel_id}`);
}

async function setup(repeatCount = 1) {
  const t = await h.tenant();
  const first = await insertChannel(h.sql, t.orgId, 'on-call');
  const second = await insertChannel(h.sql, t.orgId, 'managers');
  const policy = await call(t.key, 'POST', '/api/escalation-policies', {
    name: 'page then managers', repeatCount, steps: [{ delayMinutes: 5, channelIds: [first] }, { delayMinutes: 10, channelIds: [second] }],
  });
  expect(policy.status).toBe(201);
  const monitor = await call(t.key, 'POST', '/api/monitors', { name: 'api', type: 'Website', url: 'https://api.example.test', escalationPolicyId: policy.json.id });
  expect(monitor.status).toBe(201);
  expect(monitor.json.escalationPolicyId).toBe(policy.json.id);
  const open = async () => (await call(t.key, 'POST', '/api/incidents', { title: 'checkout down', monitorId: monitor.json.id })).json.id as string;
  return { t, first, second, policy: policy.json, monitor: monitor.json, open };
}

// The embedded store has one connection (a read beside a transaction waits for it), so the
// timers run on PGlite as `pharos dev` has them, and on Postgres when one is configured.
const stores: Array<[string, string | undefined]> = [['PGlite', undefined], ...(databaseUrl ? [['Postgres', databaseUrl] as [string, string]] : [])];

describe.each(stores)('on %s', (_store, url) => {
  beforeAll(async () => { h = await startApiHarness({ databaseUrl: url, now: () => clock }); });
  afterAll(async () => h?.close());

  describe('escalation policies', () => {
    it('are created, read, listed, replaced and deleted, within the plan limit', async () => {
      const t = await h.tenant(['*'], 'base');
      const ch = await insertChannel(h.sql, t.orgId);
      const body = { name: 'p', steps: [{ delayMinutes: 0, channelIds: [ch] }] };
      const created = await call(t.key, 'POST', '/api/escalation-policies', body);
      expect(created.json).toMatchObject({ id: expect.stringMatching(/^esc_/), name: 'p', repeatCount: 0, steps: [{ delayMinutes: 0, channelIds: [ch] }] });
      expect((await call(t.key, 'GET', `/api/escalation-policies/${created.json.id}`)).json).toEqual(created.json);
      const put = await call(t.key, 'PUT', `/api/escalation-policies/${created.json.id}`, { ...body, name: 'q', repeatCount: 3 });
      expect(put.json).toMatchObject({ name: 'q', repeatCount: 3 });
      expect((await call(t.key, 'POST', '/api/escalation-policies', body)).status).toBe(201);
      const third = await call(t.key, 'POST', '/api/escalation-policies', body);
      expect(third).toMatchObject({ status: 403, json: { code: 'PLAN_LIMIT_EXCEEDED', message: expect.stringContaining('escalation policies') } });
      expect((await call(t.key, 'GET', '/api/escalation-policies')).json.totalCount).toBe(2);
      expect((await call(t.key, 'DELETE', `/api/escalation-policies/${created.json.id}`)).status).toBe(204);
      expect((await call(t.key, 'GET', `/api/escalation-policies/${created.json.id}`)).status).toBe(404);
    });

    it('refuse negative delays, other organizations\' channels and policies, and deleting one in use, storing nothing', async () => {
      const t = await h.tenant();
      const other = await h.tenant();
      const mine = await insertChannel(h.sql, t.orgId);
      const theirs = await insertChannel(h.sql, other.orgId);
      const negative = await call(t.key, 'POST', '/api/escalation-policies', { name: 'x', steps: [{ delayMinutes: -5, channelIds: [mine] }] });
      expect(negative).toMatchObject({ status: 400, json: { details: [{ field: '/steps/0/delayMinutes' }] } });
      const foreign = await call(t.key, 'POST', '/api/escalation-policies', { name: 'x', steps: [{ delayMinutes: 1, channelIds: [mine] }, { delayMinutes: 1, channelIds: [mine, theirs] }] });
      expect(foreign).toMatchObject({ status: 400, json: { details: [{ field: '/steps/1/channelIds/1' }] } });
      expect((await call(t.key, 'POST', '/api/escalation-policies', { name: 'x', steps: [] })).status).toBe(400);
      expect(await policyCount(t.orgId)).toBe(0);

      const { json: theirPolicy } = await call(other.key, 'POST', '/api/escalation-policies', { name: 'theirs', steps: [{ delayMinutes: 1, channelIds: [theirs] }] });
      for (const method of ['GET', 'DELETE'] as const) expect((await call(t.key, method, `/api/escalation-policies/${theirPolicy.id}`)).status).toBe(404);
      expect((await call(t.key, 'PUT', `/api/escalation-policies/${theirPolicy.id}`, { name: 'mine now', steps: [{ delayMinutes: 1, channelIds: [mine] }] })).status).toBe(404);
      const monitor = await call(t.key, 'POST', '/api/monitors', { name: 'm', type: 'Website', url: 'https://x.example.test', escalationPolicyId: theirPolicy.id });
      expect(monitor).toMatchObject({ status: 400, json: { details: [{ field: '/escalationPolicyId' }] } });

      const { json: used } = await call(t.key, 'POST', '/api/escalation-policies', { name: 'used', steps: [{ delayMinutes: 1, channelIds: [mine] }] });
      expect((await call(t.key, 'POST', '/api/monitors', { name: 'uses it', type: 'Website', url: 'https://x.example.test', escalationPolicyId: used.id })).status).toBe(201);
      expect((await call(t.key, 'DELETE', `/api/escalation-policies/${used.id}`))).toMatchObject({ status: 409, json: { message: expect.stringContaining('uses it') } });
      expect((await call(other.key, 'GET', `/api/escalation-policies/${theirPolicy.id}`)).json.name).toBe('theirs');
    });
  });

  describe('escalation runs', () => {
    it('fires each step once across a restart and with two processes at once; acknowledge stops it mid-way', async () => {
      const s = await setup(1);
      const start = clock;
      const incident = await s.open();
      const a = timersProcess();
      expect(await a.fireDue(start + 4 * MIN)).toBe(0);
      expect(await a.fireDue(start + 5 * MIN)).toBe(1);
      expect(await escalations(incident)).toEqual([`1.1:${s.first}`]);

      // The process restarts: the new one neither repeats step 1 nor loses step 2.
      const b = timersProcess();
      expect(await b.fireDue(start + 5 * MIN)).toBe(0);
      expect(await b.fireDue(start + 15 * MIN)).toBe(1);
      // Round 2, step 1 is due 5 minutes later; two processes tick at once and it fires once.
      const both = await Promise.all([timersProcess().fireDue(start + 20 * MIN), timersProcess().fireDue(start + 20 * MIN)]);
      expect(both[0] + both[1]).toBe(1);
      expect(await escalations(incident)).toEqual([`1.1:${s.first}`, `1.2:${s.second}`, `2.1:${s.first}`]);

      clock = start + 21 * MIN;
      expect((await call(s.t.key, 'POST', `/api/incidents/${incident}/acknowledge`)).status).toBe(200);
      expect(await timersProcess().fireDue(start + 120 * MIN)).toBe(0);
      expect(await escalations(incident)).toHaveLength(3);
      const { rows: [timer] } = await h.sql.query<{ stop_reason: string; fired_count: number }>(`SELECT stop_reason, fired_count FROM escalation_timers WHERE incident_id = $1`, [incident]);
      expect(timer).toEqual({ stop_reason: 'Acknowledged', fired_count: 3 });
    });

    it('resolving stops it; unacknowledged it runs out after its repeats', async () => {
      const s = await setup(1);
      const start = clock;
      const resolved = await s.open();
      const exhausted = await s.open();
      expect(await timersProcess().fireDue(start + 5 * MIN)).toBe(2);
      clock = start + 6 * MIN;
      expect((await call(s.t.key, 'POST', `/api/incidents/${resolved}/resolve`)).status).toBe(200);
      const worker = startEscalationWorker({ timers: timersProcess(), logger: createLogger('silent'), now: () => start + 600 * MIN, pollIntervalMs: 3_600_000 });
      // Far past every due time: the remaining three steps of the unacknowledged one, nothing for the resolved one.
      await worker.tick();
      await worker.stop();
      expect(await escalations(resolved)).toEqual([`1.1:${s.first}`]);
      expect(await escalations(exhausted)).toEqual([`1.1:${s.first}`, `1.2:${s.second}`, `2.1:${s.first}`, `2.2:${s.second}`]);
      const { rows } = await h.sql.query<{ incident_id: string; stop_reason: string }>(`SELECT incident_id, stop_reason FROM escalation_timers WHERE incident_id = ANY($1::text[])`, [[resolved, exhausted]]);
      expect(Object.fromEntries(rows.map((r) => [r.incident_id, r.stop_reason]))).toEqual({ [resolved]: 'Resolved', [exhausted]: 'Exhausted' });
    });

    it('an automatic incident starts its monitor\'s policy, and the recovery stops it', async () => {
      const alerting = await startAlertingHarness(h, () => clock);
      try {
        const base = await h.app.listen({ host: '127.0.0.1', port: 0 });
        const s = await setup(0);
        const job = await call(s.t.key, 'POST', '/api/monitors', { name: 'nightly', type: 'Job', periodSeconds: 3600, escalationPolicyId: s.policy.id });
        const pingUrl = (job.json.pingUrl as string).replace(/^https?:\/\/[^/]+/, base);
        const start = clock;
        await request(`${pingUrl}/fail`, { method: 'POST' }).then((r) => r.body.text());
        const [incident] = await eventually(async () => {
          const items = (await call(s.t.key, 'GET', `/api/monitors/${job.json.id}/incidents`)).json.items;
          return items.length ? items : undefined;
        }, { what: 'the automatic incident' });
        expect(await timersProcess().fireDue(start + 5 * MIN)).toBe(1);
        clock = start + 6 * MIN;
        await request(pingUrl, { method: 'POST' }).then((r) => r.body.text());
        await eventually(async () => (await call(s.t.key, 'GET', `/api/incidents/${incident.id}`)).json.status === 'Resolved', { what: 'the recovery' });
        expect(await timersProcess().fireDue(start + 600 * MIN)).toBe(0);
        expect(await escalations(incident.id)).toEqual([`1.1:${s.first}`]);
        const { rows: [timer] } = await h.sql.query<{ stop_reason: string }>(`SELECT stop_reason FROM escalation_timers WHERE incident_id = $1`, [incident.id]);
        expect(timer.stop_reason).toBe('Resolved');
      } finally {
        await alerting.stop();
      }
    });

    it('an alert rule starts its policy for the monitors it matches; a policy a rule names is not deleted', async () => {
      const t = await h.tenant();
      const page = await insertChannel(h.sql, t.orgId, 'page');
      const { json: policy } = await call(t.key, 'POST', '/api/escalation-policies', { name: 'prod', steps: [{ delayMinutes: 1, channelIds: [page] }] });
      const rule = await call(t.key, 'POST', '/api/alert-rules', { name: 'prod escalates', tags: ['prod'], channelIds: [page], escalationPolicyId: policy.id });
      expect(rule.json).toMatchObject({ escalationPolicyId: policy.id });
      const other = await h.tenant();
      const { json: theirs } = await call(other.key, 'POST', '/api/escalation-policies', { name: 'theirs', steps: [{ delayMinutes: 1, channelIds: [await insertChannel(h.sql, other.orgId)] }] });
      expect(await call(t.key, 'POST', '/api/alert-rules', { name: 'x', channelIds: [page], escalationPolicyId: theirs.id })).toMatchObject({ status: 400, json: { details: [{ field: '/escalationPolicyId' }] } });

      const prod = (await call(t.key, 'POST', '/api/monitors', { name: 'prod api', type: 'Website', url: 'https://p.example.test', tags: ['prod'] })).json;
      const dev = (await call(t.key, 'POST', '/api/monitors', { name: 'dev api', type: 'Website', url: 'https://d.example.test', tags: ['dev'] })).json;
      const start = clock;
      const onProd = (await call(t.key, 'POST', '/api/incidents', { title: 'prod', monitorId: prod.id })).json.id;
      const onDev = (await call(t.key, 'POST', '/api/incidents', { title: 'dev', monitorId: dev.id })).json.id;
      await timersProcess().fireDue(start + MIN);
      expect(await escalations(onProd)).toEqual([`1.1:${page}`]);
      expect(await escalations(onDev)).toEqual([]);
      expect(await call(t.key, 'DELETE', `/api/escalation-policies/${policy.id}`)).toMatchObject({ status: 409, json: { message: expect.stringContaining('alert rule prod escalates') } });
    });
  });

  describe('escalation to team members by email', () => {
    let smtp: SmtpReceiver;
    beforeAll(async () => { smtp = await startSmtpReceiver(); });
    afterAll(async () => smtp?.close());

    /** An alerting process's delivery worker: members resolved to their address, sent over the real SMTP server. */
    const deliveryProcess = (atMs: number) => createDeliveryWorker({
      store: new DeliveryStore(h.sql), logger: createLogger('silent'), now: () => atMs,
      loadChannel: withTeamMembers(h.sql, channelIdentityLoader(h.sql)),
      deliverEvent: createChannelSender({ post: async () => ({ ok: false, statusCode: null, error: 'no http here' }), mail: createMailSender(smtp.transport, 'Pharos <alerts@pharos.test>') }),
    });

    it('refuses members of another organization and steps that notify nobody, storing nothing', async () => {
      const t = await h.tenant();
      const other = await h.tenant();
      const { json: theirTeam } = await call(other.key, 'POST', '/api/teams', { name: 'theirs' });
      const { json: theirs } = await call(other.key, 'POST', `/api/teams/${theirTeam.id}/members`, { name: 'Eve', email: 'eve@example.test' });
      const { json: myTeam } = await call(t.key, 'POST', '/api/teams', { name: 'mine' });
      const { json: mine } = await call(t.key, 'POST', `/api/teams/${myTeam.id}/members`, { name: 'Ada', email: 'ada@example.test' });
      const foreign = await call(t.key, 'POST', '/api/escalation-policies', { name: 'x', steps: [{ delayMinutes: 1, memberIds: [mine.id, theirs.id] }] });
      expect(foreign).toMatchObject({ status: 400, json: { details: [{ field: '/steps/0/memberIds/1', message: expect.stringContaining(theirs.id) }] } });
      const nobody = await call(t.key, 'POST', '/api/escalation-policies', { name: 'x', steps: [{ delayMinutes: 1, channelIds: [], memberIds: [] }] });
      expect(nobody).toMatchObject({ status: 400, json: { details: [{ field: '/steps/0' }] } });
      expect(await policyCount(t.orgId)).toBe(0);
      const ok = await call(t.key, 'POST', '/api/escalation-policies', { name: 'x', steps: [{ delayMinutes: 1, memberIds: [mine.id] }] });
      expect(ok).toMatchObject({ status: 201, json: { steps: [{ delayMinutes: 1, channelIds: [], memberIds: [mine.id] }] } });
    });

    it('emails each member of a step once, across two alerting processes and a restart, with untrusted text escaped', async () => {
      const t = await h.tenant();
      const { json: team } = await call(t.key, 'POST', '/api/teams', { name: 'on-call' });
      const ada = (await call(t.key, 'POST', `/api/teams/${team.id}/members`, { name: 'Ada', email: 'ada@oncall.test' })).json;
      const bob = (await call(t.key, 'POST', `/api/teams/${team.id}/members`, { name: 'Bob', email: 'bob@oncall.test' })).json;
      const channel = await insertChannel(h.sql, t.orgId, 'page');
      const { json: policy } = await call(t.key, 'POST', '/api/escalation-policies', {
        name: 'members', steps: [{ delayMinutes: 5, channelIds: [channel], memberIds: [ada.id] }, { delayMinutes: 5, memberIds: [ada.id, bob.id] }],
      });
      const { json: monitor } = await call(t.key, 'POST', '/api/monitors', { name: '<b>shop</b> & co', type: 'Website', url: 'https://shop.example.test', escalationPolicyId: policy.id });
      const start = clock;
      const incident = (await call(t.key, 'POST', '/api/incidents', { title: 'checkout <down>', monitorId: monitor.id })).json.id as string;
      const mine = () => smtp.mails.filter((m) => m.to.some((a) => a.endsWith('@oncall.test')));

      // Two processes tick at once, then one restarts: each step fires once.
      const both = await Promise.all([timersProcess().fireDue(start + 5 * MIN), timersProcess().fireDue(start + 5 * MIN)]);
      expect(both[0] + both[1]).toBe(1);
      expect(await timersProcess().fireDue(start + 10 * MIN)).toBe(1);
      expect(await timersProcess().fireDue(start + 10 * MIN)).toBe(0);
      expect(await escalations(incident)).toEqual([`1.1:${channel}`, `1.1:${ada.id}`, `1.2:${ada.id}`, `1.2:${bob.id}`]);

      // Two delivery workers drain at once, then a third: every mail goes once.
      await Promise.all([deliveryProcess(start + 10 * MIN).drain(), deliveryProcess(start + 10 * MIN).drain()]);
      expect(await deliveryProcess(start + 10 * MIN).drain()).toBe(0);
      expect(mine().map((m) => m.to).sort()).toEqual([['ada@oncall.test'], ['ada@oncall.test'], ['bob@oncall.test']]);
      // The HTML part (quoted-printable): tenant text escaped; the plain-text part and subject carry it as is.
      const html = mine()[0].raw.split(/Content-Type: text\/html/i)[1]!.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, x: string) => String.fromCharCode(parseInt(x, 16)));
      expect(html).toContain('&lt;b&gt;shop&lt;/b&gt; &amp; co');
      expect(html).not.toContain('<b>shop</b>');
      const { rows } = await h.sql.query<{ channel_id: string; channel_type: string; status: string }>(
        `SELECT d.channel_id, d.channel_type, d.status FROM alert_deliveries d JOIN alert_events e ON e.id = d.event_id
          WHERE e.payload->'incident'->>'id' = $1 AND d.channel_id LIKE 'mem_%'`, [incident],
      );
      expect(rows.map((r) => `${r.channel_type}:${r.status}`)).toEqual(['Email:Sent', 'Email:Sent', 'Email:Sent']);
      // The channel row of this test has no sealed settings to send with; its delivery is not a member's.
      const alerts = (await call(t.key, 'GET', `/api/alerts?monitorId=${monitor.id}`)).json.items as Array<{ channel: { id: string; type: string } }>;
      expect(alerts.filter((a) => a.channel.id === bob.id)).toEqual([expect.objectContaining({ channel: expect.objectContaining({ type: 'Email' }) })]);
    });
  });
});
