/**
 * Events are decided once, in the transaction of the status change: driven through the status
 * evaluator on the durable results subject, on PGlite and on PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckResult, CheckStatus, ErrorKind } from '../../proto/generated/pharos/v1/result.js';
import { startStatusEvaluator } from '../../services/alerting/status-evaluator.js';
import { MonitorStatusStore } from '../../services/alerting/status-store.js';
import { IncidentStore } from '../../services/alerting/incident-store.js';
import { AlertOutbox } from '../../services/alerting/deliveries/outbox.js';
import { AlertRuleStore } from '../../services/alerting/rules/rule-store.js';
import { MemoryJobBus } from '../../services/lib/adapters/memory/job-bus.js';
import { MonitorStore } from '../../services/lib/monitors/store.js';
import { monitorDefaults } from '../../services/lib/monitors/model.js';
import { OrganizationStore } from '../../services/lib/tenancy/organizations.js';
import { subjectsFor } from '../../services/lib/subjects.js';
import { createLogger } from '../../services/lib/logger.js';
import type { Subscription } from '../../services/lib/ports/job-bus.js';
import type { SqlClient } from '../../services/lib/ports/sql-client.js';
import { openControlPlane } from '../support/api-harness.js';
import { failingOn } from '../support/failing-sql.js';
import { deliveriesOf, eventsOf, insertChannel } from '../support/alert-fixtures.js';
import { eventually, realService, uniqueName } from '../support/services.js';

const logger = createLogger('silent');

function outboxSuite(engine: string, databaseUrl?: string) {
  describe(`alert outbox on ${engine}`, () => {
    const subjects = subjectsFor(uniqueName('ob'));
    let sql: SqlClient;
    let drop: () => Promise<void>;
    let bus: MemoryJobBus;
    let sub: Subscription;
    let orgId: string;
    let monitors: MonitorStore;
    let nudges = 0;
    // While set, every status transaction fails at its first delivery insert: after the status,
    // incident and event rows were written, before the commit.
    let inject = false;
    let injected = 0;

    beforeAll(async () => {
      ({ sql, drop } = await openControlPlane(databaseUrl));
      bus = new MemoryJobBus({ backoffMs: [20] });
      monitors = new MonitorStore(sql);
      orgId = (await new OrganizationStore(sql).create('outbox')).id;
      const failing = failingOn(sql, /INSERT INTO alert_deliveries/);
      const maybeFailing: SqlClient = {
        query: (t, p) => sql.query(t, p),
        transaction: (fn) => {
          if (!inject) return sql.transaction(fn);
          injected++;
          return failing.transaction(fn);
        },
        close: () => sql.close(),
      };
      sub = await startStatusEvaluator({
        bus, subjects, monitors, statuses: new MonitorStatusStore(maybeFailing), incidents: new IncidentStore(sql),
        outbox: new AlertOutbox(), onDeliveriesQueued: () => { nudges++; }, logger,
      });
    });
    afterAll(async () => {
      await sub?.unsubscribe();
      await bus?.close();
      await drop?.();
    });

    let seq = 0;
    async function publish(monitorId: string, up: boolean, opts: { resultId?: string; msgId?: string; startedAtMs?: number; tls?: CheckResult['tls']; totalMs?: number } = {}) {
      const resultId = opts.resultId ?? `${monitorId}.UsEast.${++seq}`;
      const result = CheckResult.fromPartial({
        resultId, jobId: resultId, orgId, monitorId, region: 'UsEast', agentId: 'a', startedAtMs: opts.startedAtMs ?? 1_795_000_000_000 + seq * 1000,
        status: up ? CheckStatus.CHECK_STATUS_UP : CheckStatus.CHECK_STATUS_DOWN,
        errorKind: up ? ErrorKind.ERROR_KIND_UNSPECIFIED : ErrorKind.ERROR_KIND_UNEXPECTED_STATUS,
        errorMessage: up ? '' : 'HTTP 503 Service Unavailable',
        timings: { totalMs: opts.totalMs ?? 120 }, tls: opts.tls,
      });
      await bus.publishDurable(subjects.results('UsEast'), CheckResult.encode(result).finish(), opts.msgId ?? resultId);
      return resultId;
    }
    const statusOf = async (id: string) => (await monitors.getById(id))?.status;
    const website = async (over: Record<string, unknown> = {}) =>
      monitors.create(orgId, { ...monitorDefaults(['UsEast']), name: uniqueName('m'), type: 'Website', url: 'https://x.test', ...over } as never);

    it('writes each transition\'s events once, with one delivery per channel (the monitor\'s and matching rules\', each once)', async () => {
      const own = await insertChannel(sql, orgId, 'own');
      const viaRule = await insertChannel(sql, orgId, 'ops');
      const m = await website({ alertChannelIds: [own], tags: ['prod'] });
      const rules = new AlertRuleStore(sql);
      await rules.create(orgId, { name: 'prod', enabled: true, monitorIds: null, tags: ['prod'], monitorTypes: [], events: ['monitor.down', 'incident.created'], channelIds: [own, viaRule] });
      await rules.create(orgId, { name: 'off', enabled: false, monitorIds: null, tags: [], monitorTypes: [], events: ['monitor.up'], channelIds: [viaRule] });

      await publish(m.id, true);
      await eventually(async () => (await statusOf(m.id)) === 'Up', { what: 'Up' });
      expect(await eventsOf(sql, m.id)).toEqual([]);
      const before = nudges;
      await publish(m.id, false);
      await eventually(async () => (await statusOf(m.id)) === 'Down', { what: 'Down' });
      await publish(m.id, true);
      await eventually(async () => (await statusOf(m.id)) === 'Up', { what: 'Up again' });

      expect((await eventsOf(sql, m.id)).map((e) => e.type)).toEqual(['monitor.down', 'incident.created', 'monitor.up', 'incident.resolved']);
      const deliveries = await deliveriesOf(sql, m.id);
      const byType = (t: string) => deliveries.filter((d) => d.alert_type === t).map((d) => d.channel_id).sort();
      expect(byType('Down')).toEqual([own, viaRule].sort());
      expect(byType('IncidentCreated')).toEqual([own, viaRule].sort());
      expect(byType('Recovered')).toEqual([own]);
      expect(byType('IncidentResolved')).toEqual([own]);
      expect(deliveries.every((d) => d.status === 'Pending')).toBe(true);
      expect(nudges - before).toBe(2);

      const [event] = (await sql.query<{ payload: Record<string, unknown> }>(`SELECT payload FROM alert_events WHERE monitor_id = $1 AND type = 'monitor.down'`, [m.id])).rows;
      expect(event.payload).toMatchObject({
        id: expect.stringMatching(/^evt_/), event: 'monitor.down',
        monitor: { id: m.id, name: m.name, url: 'https://x.test', type: 'Website' },
        alert: { type: 'Down', message: 'HTTP 503 Service Unavailable', responseTimeMs: 120 },
      });
    });

    it('does not decide a second event for a redelivered result', async () => {
      const ch = await insertChannel(sql, orgId);
      const m = await website({ alertChannelIds: [ch] });
      await publish(m.id, true);
      const down = await publish(m.id, false);
      await eventually(async () => (await statusOf(m.id)) === 'Down', { what: 'Down' });
      // The same result again past the bus's duplicate window (a new message id), as after a crash.
      await publish(m.id, false, { resultId: down, msgId: `${down}-again`, startedAtMs: 1_795_000_000_000 + seq * 1000 });
      const marker = await publish(m.id, false);
      await eventually(async () => (await sql.query<{ region_state: { UsEast: { lastResultId: string } } }>(`SELECT region_state FROM monitor_status WHERE monitor_id = $1`, [m.id])).rows[0]?.region_state.UsEast.lastResultId === marker, { what: 'the marker' });
      expect((await eventsOf(sql, m.id)).map((e) => e.type)).toEqual(['monitor.down', 'incident.created']);
      expect(await deliveriesOf(sql, m.id)).toHaveLength(2);
    });

    it('leaves neither status nor events when the transaction fails after the status write, then writes them once', async () => {
      const ch = await insertChannel(sql, orgId);
      const m = await website({ alertChannelIds: [ch] });
      await publish(m.id, true);
      await eventually(async () => (await statusOf(m.id)) === 'Up', { what: 'Up' });
      inject = true;
      injected = 0;
      await publish(m.id, false);
      await eventually(() => injected >= 2, { what: 'the failing transaction to be retried' });
      expect(await statusOf(m.id)).toBe('Up');
      expect(await eventsOf(sql, m.id)).toEqual([]);
      expect((await new IncidentStore(sql).list(orgId, { monitorId: m.id, limit: 5, offset: 0 })).totalCount).toBe(0);
      inject = false;
      await eventually(async () => (await statusOf(m.id)) === 'Down', { what: 'the redelivered result to be applied' });
      expect((await eventsOf(sql, m.id)).map((e) => e.type)).toEqual(['monitor.down', 'incident.created']);
      expect(await deliveriesOf(sql, m.id)).toHaveLength(2);
    });

    it('decides monitor.ssl_expiring once per certificate, not once per check', async () => {
      const ch = await insertChannel(sql, orgId);
      const m = await website({ alertChannelIds: [ch] });
      const tls = { notAfterMs: 1_795_000_000_000 + 5 * 86_400_000, subject: 'CN=x.test', fingerprintSha256: 'AA', expiringSoon: true } as CheckResult['tls'];
      await publish(m.id, true, { tls });
      await publish(m.id, true, { tls });
      const renewed = { ...tls!, fingerprintSha256: 'BB', notAfterMs: tls!.notAfterMs + 86_400_000 };
      await publish(m.id, true, { tls: renewed });
      const last = await publish(m.id, true, { tls: renewed });
      await eventually(async () => (await sql.query<{ region_state: { UsEast: { lastResultId: string } } }>(`SELECT region_state FROM monitor_status WHERE monitor_id = $1`, [m.id])).rows[0]?.region_state.UsEast.lastResultId === last, { what: 'every result' });
      expect((await eventsOf(sql, m.id)).map((e) => e.type)).toEqual(['monitor.ssl_expiring', 'monitor.ssl_expiring']);
    });

    it('decides monitor.degraded once per crossing of the P95 threshold, reads Degraded meanwhile, and clears below 80 %', async () => {
      const ch = await insertChannel(sql, orgId);
      const m = await website({ alertChannelIds: [ch], p95ThresholdMs: 1000, p95WindowSeconds: 60 });
      let t = 1_796_000_000_000;
      const lastApplied = async (id: string) => (await sql.query<{ region_state: { UsEast: { lastResultId: string } } }>(`SELECT region_state FROM monitor_status WHERE monitor_id = $1`, [m.id])).rows[0]?.region_state.UsEast.lastResultId === id;
      const checks = async (n: number, totalMs: number, up = true) => {
        let id = '';
        for (let i = 0; i < n; i++) id = await publish(m.id, up, { startedAtMs: (t += 1000), totalMs });
        await eventually(() => lastApplied(id), { what: `${n} checks of ${totalMs} ms` });
      };
      const degradedEvents = async () => (await eventsOf(sql, m.id)).filter((e) => e.type === 'monitor.degraded').length;

      await checks(4, 2000);
      expect(await statusOf(m.id), 'fewer than 5 samples say nothing').toBe('Up');
      await checks(1, 2000);
      expect(await statusOf(m.id)).toBe('Degraded');
      await checks(3, 2000);
      expect(await degradedEvents()).toBe(1);
      t += 61_000;
      await checks(5, 900);
      expect(await statusOf(m.id), 'above 80 % of the threshold it stays Degraded').toBe('Degraded');
      t += 61_000;
      await checks(5, 700);
      expect(await statusOf(m.id)).toBe('Up');
      t += 61_000;
      await checks(5, 1500);
      expect(await statusOf(m.id)).toBe('Degraded');
      expect(await degradedEvents()).toBe(2);
      await checks(1, 0, false);
      expect(await statusOf(m.id), 'Down wins').toBe('Down');
      const [payload] = (await sql.query<{ payload: { alert: Record<string, unknown> } }>(`SELECT payload FROM alert_events WHERE monitor_id = $1 AND type = 'monitor.degraded' ORDER BY created_at LIMIT 1`, [m.id])).rows;
      expect(payload.payload.alert).toMatchObject({ type: 'P95', responseTimeMs: 2000, message: 'P95 response time 2000 ms over the last 60 s exceeds 1000 ms' });
    });

    it('writes no event for a monitor without channels, and deleting a monitor deletes its alert records', async () => {
      const quiet = await website();
      await publish(quiet.id, false);
      await eventually(async () => (await statusOf(quiet.id)) === 'Down', { what: 'Down' });
      expect(await eventsOf(sql, quiet.id)).toEqual([]);

      const ch = await insertChannel(sql, orgId);
      const m = await website({ alertChannelIds: [ch] });
      await publish(m.id, false);
      await eventually(async () => (await deliveriesOf(sql, m.id)).length === 2, { what: 'deliveries' });
      await monitors.delete(orgId, m.id);
      expect(await eventsOf(sql, m.id)).toEqual([]);
      expect(await deliveriesOf(sql, m.id)).toEqual([]);
    });
  });
}

outboxSuite('PGlite');
const databaseUrl = realService('database');
if (databaseUrl) outboxSuite('PostgreSQL', databaseUrl);
