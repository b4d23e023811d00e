/**
 * The operator-facing alert when a region loses all its agents (issue 12): two alerting
 * processes watch presence in real hot state (Redis when configured); the region's going
 * dark and its recovery are each announced once, to the deployment's operator webhook and
 * operator email (a real SMTP server), and a region first seen without agents announces
 * nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { startSmtpReceiver, type SmtpReceiver } from '../support/smtp-receiver.js';
import { openControlPlane } from '../support/api-harness.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { eventually, realService, uniqueName } from '../support/services.js';
import type { SqlClient } from '../../services/lib/ports/sql-client.js';
import type { HotState } from '../../services/lib/ports/hot-state.js';
import { openRedisHotState } from '../../services/lib/adapters/redis/hot-state.js';
import { MemoryHotState } from '../../services/lib/adapters/memory/hot-state.js';
import { AgentPresence } from '../../services/lib/agent-presence.js';
import { createLogger } from '../../services/lib/logger.js';
import { AlertOutbox } from '../../services/alerting/deliveries/outbox.js';
import { DeliveryStore } from '../../services/alerting/deliveries/delivery-store.js';
import { createDeliveryWorker } from '../../services/alerting/deliveries/worker.js';
import { channelIdentityLoader } from '../../services/alerting/deliveries/unconfigured-sender.js';
import { createChannelSender } from '../../services/alerting/channels/index.js';
import { createMailSender } from '../../services/alerting/channels/email.js';
import { createGuardedHttp, type GuardedHttp } from '../../services/alerting/channels/guarded-http.js';
import { createGuardedResolver } from '../../services/lib/ssrf/guarded-resolver.js';
import { createRegionWatch } from '../../services/alerting/operator/region-watch.js';
import { operatorTargets, withOperatorChannels } from '../../services/alerting/operator/operator-channels.js';

const databaseUrl = realService('database');
const redisUrl = realService('redis');
const REPORT_MS = 100;

let sql: SqlClient;
let drop: () => Promise<void>;
let hotState: HotState;
let hook: WebhookReceiver;
let smtp: SmtpReceiver;
let http: GuardedHttp;

beforeAll(async () => {
  ({ sql, drop } = await openControlPlane(databaseUrl));
  hotState = redisUrl ? await openRedisHotState({ url: redisUrl, prefix: `${uniqueName('regions')}:` }) : new MemoryHotState();
  hook = await startWebhookReceiver();
  smtp = await startSmtpReceiver();
  http = createGuardedHttp({ resolver: createGuardedResolver({ allowPrivateTargets: true }) });
});
afterAll(async () => {
  await smtp?.close();
  await hook?.close();
  await http?.close();
  await hotState?.close();
  await drop?.();
});

describe('operator alerts for regions that lose their agents', () => {
  it('announce a region going dark and coming back once each, however many alerting processes watch', async () => {
    const tag = randomBytes(3).toString('hex');
    const [lost, kept, never] = [`Lost${tag}`, `Kept${tag}`, `Never${tag}`];
    const settings = { webhookUrl: `${hook.url}/operator`, emails: ['ops@operator.test'] };
    const watch = () => createRegionWatch({ sql, hotState, outbox: new AlertOutbox(), regions: [lost, kept, never], targets: operatorTargets(settings), logger: createLogger('silent') });
    const [a, b] = [watch(), watch()];
    const presence = new AgentPresence(hotState, REPORT_MS, Date.now);
    const deliveries = () => createDeliveryWorker({
      store: new DeliveryStore(sql), logger: createLogger('silent'),
      loadChannel: withOperatorChannels(settings, channelIdentityLoader(sql)),
      deliverEvent: createChannelSender({ post: http.post, mail: createMailSender(smtp.transport, 'Pharos <alerts@pharos.test>') }),
    });
    const events = async () => (await sql.query<{ type: string; region: string; channels: number }>(
      `SELECT e.type, e.payload->'region'->>'name' AS region, (SELECT count(*)::int FROM alert_deliveries d WHERE d.event_id = e.id) AS channels
         FROM alert_events e WHERE e.org_id IS NULL AND e.payload->'region'->>'name' = ANY($1::text[]) ORDER BY e.created_at, e.id`, [[lost, kept, never]],
    )).rows.map((r) => `${r.type}:${r.region}:${r.channels}`);
    /** Both processes check at once, while the live agents keep reporting, until `done`. */
    const live: Array<[string, string]> = [[kept, 'agt_kept']];
    const watchUntil = async (done: () => Promise<boolean>, what: string) => eventually(async () => {
      for (const [region, agentId] of live) await presence.reported(region, { agentId, inFlight: 0, outboxDepth: 0 });
      await Promise.all([a.check(), b.check()]);
      return (await done()) || undefined;
    }, { what });

    await presence.registered(lost, { agentId: 'agt_lost', hostname: 'h1', version: '1' });
    await presence.registered(kept, { agentId: 'agt_kept', hostname: 'h2', version: '1' });
    await Promise.all([a.check(), b.check()]);
    expect(await events()).toEqual([]);

    // The lost region's only agent stops reporting: within three reports it is gone.
    await watchUntil(async () => (await events()).length > 0, 'the region going dark');
    for (let i = 0; i < 3; i++) await Promise.all([a.check(), b.check()]);
    expect(await events()).toEqual([`region.dark:${lost}:2`]);

    await Promise.all([deliveries().drain(), deliveries().drain()]);
    expect(await deliveries().drain()).toBe(0);
    const posted = hook.byEvent('region.dark');
    expect(posted).toHaveLength(1);
    expect(posted[0].body).toMatchObject({ event: 'region.dark', monitor: null, region: { name: lost, connectedAgents: 0 }, alert: { type: 'RegionDark' } });
    const mailed = smtp.mails.filter((m) => m.raw.includes(lost));
    expect(mailed.map((m) => m.to)).toEqual([['ops@operator.test']]);
    expect(mailed[0].raw).toContain(`Region ${lost} lost all its agents`);

    // An agent comes back: one recovery. The region that never had agents gets its first: nothing.
    await presence.registered(lost, { agentId: 'agt_lost_2', hostname: 'h3', version: '1' });
    await presence.registered(never, { agentId: 'agt_never', hostname: 'h4', version: '1' });
    live.push([lost, 'agt_lost_2'], [never, 'agt_never']);
    await watchUntil(async () => (await events()).length > 1 && (await sql.query(`SELECT 1 FROM region_states WHERE region = $1 AND NOT dark`, [never])).rowCount > 0, 'the recovery');
    expect(await events()).toEqual([`region.dark:${lost}:2`, `region.recovered:${lost}:2`]);
    const { rows } = await sql.query<{ region: string; dark: boolean }>(`SELECT region, dark FROM region_states WHERE region = ANY($1::text[]) ORDER BY region`, [[lost, kept, never]]);
    expect(Object.fromEntries(rows.map((r) => [r.region, r.dark]))).toEqual({ [lost]: false, [kept]: false, [never]: false });
    await deliveries().drain();
    expect(hook.byEvent('region.recovered').map((r) => r.body.region.name)).toEqual([lost]);
  });

  it('write nothing while presence is unchanged, and a stale read does not undo a newer change', async () => {
    const region = `Stale${randomBytes(3).toString('hex')}`;
    const presence = new AgentPresence(hotState, REPORT_MS, Date.now);
    const outbox = new AlertOutbox();
    const settings = { webhookUrl: `${hook.url}/operator`, emails: [] };
    const a = createRegionWatch({ sql, hotState, outbox, regions: [region], targets: operatorTargets(settings), logger: createLogger('silent') });
    /** Process b answers its next read from `stale` (presence as it was), then from hot state. */
    let stale: Record<string, string> | null = null;
    const laggingHotState: HotState = Object.create(hotState, {
      getRecords: { value: async (group: string) => { const s = stale; stale = null; return s ?? hotState.getRecords(group); } },
    });
    const b = createRegionWatch({ sql, hotState: laggingHotState, outbox, regions: [region], targets: operatorTargets(settings), logger: createLogger('silent') });
    const rowVersion = async () => (await sql.query<{ v: string; dark: boolean }>(`SELECT xmin::text AS v, dark FROM region_states WHERE region = $1`, [region])).rows[0];

    await presence.registered(region, { agentId: 'agt_stale', hostname: 'h5', version: '1' });
    await a.check();
    const first = await rowVersion();
    expect(first.dark).toBe(false);
    for (let i = 0; i < 5; i++) {
      await presence.reported(region, { agentId: 'agt_stale', inFlight: 0, outboxDepth: 0 });
      expect(await a.check()).toEqual([]);
      expect(await b.check()).toEqual([]);
    }
    expect(await rowVersion()).toEqual(first);

    // The agent goes away and a records it; b then acts on a read taken while the agent was there.
    const before = await hotState.getRecords(`agents:${region}`);
    expect(Object.keys(before)).toEqual(['agt_stale']);
    await eventually(async () => (await a.check()).length > 0 || undefined, { what: 'the region going dark' });
    stale = before;
    expect(await b.check()).toEqual([]);
    expect(stale).toBeNull();
    expect((await rowVersion()).dark).toBe(true);
    const { rows } = await sql.query<{ type: string }>(`SELECT type FROM alert_events WHERE org_id IS NULL AND payload->'region'->>'name' = $1 ORDER BY created_at, id`, [region]);
    expect(rows.map((r) => r.type)).toEqual(['region.dark']);
  });
});
