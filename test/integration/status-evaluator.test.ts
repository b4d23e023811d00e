import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckResult, CheckStatus, ErrorKind } from '../../proto/generated/pharos/v1/result.js';
import { startStatusEvaluator } from '../../services/alerting/status-evaluator.js';
import { MonitorStatusStore } from '../../services/alerting/status-store.js';
import type { StatusTransition } from '../../services/alerting/status-machine.js';
import { MemoryJobBus } from '../../services/lib/adapters/memory/job-bus.js';
import { NatsJobBus, openNatsJobBus } from '../../services/lib/adapters/nats/job-bus.js';
import { deletePrefixStreams } from '../support/nats-streams.js';
import { MonitorStore } from '../../services/lib/monitors/store.js';
import { monitorDefaults } from '../../services/lib/monitors/model.js';
import { OrganizationStore } from '../../services/lib/tenancy/organizations.js';
import { subjectsFor } from '../../services/lib/subjects.js';
import { createLogger } from '../../services/lib/logger.js';
import type { JobBus, Subscription } from '../../services/lib/ports/job-bus.js';
import type { SqlClient } from '../../services/lib/ports/sql-client.js';
import { openControlPlane } from '../support/api-harness.js';
import { eventually, realService, uniqueName } from '../support/services.js';

const logger = createLogger('silent');

function evaluatorSuite(engine: string, openBus: (prefix: string) => Promise<JobBus>, databaseUrl?: string) {
  describe(`status evaluator on ${engine}`, () => {
    const prefix = uniqueName('st');
    const subjects = subjectsFor(prefix);
    let sql: SqlClient;
    let drop: () => Promise<void>;
    let bus: JobBus;
    let sub: Subscription;
    let failNext = 0;
    const transitions: StatusTransition[] = [];
    let orgId: string;
    let monitors: MonitorStore;

    beforeAll(async () => {
      ({ sql, drop } = await openControlPlane(databaseUrl));
      bus = await openBus(prefix);
      monitors = new MonitorStore(sql);
      orgId = (await new OrganizationStore(sql).create('status')).id;
      const statuses = new MonitorStatusStore(sql);
      // A store that fails on demand, to prove an unacknowledged result is redelivered.
      const flaky = {
        updateMany: ((...args: Parameters<MonitorStatusStore['updateMany']>) => {
          if (failNext > 0) {
            failNext--;
            return Promise.reject(new Error('database unavailable'));
          }
          return statuses.updateMany(...args);
        }) as MonitorStatusStore['updateMany'],
      } as MonitorStatusStore;
      sub = await startStatusEvaluator({ bus, subjects, monitors, statuses: flaky, logger, onTransition: async (_m, t) => { transitions.push(t); } });
    });
    afterAll(async () => {
      await sub?.unsubscribe();
      await bus?.close();
      await drop?.();
      // The NATS variant's streams on the machine's NATS.
      if (bus instanceof NatsJobBus && natsUrl) await deletePrefixStreams(natsUrl, prefix);
    });

    let seq = 0;
    async function publish(monitorId: string, region: string, up: boolean, opts: { resultId?: string; msgId?: string; startedAtMs?: number; missed?: boolean } = {}) {
      const resultId = opts.resultId ?? `${monitorId}.${region}.${++seq}`;
      const result = CheckResult.fromPartial({
        resultId, jobId: resultId, orgId, monitorId, region, agentId: 'a', startedAtMs: opts.startedAtMs ?? 1_795_000_000_000 + seq * 1000,
        status: opts.missed ? CheckStatus.CHECK_STATUS_MISSED : up ? CheckStatus.CHECK_STATUS_UP : CheckStatus.CHECK_STATUS_DOWN,
        errorKind: opts.missed ? ErrorKind.ERROR_KIND_SCHEDULER_DOWN : up ? ErrorKind.ERROR_KIND_UNSPECIFIED : ErrorKind.ERROR_KIND_CONNECTION_REFUSED,
        errorMessage: up ? '' : 'connect ECONNREFUSED',
      });
      await bus.publishDurable(subjects.results(region), CheckResult.encode(result).finish(), opts.msgId ?? resultId);
      return resultId;
    }
    const statusOf = async (id: string) => (await monitors.getById(id))?.status;
    const regionState = async (id: string) => (await sql.query<{ region_state: Record<string, { consecutiveFailures: number }> }>(`SELECT region_state FROM monitor_status WHERE monitor_id = $1`, [id])).rows[0]?.region_state;

    it('turns a monitor Down and Up from stored results, with transitions', async () => {
      const m = await monitors.create(orgId, { ...monitorDefaults(['UsEast', 'EuWest']), name: uniqueName('m'), type: 'Website', url: 'https://x.test', failureThreshold: 2 });
      await publish(m.id, 'UsEast', true);
      await eventually(async () => (await statusOf(m.id)) === 'Up', { what: 'Up' });
      await publish(m.id, 'UsEast', false);
      await publish(m.id, 'EuWest', false);
      await eventually(async () => (await regionState(m.id))?.EuWest?.consecutiveFailures === 1, { what: 'first failures counted' });
      expect(await statusOf(m.id)).toBe('Up');
      await publish(m.id, 'UsEast', false);
      await publish(m.id, 'EuWest', false);
      await eventually(async () => (await statusOf(m.id)) === 'Down', { what: 'Down after two failures in both regions' });
      expect(transitions.map((t) => `${t.from}->${t.to}`)).toEqual(expect.arrayContaining(['Pending->Up', 'Up->Down']));
    });

    it('counts a redelivered result once', async () => {
      const m = await monitors.create(orgId, { ...monitorDefaults(['UsEast']), name: uniqueName('m'), type: 'Website', url: 'https://x.test', failureThreshold: 5 });
      const id = await publish(m.id, 'UsEast', false);
      // The same result again, past the bus's duplicate window (a new message id), as after a crash.
      await publish(m.id, 'UsEast', false, { resultId: id, msgId: `${id}-again`, startedAtMs: 1_795_000_000_000 + seq * 1000 - 1000 });
      const marker = await publish(m.id, 'UsEast', true);
      await eventually(async () => (await statusOf(m.id)) === 'Up', { what: 'the marker result' });
      const state = await sql.query<{ region_state: Record<string, { lastResultId: string; consecutiveSuccesses: number }> }>(`SELECT region_state FROM monitor_status WHERE monitor_id = $1`, [m.id]);
      expect(state.rows[0].region_state.UsEast).toMatchObject({ lastResultId: marker, consecutiveSuccesses: 1 });
    });

    it('lets a missed slot neither fail nor recover a monitor', async () => {
      const m = await monitors.create(orgId, { ...monitorDefaults(['UsEast']), name: uniqueName('m'), type: 'Website', url: 'https://x.test', failureThreshold: 2 });
      await publish(m.id, 'UsEast', false);
      await eventually(async () => (await regionState(m.id))?.UsEast?.consecutiveFailures === 1, { what: 'the first failure' });
      await publish(m.id, 'UsEast', false, { missed: true });
      const marker = await publish(m.id, 'UsEast', false);
      await eventually(async () => (await statusOf(m.id)) === 'Down', { what: 'Down after two failures' });
      // Two failures, not three (the missed slot did not count) and no reset between them.
      const state = (await regionState(m.id)) as Record<string, { consecutiveFailures: number; lastResultId: string }>;
      expect(state.UsEast).toMatchObject({ consecutiveFailures: 2, lastResultId: marker });
    });

    it('redelivers a result whose evaluation failed, and applies it once', async () => {
      const m = await monitors.create(orgId, { ...monitorDefaults(['UsEast']), name: uniqueName('m'), type: 'Website', url: 'https://x.test' });
      failNext = 1;
      await publish(m.id, 'UsEast', false);
      await eventually(async () => (await statusOf(m.id)) === 'Down', { timeoutMs: 20_000, what: 'the redelivered result to be applied' });
      expect(failNext).toBe(0);
      expect((await regionState(m.id))?.UsEast?.consecutiveFailures).toBe(1);
    });

    it('applies every result of a batch whose transaction failed, one by one, each once', async () => {
      const ms = await Promise.all([1, 2, 3].map(() => monitors.create(orgId, { ...monitorDefaults(['UsEast']), name: uniqueName('m'), type: 'Website', url: 'https://x.test', failureThreshold: 2 })));
      failNext = 1;
      // Published together, so the in-process bus hands them over in one batch.
      for (const m of ms) await publish(m.id, 'UsEast', false);
      for (const m of ms) await eventually(async () => (await regionState(m.id))?.UsEast?.consecutiveFailures === 1, { timeoutMs: 20_000, what: 'each result applied' });
      expect(failNext).toBe(0);
      for (const m of ms) await publish(m.id, 'UsEast', false);
      for (const m of ms) await eventually(async () => (await statusOf(m.id)) === 'Down', { what: 'Down after the second failure, not before' });
      for (const m of ms) expect((await regionState(m.id))?.UsEast?.consecutiveFailures).toBe(2);
    });

    it('fails a result that does not decode alone, and evaluates the ones beside it', async () => {
      const m = await monitors.create(orgId, { ...monitorDefaults(['UsEast']), name: uniqueName('m'), type: 'Website', url: 'https://x.test' });
      await bus.publishDurable(subjects.results('UsEast'), new Uint8Array([0xff, 0xff, 0xff, 0xff]), uniqueName('garbage'));
      await publish(m.id, 'UsEast', false);
      await eventually(async () => (await statusOf(m.id)) === 'Down', { what: 'the valid result applied' });
      expect((await regionState(m.id))?.UsEast?.consecutiveFailures).toBe(1);
    });
  });
}

evaluatorSuite('in-process bus + PGlite', async () => new MemoryJobBus({ backoffMs: [50] }));
const natsUrl = realService('nats');
const databaseUrl = realService('database');
if (natsUrl && databaseUrl) {
  evaluatorSuite('NATS JetStream + PostgreSQL', (prefix) => openNatsJobBus({ url: natsUrl, prefix, logger, name: 'status-test', backoffMs: [50] }), databaseUrl);
}
