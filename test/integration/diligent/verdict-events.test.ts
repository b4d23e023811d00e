/**
 * Diligent findings through the notifications outbox: an execution whose checks' conclusive
 * verdicts differ from the last announced ones writes one monitoring.flagged or
 * monitoring.verdict_changed event on the transaction that stores it, to the organization's
 * rules; the alert records show it, the delivery worker posts it signed to a Webhook channel,
 * and a redelivered or re-run execution announces nothing twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { startApiHarness, type ApiHarness } from '../../support/api-harness.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/webhook-receiver.js';
import { eventually, realService, uniqueName } from '../../support/services.js';
import { createLogger } from '../../../services/lib/logger.js';
import { AlertOutbox } from '../../../services/alerting/deliveries/outbox.js';
import { DeliveryStore } from '../../../services/alerting/deliveries/delivery-store.js';
import { createDeliveryWorker } from '../../../services/alerting/deliveries/worker.js';
import { createChannelSender } from '../../../services/alerting/channels/index.js';
import { createGuardedHttp, type GuardedHttp } from '../../../services/alerting/channels/guarded-http.js';
import { createGuardedResolver } from '../../../services/lib/ssrf/guarded-resolver.js';
import type { AlertEvent } from '../../../services/alerting/events.js';
import { MonitoringStore, type Monitoring } from '../../../services/diligent/store.js';
import { DEFAULT_DILIGENT_REGION, diligentSubjects } from '../../../services/diligent/subjects.js';
import { createDiligentScheduler, type DiligentScheduler } from '../../../services/diligent/scheduler.js';
import { startDiligentWorker, type DiligentWorker, type RunChecks } from '../../../services/diligent/worker.js';
import { encodeExecutionJob } from '../../../services/diligent/job.js';
import type { Finding, Verdict } from '../../../services/diligent/checks/finding.js';
import { DAY_MS, type CheckName } from '../../../services/diligent/contract.js';

const logger = createLogger('silent');
const subjects = diligentSubjects(uniqueName('dilev'));
let clock = Date.parse('2026-04-01T00:00:00Z');
const now = () => clock;

let h: ApiHarness;
let hook: WebhookReceiver;
let http: GuardedHttp;
let store: MonitoringStore;
let scheduler: DiligentScheduler;
let worker: DiligentWorker;
let runs = 0;
/** Executions the worker looked up, in order (a spy over the real store). */
const lookups: string[] = [];
class SpiedStore extends MonitoringStore {
  override async execution(id: string) {
    const e = await super.execution(id);
    lookups.push(id);
    return e;
  }
}
/** What the checks answer next, per check. */
const verdicts = new Map<CheckName, Verdict>();

const runChecks: RunChecks = async (request) => {
  runs++;
  return request.checks.map((check): Finding => {
    const verdict = verdicts.get(check) ?? 'clear';
    return {
      check, verdict, confidence: verdict === 'inconclusive' ? 0 : 0.8, summary: `${check} is ${verdict}`,
      evidence: Array.from({ length: 7 }, (_, i) => ({ kind: 'phrase', detail: `signal ${i}`, source: `${request.website}about` })),
    };
  });
};

const call = (method: string, url: string, key: string, payload?: object) =>
  h.app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${key}` }, payload });

async function eventsOf(orgId: string): Promise<AlertEvent[]> {
  const { rows } = await h.sql.query<{ payload: AlertEvent | string }>(
    `SELECT payload FROM alert_events WHERE org_id = $1 AND type LIKE 'monitoring.%' ORDER BY created_at, id`, [orgId]);
  return rows.map((r) => (typeof r.payload === 'string' ? JSON.parse(r.payload) as AlertEvent : r.payload));
}

/** Requests a run, queues it and waits for the worker to store it; returns the execution id. */
async function runOnce(m: Monitoring): Promise<string> {
  clock += 60_000;
  await store.requestRun(m.orgId, m.id, clock);
  await scheduler.step();
  const expected = clock;
  await eventually(async () => { const r = await store.get(m.orgId, m.id); return r?.runningState === 'IDLE' && r.lastExecutionMs === expected; }, { what: 'the execution stored' });
  return (await store.executions(m.orgId, m.id, 1, 0)).items[0].id;
}

beforeAll(async () => {
  h = await startApiHarness({ databaseUrl: realService('database'), now });
  hook = await startWebhookReceiver();
  http = createGuardedHttp({ resolver: createGuardedResolver({ allowPrivateTargets: true }) });
  store = new MonitoringStore(h.sql);
  scheduler = createDiligentScheduler({ sql: h.sql, store, bus: h.bus, subjects, logger, now });
  worker = await startDiligentWorker({ store: new SpiedStore(h.sql), bus: h.bus, subjects, runChecks, logger, now, outbox: new AlertOutbox() });
});
afterAll(async () => {
  await worker?.stop();
  await http?.close();
  await hook?.close();
  await h?.close();
});

describe('diligent verdict events', () => {
  it('announce a check becoming flagged and clear again once each, on the alert records and signed to a Webhook channel', async () => {
    const { orgId, key } = await h.tenant();
    const other = await h.tenant();
    const channel = (await call('POST', '/api/alert-channels', key, { name: 'risk hook', type: 'Webhook', webhookUrl: hook.url })).json();
    expect(channel.signingSecret).toMatch(/^whsec_/);
    expect((await call('POST', '/api/alert-rules', key, { name: 'risk', events: ['monitoring.flagged', 'monitoring.verdict_changed'], channelIds: [channel.id] })).statusCode).toBe(201);
    const m = (await store.create({
      id: randomUUID(), orgId, website: 'https://shop.example.org/', canonicalOrigin: uniqueName('origin'),
      checks: ['non_operational_website', 'high_risk_mcc'], frequency: 'weekly', nextRunAtMs: clock + 7 * DAY_MS, runRequested: false,
      expiresAtMs: clock + 180 * DAY_MS, nowMs: clock,
    }))!;

    // A first clear verdict is the baseline: nothing to announce.
    verdicts.clear();
    await runOnce(m);
    expect(await eventsOf(orgId)).toEqual([]);

    // high_risk_mcc becomes flagged: one monitoring.flagged with the change and every finding.
    verdicts.set('high_risk_mcc', 'flagged');
    const flaggedRun = await runOnce(m);
    const flaggedAt = clock;
    let events = await eventsOf(orgId);
    expect(events.map((e) => e.event)).toEqual(['monitoring.flagged']);
    expect(events[0]).toMatchObject({
      id: expect.stringMatching(/^evt_/), orgId, monitor: null,
      alert: { type: 'MonitoringFlagged', message: 'https://shop.example.org/: flagged by high_risk_mcc', timestamp: new Date(flaggedAt).toISOString(), responseTimeMs: null },
      monitoring: {
        id: m.id, website: 'https://shop.example.org/', customer_id: orgId, execution_id: flaggedRun, trigger: 'run_now', finished_at: new Date(flaggedAt).toISOString(),
        changes: [{ check: 'high_risk_mcc', verdict: 'flagged', previous_verdict: 'clear', confidence: 0.8, summary: 'high_risk_mcc is flagged' }],
        findings: [
          { check: 'non_operational_website', verdict: 'clear', confidence: 0.8, summary: 'non_operational_website is clear' },
          { check: 'high_risk_mcc', verdict: 'flagged', confidence: 0.8, summary: 'high_risk_mcc is flagged' },
        ],
      },
    });
    expect(events[0].monitoring!.changes[0].evidence).toHaveLength(5);

    // Still flagged, then inconclusive (a bot wall): nothing new to say.
    await runOnce(m);
    verdicts.set('high_risk_mcc', 'inconclusive');
    await runOnce(m);
    expect((await eventsOf(orgId)).length).toBe(1);

    // The flagged execution's job delivered again: acknowledged without a run, nothing announced.
    const runsBefore = runs;
    const looked = lookups.filter((id) => id === flaggedRun).length;
    await h.bus.publishWork(subjects.work(DEFAULT_DILIGENT_REGION), encodeExecutionJob({ executionId: flaggedRun, region: DEFAULT_DILIGENT_REGION }), { msgId: `${flaggedRun}#redelivered`, deadlineMs: Date.now() + 60_000 });
    await eventually(() => lookups.filter((id) => id === flaggedRun).length > looked, { what: 'the redelivery taken' });
    expect(runs).toBe(runsBefore);
    // The same execution re-run (queued afresh under its id) with the same verdicts: stored again, announced not again.
    verdicts.set('high_risk_mcc', 'flagged');
    const again = await h.sql.transaction((tx) => store.markQueued(tx, m, { id: flaggedRun, trigger: 'run_now', nextRunAtMs: m.nextRunAtMs, nowMs: clock, regions: [DEFAULT_DILIGENT_REGION] }));
    await h.bus.publishWork(subjects.work(DEFAULT_DILIGENT_REGION), encodeExecutionJob({ executionId: again.id, region: DEFAULT_DILIGENT_REGION }), { msgId: `${again.id}#${again.attempt}`, deadlineMs: Date.now() + 60_000 });
    await eventually(async () => (await store.execution(flaggedRun))?.status === 'completed' && runs > runsBefore, { what: 'the re-run stored' });
    expect(runs).toBe(runsBefore + 1);
    expect((await eventsOf(orgId)).length).toBe(1);
    // And completing it once more by hand (a second worker finishing late) stores and announces nothing.
    expect(await store.reportRegion(flaggedRun, DEFAULT_DILIGENT_REGION, [], clock, async () => { throw new Error('must not announce'); })).toEqual({ outcome: 'stale', waitingFor: [], deliveriesQueued: 0 });

    // Clear again: one monitoring.verdict_changed.
    verdicts.set('high_risk_mcc', 'clear');
    await runOnce(m);
    events = await eventsOf(orgId);
    expect(events.map((e) => e.event)).toEqual(['monitoring.flagged', 'monitoring.verdict_changed']);
    expect(events[1]).toMatchObject({
      alert: { type: 'MonitoringVerdictChanged', message: 'https://shop.example.org/: no longer flagged by high_risk_mcc' },
      monitoring: { changes: [{ check: 'high_risk_mcc', verdict: 'clear', previous_verdict: 'flagged' }] },
    });

    // The alert records show them, for this organization only.
    const alerts = (await call('GET', '/api/alerts?type=MonitoringFlagged', key)).json();
    expect(alerts.totalCount).toBe(1);
    expect((await call('GET', '/api/alerts?type=MonitoringVerdictChanged', key)).json().totalCount).toBe(1);
    expect((await call('GET', '/api/alerts?type=MonitoringFlagged', other.key)).json().totalCount).toBe(0);

    // The delivery worker posts both to the channel, signed (Standard Webhooks), in snake_case.
    const deliveries = createDeliveryWorker({
      store: new DeliveryStore(h.sql), logger, now: () => Date.now(),
      loadChannel: async (org, id) => { const c = await h.alertChannels.store.load(id); return c && c.orgId === org ? c : null; },
      deliverEvent: createChannelSender({ post: http.post, mail: null }),
    });
    await eventually(async () => { await deliveries.drain(); return hook.byEvent('monitoring.verdict_changed').length > 0; }, { what: 'the webhooks' });
    expect(hook.received.map((r) => r.body.event)).toEqual(['monitoring.flagged', 'monitoring.verdict_changed']);
    const posted = hook.byEvent('monitoring.flagged')[0];
    const hdr = posted.headers as Record<string, string>;
    const verified = new Webhook(channel.signingSecret).verify(posted.raw, { 'webhook-id': hdr['webhook-id'], 'webhook-timestamp': hdr['webhook-timestamp'], 'webhook-signature': hdr['webhook-signature'] });
    expect(verified).toMatchObject({
      id: events[0].id, event: 'monitoring.flagged', monitor: null, alert: { type: 'MonitoringFlagged' },
      monitoring: { id: m.id, customer_id: orgId, execution_id: flaggedRun, changes: [{ check: 'high_risk_mcc', verdict: 'flagged', previous_verdict: 'clear' }] },
    });
    expect(await deliveries.drain()).toBe(0);
    expect(hook.received).toHaveLength(2);
  });

  it('a first flagged verdict is announced; an organization without a matching rule stores no event', async () => {
    const withRule = await h.tenant();
    const channel = (await call('POST', '/api/alert-channels', withRule.key, { name: 'hook', type: 'Webhook', webhookUrl: 'http://127.0.0.1:9/hook' })).json();
    // Created without `events`: every event, the Diligent ones included.
    expect((await call('POST', '/api/alert-rules', withRule.key, { name: 'all', channelIds: [channel.id] })).statusCode).toBe(201);
    const without = await h.tenant();
    verdicts.clear();
    verdicts.set('non_operational_website', 'flagged');
    for (const t of [withRule, without]) {
      const m = (await store.create({
        id: randomUUID(), orgId: t.orgId, website: 'https://parked.example.org/', canonicalOrigin: uniqueName('origin'),
        checks: ['non_operational_website'], frequency: 'weekly', nextRunAtMs: clock + 7 * DAY_MS, runRequested: false, expiresAtMs: clock + 180 * DAY_MS, nowMs: clock,
      }))!;
      await runOnce(m);
    }
    expect((await eventsOf(withRule.orgId)).map((e) => [e.event, e.monitoring!.changes[0].previous_verdict])).toEqual([['monitoring.flagged', null]]);
    expect(await eventsOf(without.orgId)).toEqual([]);
  });
});
