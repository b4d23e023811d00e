/**
 * The whole Diligent path in one process: the document's POST /monitorings with run_now, the
 * scan loop woken by the api's notice, a worker taking the execution from the bus and running
 * the real checks against fixture websites, and the findings read back through the api.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../../support/api-harness.js';
import { eventually, realService } from '../../support/services.js';
import { html, filler, startFixtureInternet, type FixtureInternet } from '../../support/diligent-sites.js';
import { createLogger } from '../../../services/lib/logger.js';
import { MonitoringStore } from '../../../services/diligent/store.js';
import { diligentSubjects } from '../../../services/diligent/subjects.js';
import { startDiligentScheduler, type DiligentScheduler } from '../../../services/diligent/scheduler.js';
import { startDiligentWorker, type DiligentWorker } from '../../../services/diligent/worker.js';
import { createRiskCheckRunner } from '../../../services/diligent/checks/index.js';

let h: ApiHarness;
let net: FixtureInternet;
let scheduler: DiligentScheduler;
let worker: DiligentWorker;
let key: string;

beforeAll(async () => {
  net = await startFixtureInternet({
    'lucky.test': { pages: { '/': { body: html('Lucky', `<p>Online casino: free spins, roulette, blackjack, sports betting and a deposit bonus. ${filler(60)}</p>`) } } },
  });
  h = await startApiHarness({ databaseUrl: realService('database'), websiteLookup: net.lookup });
  key = (await h.tenant(['*'])).key;
  const store = new MonitoringStore(h.sql);
  const subjects = diligentSubjects('test');
  const logger = createLogger('silent');
  const mccStore = store;
  worker = await startDiligentWorker({ store, bus: h.bus, subjects, logger, runChecks: createRiskCheckRunner({ ...net.deps, mccOverrides: (org) => mccStore.mccOverrides(org) }) });
  // A poll far longer than the test: only the api's run-request notice can wake it in time.
  scheduler = await startDiligentScheduler({ sql: h.sql, store, bus: h.bus, subjects, logger, pollIntervalMs: 3_600_000 });
});
afterAll(async () => {
  await scheduler?.stop();
  await worker?.stop();
  await h?.close();
  await net?.close();
});

it('POST /monitorings with run_now queues a run the worker completes; the findings come back on GET', async () => {
  const created = await h.app.inject({
    method: 'POST', url: '/monitorings', headers: { 'content-type': 'application/json', 'x-api-key': key },
    payload: { website: net.url('lucky.test'), checks: ['non_operational_website', 'high_risk_mcc', 'high_risk_diligent_classification', 'catalog_contain_loan_flipping_indicators'], frequency: 'weekly', run_now: true },
  });
  expect(created.statusCode, created.body).toBe(201);
  const { id } = created.json();
  const done = await eventually(async () => {
    const m = (await h.app.inject({ method: 'GET', url: `/monitorings/${id}`, headers: { 'x-api-key': key } })).json();
    return m.last_execution !== null && m.running_state === 'IDLE' && m;
  }, { what: 'the first execution', timeoutMs: 20_000 });
  expect(done.execution_results.map((f: { check: string; verdict: string }) => [f.check, f.verdict])).toEqual([
    ['non_operational_website', 'clear'], ['high_risk_mcc', 'flagged'], ['high_risk_diligent_classification', 'flagged'], ['catalog_contain_loan_flipping_indicators', 'clear'],
  ]);
  for (const f of done.execution_results) expect(Object.keys(f)).toEqual(expect.arrayContaining(['check', 'verdict', 'confidence', 'summary', 'evidence']));
  const executions = (await h.app.inject({ method: 'GET', url: `/monitorings/${id}/executions`, headers: { 'x-api-key': key } })).json();
  expect(executions.total).toBe(1);
  expect(executions.data[0]).toMatchObject({ trigger: 'run_now', status: 'completed' });
  expect(executions.data[0].results).toEqual(done.execution_results);
});
