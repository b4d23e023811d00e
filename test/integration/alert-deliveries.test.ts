/**
 * The delivery worker over the outbox: retries on the document's schedule with a controllable
 * clock, several workers sharing one outbox, and a worker that dies mid-send. DeliverEvent is
 * a test double that only observes calls (the channel senders are tested on their own).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertOutbox } from '../../services/alerting/deliveries/outbox.js';
import { DeliveryStore } from '../../services/alerting/deliveries/delivery-store.js';
import { AlertRecordStore } from '../../services/alerting/deliveries/alert-records.js';
import { createDeliveryWorker, startDeliveryWorker, type DeliveryWorkerDeps } from '../../services/alerting/deliveries/worker.js';
import { channelIdentityLoader, NO_SENDER, unconfiguredDeliverEvent } from '../../services/alerting/deliveries/unconfigured-sender.js';
import type { DeliverEvent, DeliveryOutcome } from '../../services/alerting/channels/channel.js';
import type { DecidedEvent } from '../../services/alerting/alert-decisions.js';
import { MonitorStore } from '../../services/lib/monitors/store.js';
import { monitorDefaults, type Monitor } from '../../services/lib/monitors/model.js';
import { OrganizationStore } from '../../services/lib/tenancy/organizations.js';
import { createLogger } from '../../services/lib/logger.js';
import type { SqlClient } from '../../services/lib/ports/sql-client.js';
import { openControlPlane } from '../support/api-harness.js';
import { insertChannel } from '../support/alert-fixtures.js';
import { eventually, realService, uniqueName } from '../support/services.js';

const logger = createLogger('silent');
const SECOND = 1000;
const MINUTE = 60 * SECOND;

function deliveriesSuite(engine: string, databaseUrl?: string) {
  describe(`alert deliveries on ${engine}`, () => {
    let sql: SqlClient;
    let drop: () => Promise<void>;
    let orgId: string;
    let monitors: MonitorStore;
    let records: AlertRecordStore;
    let store: DeliveryStore;
    let clock = Date.parse('2026-06-01T12:00:00Z');

    beforeAll(async () => {
      ({ sql, drop } = await openControlPlane(databaseUrl));
      monitors = new MonitorStore(sql);
      records = new AlertRecordStore(sql);
      store = new DeliveryStore(sql);
      orgId = (await new OrganizationStore(sql).create('deliveries')).id;
    });
    afterAll(async () => drop?.());

    /** A monitor with `channels` channels and `events` monitor.down events queued at the clock. */
    async function queue(channels: number, events = 1, atMs = clock): Promise<{ monitor: Monitor; channelIds: string[] }> {
      const channelIds = [];
      for (let i = 0; i < channels; i++) channelIds.push(await insertChannel(sql, orgId, `ch${i}`));
      const monitor = await monitors.create(orgId, { ...monitorDefaults(['UsEast']), name: uniqueName('m'), type: 'Website', url: 'https://x.test', alertChannelIds: channelIds });
      const decided: DecidedEvent = {
        event: 'monitor.down', orgId, monitor: { id: monitor.id, name: monitor.name, url: 'https://x.test', type: 'Website' },
        alert: { type: 'Down', message: 'HTTP 503', timestamp: new Date(clock).toISOString(), responseTimeMs: 10 },
      };
      await sql.transaction((tx) => new AlertOutbox().enqueue(tx, monitor, Array.from({ length: events }, () => decided), atMs));
      return { monitor, channelIds };
    }

    type Call = { eventId: string; channelId: string };
    function recorder(outcome: (call: Call, n: number) => DeliveryOutcome | Promise<DeliveryOutcome>) {
      const calls: Call[] = [];
      const deliver: DeliverEvent = async (channel, event) => {
        const call = { eventId: event.id, channelId: channel.id };
        calls.push(call);
        return outcome(call, calls.length);
      };
      return { calls, deliver };
    }
    const worker = (deliver: DeliverEvent, over: Partial<DeliveryWorkerDeps> = {}) =>
      createDeliveryWorker({ store, loadChannel: channelIdentityLoader(sql), deliverEvent: deliver, logger, now: () => clock, ...over });
    const recordsOf = async (monitorId: string) => (await records.list(orgId, { monitorId, limit: 50, offset: 0 })).items;

    it('retries a failing delivery after 30 s, 5 min and 30 min, then marks it Failed, each attempt in the record', async () => {
      const { monitor } = await queue(1);
      const { calls, deliver } = recorder(() => ({ ok: false, statusCode: 503, error: 'HTTP 503' }));
      const w = worker(deliver);
      const start = clock;
      const steps = [0, 30 * SECOND, 5 * MINUTE, 30 * MINUTE];
      const expected = ['Retrying', 'Retrying', 'Retrying', 'Failed'];
      for (const [i, delay] of steps.entries()) {
        clock += delay - 1;
        if (i > 0) expect(await w.drain(), `nothing is due 1 ms before retry ${i}`).toBe(0);
        clock += 1;
        expect(await w.drain()).toBe(1);
        const [record] = await recordsOf(monitor.id);
        expect(record.status).toBe(expected[i]);
        expect(record.nextAttemptAt?.getTime() ?? null).toBe(i < 3 ? clock + steps[i + 1] : null);
      }
      clock += 24 * 60 * MINUTE;
      expect(await w.drain()).toBe(0);
      const [record] = await recordsOf(monitor.id);
      expect(record.attempts.map((a) => [a.attempt, a.at.getTime() - start, a.statusCode, a.error])).toEqual([
        [1, 0, 503, 'HTTP 503'],
        [2, 30 * SECOND, 503, 'HTTP 503'],
        [3, 30 * SECOND + 5 * MINUTE, 503, 'HTTP 503'],
        [4, 30 * SECOND + 35 * MINUTE, 503, 'HTTP 503'],
      ]);
      expect(new Set(calls.map((c) => c.eventId))).toEqual(new Set([record.event.id]));
    });

    it('sends a delivery that succeeds once, and a retry that succeeds ends the retries', async () => {
      const { monitor } = await queue(2);
      const { calls, deliver } = recorder((_c, n) => (n === 1 ? { ok: false, statusCode: null, error: 'connect ECONNREFUSED' } : { ok: true, statusCode: 204, error: null }));
      const w = worker(deliver);
      expect(await w.drain()).toBe(2);
      clock += 30 * SECOND;
      expect(await w.drain()).toBe(1);
      clock += 60 * MINUTE;
      expect(await w.drain()).toBe(0);
      const rs = await recordsOf(monitor.id);
      expect(rs.map((r) => r.status)).toEqual(['Sent', 'Sent']);
      expect(rs.map((r) => r.attempts.length).sort()).toEqual([1, 2]);
      expect(calls).toHaveLength(3);
      expect(new Set(calls.map((c) => c.eventId)).size).toBe(1);
    });

    it('sends again, with the same event id, a delivery whose worker died mid-send (lease expiry)', async () => {
      const { monitor, channelIds } = await queue(1);
      let release: (o: DeliveryOutcome) => void = () => {};
      const hung = recorder(() => new Promise<DeliveryOutcome>((resolve) => { release = resolve; }));
      const dying = worker(hung.deliver, { leaseMs: MINUTE, sendTimeoutMs: 10 * MINUTE });
      const stuck = dying.drain();
      await eventually(() => hung.calls.length === 1, { what: 'the first send to start' });

      const second = recorder(() => ({ ok: true, statusCode: 200, error: null }));
      const survivor = worker(second.deliver, { leaseMs: MINUTE });
      clock += MINUTE - 1;
      expect(await survivor.drain(), 'the lease still holds').toBe(0);
      clock += 1;
      expect(await survivor.drain()).toBe(1);
      expect(second.calls).toEqual([{ eventId: hung.calls[0].eventId, channelId: channelIds[0] }]);

      // The first worker's send finally returns: its lease is gone, so it records nothing.
      release({ ok: true, statusCode: 200, error: null });
      expect(await stuck).toBe(1);
      const [record] = await recordsOf(monitor.id);
      expect(record).toMatchObject({ status: 'Sent', attemptCount: 1 });
      expect(record.attempts).toHaveLength(1);
      expect(record.event.id).toBe(hung.calls[0].eventId);
    });

    it('shares one outbox between two workers without sending anything twice', async () => {
      const { monitor } = await queue(4, 15);
      const sent: string[] = [];
      const byWorker = { a: 0, b: 0 };
      const deliver = (name: 'a' | 'b'): DeliverEvent => async (channel, event) => {
        sent.push(`${event.id}/${channel.id}`);
        byWorker[name]++;
        // Yield so the two workers' leases and sends interleave.
        await new Promise((r) => setImmediate(r));
        return { ok: true, statusCode: 200, error: null };
      };
      const a = worker(deliver('a'), { batchSize: 4 });
      const b = worker(deliver('b'), { batchSize: 4 });
      const [na, nb] = await Promise.all([a.drain(), b.drain()]);
      expect(na + nb).toBe(60);
      expect(byWorker.a + byWorker.b).toBe(60);
      expect(new Set(sent).size).toBe(60);
      expect(sent).toHaveLength(60);
      const rs = (await records.list(orgId, { monitorId: monitor.id, limit: 100, offset: 0 }));
      expect(rs.totalCount).toBe(60);
      expect(rs.items.every((r) => r.status === 'Sent' && r.attempts.length === 1)).toBe(true);
    });

    it('claims the next batch while one is still sending, within maxInFlight, each delivery sent once and every attempt recorded', async () => {
      const { monitor } = await queue(2, 20);
      const batchSize = 5;
      const maxInFlight = 12;
      const sent: string[] = [];
      let inFlight = 0;
      let peak = 0;
      // The first batch's sends wait until a send from a later batch has started: only a
      // worker that claims while sends are in flight gets past them.
      let overlapped: () => void = () => {};
      const later = new Promise<void>((resolve) => { overlapped = resolve; });
      const deliver: DeliverEvent = async (channel, event) => {
        sent.push(`${event.id}/${channel.id}`);
        const n = sent.length;
        inFlight++;
        peak = Math.max(peak, inFlight);
        if (n > batchSize) overlapped();
        if (n <= batchSize) await later;
        else await new Promise((r) => setImmediate(r));
        inFlight--;
        // Every third send fails, so retries are recorded from concurrent sends too.
        return n % 3 === 0 ? { ok: false, statusCode: 500, error: 'HTTP 500' } : { ok: true, statusCode: 200, error: null };
      };
      // Attempts that finish together are recorded together, on PGlite too (whose statements
      // run synchronously on this thread, so nothing finishes "during" a write).
      const groups: number[] = [];
      const counting = Object.assign(Object.create(store) as DeliveryStore, {
        recordMany: (entries: Parameters<DeliveryStore['recordMany']>[0]) => { groups.push(entries.length); return store.recordMany(entries); },
      });
      const w = worker(deliver, { batchSize, maxInFlight, store: counting });
      expect(await w.drain()).toBe(40);
      expect(groups.reduce((a, b) => a + b, 0)).toBe(40);
      // Two attempts or more per statement on average (4 statements on PGlite and ~10 on
      // Postgres here; before end-of-turn grouping, PGlite wrote 37 for these 40).
      expect(groups.length).toBeLessThanOrEqual(20);
      expect(sent).toHaveLength(40);
      expect(new Set(sent).size).toBe(40);
      expect(peak).toBeGreaterThan(batchSize);
      expect(peak).toBeLessThanOrEqual(maxInFlight);
      const rs = (await records.list(orgId, { monitorId: monitor.id, limit: 100, offset: 0 })).items;
      expect(rs).toHaveLength(40);
      expect(rs.every((r) => r.attemptCount === 1 && r.attempts.length === 1)).toBe(true);
      const failed = sent.filter((_s, i) => (i + 1) % 3 === 0).length;
      expect(rs.filter((r) => r.status === 'Retrying')).toHaveLength(failed);
      expect(rs.filter((r) => r.status === 'Sent')).toHaveLength(40 - failed);
      expect(await w.drain(), 'nothing is due until the retry time').toBe(0);
    });

    it('a running worker picks up new rows when nudged, long before its next poll', async () => {
      const { calls, deliver } = recorder(() => ({ ok: true, statusCode: 200, error: null }));
      const w = startDeliveryWorker({ store, loadChannel: channelIdentityLoader(sql), deliverEvent: deliver, logger, now: () => clock, pollIntervalMs: 10 * MINUTE });
      try {
        await eventually(async () => (await store.lease(clock, 0, 'probe', 1)).length === 0, { what: 'the first poll to drain' });
        const { monitor } = await queue(1);
        w.nudge();
        await eventually(() => calls.length === 1, { timeoutMs: 5_000, what: 'the nudged delivery' });
        await eventually(async () => (await recordsOf(monitor.id))[0]?.status === 'Sent', { what: 'Sent' });
      } finally {
        await w.stop();
      }
    });

    it('records "no channel sender configured" as a failed attempt, and a deleted channel fails without retries', async () => {
      const { monitor, channelIds } = await queue(2);
      await sql.query(`DELETE FROM alert_channels WHERE id = $1`, [channelIds[1]]);
      const w = worker(unconfiguredDeliverEvent);
      expect(await w.drain()).toBe(2);
      const rs = await recordsOf(monitor.id);
      const byChannel = new Map(rs.map((r) => [r.channel.id, r]));
      expect(byChannel.get(channelIds[0])).toMatchObject({ status: 'Retrying', attempts: [expect.objectContaining({ error: NO_SENDER, statusCode: null })] });
      expect(byChannel.get(channelIds[1])).toMatchObject({ status: 'Failed', channel: { name: 'ch1', type: 'Webhook' }, attempts: [expect.objectContaining({ error: 'channel no longer exists' })] });
    });

    // pharos dev: PGlite's only session listens for the outbox's inserts (migration 025).
    if (databaseUrl) {
      it('does not listen on a server, where other processes queue deliveries too: its workers poll', async () => {
        expect(await store.listenForQueued(() => {})).toBeNull();
      });
    } else {
      it('notifies only while a session asked for it (pharos.notify_queued_deliveries), once per committing transaction', async () => {
        let heard = 0;
        const raw = await sql.listen!('alert_deliveries_queued', () => { heard++; });
        try {
          await queue(1, 1, Date.now());
          await sql.query('SELECT 1');
          expect(heard, 'nobody asked yet').toBe(0);
          const unlisten = (await store.listenForQueued(() => {}))!;
          await queue(3, 2, Date.now());
          await eventually(() => heard === 1, { what: 'one notification for a transaction queuing six deliveries' });
          await unlisten();
          await queue(1, 1, Date.now());
          await sql.query('SELECT 1');
          expect(heard, 'after the unlisten').toBe(1);
        } finally {
          await raw();
        }
      });

      it('a listening worker sleeps until the next due delivery: a commit wakes it without a nudge, a later due time when it comes', async () => {
        const sentAt = new Map<string, number>();
        const deliver: DeliverEvent = async (channel) => { sentAt.set(channel.id, Date.now()); return { ok: true, statusCode: 200, error: null }; };
        let waits = 0;
        const counted = Object.assign(Object.create(store) as DeliveryStore, { nextDueAtMs: () => { waits++; return store.nextDueAtMs(); } });
        // Real time, and no poll for 10 minutes: only the notifications and the due times wake it.
        const w = createDeliveryWorker({ store: counted, loadChannel: channelIdentityLoader(sql), deliverEvent: deliver, logger, pollIntervalMs: 10 * MINUTE, maxSleepMs: 10 * MINUTE });
        const unlisten = (await store.listenForQueued(() => w.nudge()))!;
        expect(unlisten).toBeTypeOf('function');
        void w.run();
        try {
          await eventually(() => waits > 0, { what: 'the first pass to end in a sleep' });
          const due = await queue(1, 1, Date.now());
          await eventually(() => sentAt.has(due.channelIds[0]), { timeoutMs: 5_000, what: 'the delivery committed while the worker slept' });
          const dueAtMs = Date.now() + 1_500;
          const later = await queue(1, 1, dueAtMs);
          await eventually(() => sentAt.has(later.channelIds[0]), { timeoutMs: 10_000, what: 'the delivery due 1.5 s after it was queued' });
          expect(sentAt.get(later.channelIds[0])!, 'not before it was due').toBeGreaterThanOrEqual(dueAtMs);
          await eventually(async () => (await recordsOf(later.monitor.id))[0]?.status === 'Sent', { what: 'Sent' });
        } finally {
          await w.stop();
          await unlisten();
        }
      });
    }
  });
}

deliveriesSuite('PGlite');
const databaseUrl = realService('database');
if (databaseUrl) deliveriesSuite('PostgreSQL', databaseUrl);
