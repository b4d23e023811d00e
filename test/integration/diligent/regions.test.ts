/**
 * Diligent executions run from several regions: the scheduler queues one work message per
 * configured region, each region's worker takes its own queue, and the findings are merged
 * when every region has reported — a check flagged in one region and clear in another is
 * flagged with `regions_disagree` and both verdicts, and its event says so. A region that does
 * not answer before the deadline counts as inconclusive and the execution completes without it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { startApiHarness, type ApiHarness } from '../../support/api-harness.js';
import { eventually, realService, uniqueName } from '../../support/services.js';
import { createLogger } from '../../../services/lib/logger.js';
import { AlertOutbox } from '../../../services/alerting/deliveries/outbox.js';
import type { AlertEvent } from '../../../services/alerting/events.js';
import { MonitoringStore, type Monitoring } from '../../../services/diligent/store.js';
import { diligentSubjects } from '../../../services/diligent/subjects.js';
import { createDiligentScheduler, type DiligentScheduler } from '../../../services/diligent/scheduler.js';
import { startDiligentWorker, type DiligentWorker, type RunChecks } from '../../../services/diligent/worker.js';
import { NO_ANSWER } from '../../../services/diligent/region-merge.js';
import { encodeExecutionJob } from '../../../services/diligent/job.js';
import type { Finding, Verdict } from '../../../services/diligent/checks/finding.js';
import { DAY_MS, type CheckName } from '../../../services/diligent/contract.js';

const logger = createLogger('silent');
const subjects = diligentSubjects(uniqueName('dilreg'));
const REGIONS = ['EuWest', 'UsEast'];
const DEADLINE_MS = 10 * 60_000;
let clock = Date.parse('2026-05-01T00:00:00Z');
const now = () => clock;

let h: ApiHarness;
let store: MonitoringStore;
let scheduler: DiligentScheduler;
const workers: DiligentWorker[] = [];
const runsIn: string[] = [];
/** Executions the workers looked up (a spy over the real store). */
const lookups: string[] = [];
class SpiedStore extends MonitoringStore {
  override async execution(id: string) {
    const e = await super.execution(id);
    lookups.push(id);
    return e;
  }
}

/** A region's checks: the verdicts that region sees. */
function regionChecks(region: string, verdicts: Partial<Record<CheckName, Verdict>>): RunChecks {
  return async (request) => {
    runsIn.push(region);
    return request.checks.map((check): Finding => {
      const verdict = verdicts[check] ?? 'clear';
      return { check, verdict, confidence: 0.8, summary: `${check} ${verdict} from ${region}`, evidence: [{ kind: 'test', detail: `seen from ${region}` }], region };
    });
  };
}

const call = (method: string, url: string, key: string, payload?: object) =>
  h.app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${key}` }, payload });

async function monitoringOf(orgId: string): Promise<Monitoring> {
  return (await store.create({
    id: randomUUID(), orgId, website: 'https://geo.example.org/', canonicalOrigin: uniqueName('origin'),
    checks: ['high_risk_diligent_classification', 'non_operational_website'], frequency: 'weekly', nextRunAtMs: clock + 7 * DAY_MS, runRequested: true,
    expiresAtMs: clock + 180 * DAY_MS, nowMs: clock,
  }))!;
}

beforeAll(async () => {
  h = await startApiHarness({ databaseUrl: realService('database'), now });
  store = new MonitoringStore(h.sql);
  scheduler = createDiligentScheduler({ sql: h.sql, store, bus: h.bus, subjects, logger, now, regions: REGIONS, regionDeadlineMs: DEADLINE_MS, outbox: new AlertOutbox() });
});
afterEach(async () => {
  for (const w of workers.splice(0)) await w.stop();
});
afterAll(async () => {
  await h?.close();
});

describe('diligent regions', () => {
  it('run in every configured region; a check flagged in one and clear in the other is flagged, with both verdicts and regions_disagree, in the findings and the event', async () => {
    const { orgId, key } = await h.tenant();
    const channel = (await call('POST', '/api/alert-channels', key, { name: 'hook', type: 'Webhook', webhookUrl: 'http://127.0.0.1:9/hook' })).json();
    expect((await call('POST', '/api/alert-rules', key, { name: 'risk', events: ['monitoring.flagged'], channelIds: [channel.id] })).statusCode).toBe(201);
    const outbox = new AlertOutbox();
    workers.push(await startDiligentWorker({ store, bus: h.bus, subjects, logger, now, outbox, region: 'EuWest', runChecks: regionChecks('EuWest', {}) }));
    workers.push(await startDiligentWorker({ store, bus: h.bus, subjects, logger, now, outbox, region: 'UsEast', runChecks: regionChecks('UsEast', { high_risk_diligent_classification: 'flagged' }) }));
    const m = await monitoringOf(orgId);
    runsIn.length = 0;
    expect(await scheduler.step()).toBeGreaterThanOrEqual(1);
    const done = await eventually(async () => { const r = await store.get(orgId, m.id); return r?.runningState === 'IDLE' && r.lastExecutionMs !== null && r; }, { what: 'the execution merged' });
    expect(done.lastExecutionMs).toBe(clock);
    expect(runsIn.sort()).toEqual(['EuWest', 'UsEast']);
    const [execution] = (await store.executions(orgId, m.id, 10, 0)).items;
    expect(execution.status).toBe('completed');
    expect(execution.regions).toEqual(REGIONS);
    expect(Object.keys(execution.regionResults).sort()).toEqual(REGIONS);
    const [classification, operational] = execution.results as Finding[];
    expect(classification).toMatchObject({
      check: 'high_risk_diligent_classification', verdict: 'flagged', region: 'UsEast', regions_disagree: true, confidence: 0.4,
      regions: { EuWest: { verdict: 'clear', summary: 'high_risk_diligent_classification clear from EuWest' }, UsEast: { verdict: 'flagged' } },
      evidence: [{ detail: 'seen from UsEast' }],
    });
    expect(operational).toMatchObject({ verdict: 'clear', regions_disagree: false });

    // Through the api: execution_results carry the per-region verdicts.
    const got = (await h.app.inject({ method: 'GET', url: `/monitorings/${m.id}`, headers: { 'x-api-key': key } })).json();
    expect(got.execution_results[0]).toMatchObject({ regions_disagree: true, regions: { EuWest: { verdict: 'clear' }, UsEast: { verdict: 'flagged' } } });

    // The event names both verdicts.
    const { rows } = await h.sql.query<{ payload: AlertEvent | string }>(`SELECT payload FROM alert_events WHERE org_id = $1 AND type = 'monitoring.flagged'`, [orgId]);
    expect(rows).toHaveLength(1);
    const event = typeof rows[0].payload === 'string' ? JSON.parse(rows[0].payload) as AlertEvent : rows[0].payload;
    expect(event.monitoring!.changes).toEqual([expect.objectContaining({
      check: 'high_risk_diligent_classification', verdict: 'flagged', previous_verdict: null, regions: { EuWest: 'clear', UsEast: 'flagged' }, regions_disagree: true,
    })]);
    expect(event.monitoring!.findings[0]).toMatchObject({ regions_disagree: true });
  });

  it('a region that does not answer before the deadline counts as inconclusive; the execution completes with the others and is announced', async () => {
    const { orgId, key } = await h.tenant();
    const channel = (await call('POST', '/api/alert-channels', key, { name: 'hook', type: 'Webhook', webhookUrl: 'http://127.0.0.1:9/hook' })).json();
    expect((await call('POST', '/api/alert-rules', key, { name: 'risk', channelIds: [channel.id] })).statusCode).toBe(201);
    workers.push(await startDiligentWorker({ store: new SpiedStore(h.sql), bus: h.bus, subjects, logger, now, region: 'EuWest', runChecks: regionChecks('EuWest', { non_operational_website: 'flagged' }) }));
    const m = await monitoringOf(orgId);
    await scheduler.step();
    await eventually(async () => Object.keys((await store.executions(orgId, m.id, 1, 0)).items[0]?.regionResults ?? {}).length === 1, { what: 'EuWest reporting' });
    // EuWest's job delivered again: its region has reported, the checks do not run again.
    const runs = runsIn.length;
    const open = (await store.executions(orgId, m.id, 1, 0)).items[0];
    const looked = lookups.length;
    await h.bus.publishWork(subjects.work('EuWest'), encodeExecutionJob({ executionId: open.id, region: 'EuWest' }), { msgId: `${open.id}#again@EuWest`, deadlineMs: Date.now() + 60_000 });
    await eventually(() => lookups.length > looked, { what: 'the redelivery taken' });
    expect(runsIn.length).toBe(runs);
    // UsEast has no worker: the execution waits, the monitoring stays busy.
    await scheduler.step();
    expect((await store.executions(orgId, m.id, 1, 0)).items[0].status).not.toBe('completed');
    expect((await store.get(orgId, m.id))!.runningState).not.toBe('IDLE');

    clock += DEADLINE_MS + 1;
    await scheduler.step();
    const [execution] = (await store.executions(orgId, m.id, 1, 0)).items;
    expect(execution.status).toBe('completed');
    const [classification, operational] = execution.results as Finding[];
    expect(operational).toMatchObject({ verdict: 'flagged', region: 'EuWest', regions_disagree: false, regions: { UsEast: { verdict: 'inconclusive', summary: NO_ANSWER } } });
    expect(classification).toMatchObject({ verdict: 'clear', regions: { EuWest: { verdict: 'clear' }, UsEast: { verdict: 'inconclusive' } } });
    const after = (await store.get(orgId, m.id))!;
    expect(after.runningState).toBe('IDLE');
    expect(after.lastExecutionMs).toBe(clock);
    expect(runsIn.length).toBe(runs);
    const { rows } = await h.sql.query<{ type: string }>(`SELECT type FROM alert_events WHERE org_id = $1`, [orgId]);
    expect(rows.map((r) => r.type)).toEqual(['monitoring.flagged']);

    // A late UsEast answer finds the execution complete and stores nothing.
    expect(await store.reportRegion(execution.id, 'UsEast', [], clock, undefined)).toMatchObject({ outcome: 'stale' });
    expect((await store.execution(execution.id))!.results).toEqual(execution.results);
  });
});
