import path from 'node:path';
import { accessKeyFrom } from '../status-pages/access-cookie.js';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../lib/config.js';
import type { Logger } from '../lib/logger.js';
import { subjectsFor } from '../lib/subjects.js';
import { MonitorStore } from '../lib/monitors/store.js';
import { HeartbeatStore } from '../heartbeats/heartbeat-store.js';
import { IncidentLifecycle } from '../alerting/incident-lifecycle.js';
import { EscalationTimers } from '../alerting/escalation/timers.js';
import { MaintenanceCalendar } from '../alerting/maintenance/calendar.js';
import { createDarkRegions } from '../alerting/dark-regions.js';
import { MaintenanceWindowStore } from '../alerting/maintenance/store.js';
import { startEscalationWorker } from '../alerting/escalation/worker.js';
import { withTeamMembers } from '../alerting/escalation/member-recipients.js';
import { withStatusPageSubscribers } from '../status-pages/subscriber-recipients.js';
import { IncidentStore } from '../alerting/incident-store.js';
import { publishHeartbeatResults } from '../heartbeats/heartbeat-results.js';
import { startHeartbeatWatchdog } from '../heartbeats/watchdog.js';
import { ApiKeyStore } from '../lib/tenancy/api-keys.js';
import { AgentTokenStore } from '../lib/tenancy/agent-tokens.js';
import { PlanQuotas } from '../lib/tenancy/quotas.js';
import { TeamStore } from '../lib/tenancy/teams.js';
import { OrganizationStore } from '../lib/tenancy/organizations.js';
import { startStatusEvaluator } from '../alerting/status-evaluator.js';
import { AlertOutbox } from '../alerting/deliveries/outbox.js';
import { DeliveryStore } from '../alerting/deliveries/delivery-store.js';
import { startDeliveryWorker, type ChannelLoader } from '../alerting/deliveries/worker.js';
import { channelIdentityLoader, unconfiguredDeliverEvent } from '../alerting/deliveries/unconfigured-sender.js';
import type { DeliverEvent } from '../alerting/channels/channel.js';
import type { SqlClient } from '../lib/ports/sql-client.js';
import { startScheduler } from '../scheduler/scheduler.js';
import { startIngest } from '../ingest/server.js';
import { buildApp } from '../api/app.js';
import { startAgent } from '../../probe-agent/agent.js';
import { bootstrapOrganization } from './bootstrap.js';
import { openHotState, openJobBus, openStores, rolesNeedResults, type OpenedStores } from './infrastructure.js';
import { createAgentCheckers } from './agent-checkers.js';
import { requireSecretsKeyIfChannels, resolveSecretsKey } from './secrets-key.js';
import { openAlertChannels } from './alert-channels.js';
import { openOperatorAlerts } from './operator-alerts.js';
import { startRegionWatch } from '../alerting/operator/region-watch.js';
import type { AlertChannelDeps } from '../api/context.js';
import { startEncrataRole } from '../encrata/role.js';
import { createMetricsRegistry } from '../lib/metrics/registry.js';
import { createIngestMetrics } from '../lib/metrics/ingest-metrics.js';
import { createSchedulerMetrics } from '../lib/metrics/scheduler-metrics.js';
import { createAlertingMetrics } from '../lib/metrics/alerting-metrics.js';
import { createAgentMetrics } from '../../probe-agent/metrics.js';
import { CountingStatusStore, countedDeliveries, pendingDeliveries } from '../alerting/instrumented.js';
import { dependencyProbes, serveOperations } from './operations.js';

export type ServerRole = 'api' | 'scheduler' | 'ingest' | 'alerting' | 'diligent' | 'encrata-worker';

export interface NetworkOptions {
  roles: ReadonlySet<ServerRole>;
  /** Start one in-process agent per declared region (the embedded network). */
  embeddedAgents: boolean;
  /**
   * The stores, when the caller started opening them already (`serve` does, before it loads
   * this module and the roles', so the engines' start overlaps the loading). Closed by `stop`.
   */
  stores?: Promise<OpenedStores>;
}

export interface RunningNetwork {
  apiUrl?: string;
  grpcPort?: number;
  /** The operations listener (/metrics, /healthz, /readyz), when PHAROS_METRICS_PORT is set. */
  metricsUrl?: string;
  /**
   * The admin key generated on first start, for the caller to show once on the terminal.
   * It is never logged, and absent when the operator supplied PHAROS_BOOTSTRAP_KEY.
   */
  adminKey?: string;
  stop(): Promise<void>;
}

const EMBEDDED_AGENT_TOKEN = 'embedded-agent';
/** The longest a worker that knows every write of its rows sleeps between passes (a bound, in case a deadline was missed). */
const SOLE_WRITER_MAX_SLEEP_MS = 60_000;

/**
 * The seam between the outbox and the channel types: how a delivery's channel is loaded
 * (settings decrypted) and sent. Without a secrets key no channel can be opened: every
 * delivery is then recorded as a failed attempt "no channel sender configured".
 */
function alertSender(sql: SqlClient, channels: AlertChannelDeps | undefined, accessKey: Buffer): { loadChannel: ChannelLoader; deliverEvent: DeliverEvent } {
  if (!channels) return { loadChannel: withStatusPageSubscribers(sql, accessKey, withTeamMembers(sql, channelIdentityLoader(sql))), deliverEvent: unconfiguredDeliverEvent };
  return {
    // Escalation steps' team members and status page subscribers are emailed like an Email channel of one address.
    loadChannel: withStatusPageSubscribers(sql, accessKey, withTeamMembers(sql, async (orgId, channelId) => {
      const channel = await channels.store.load(channelId);
      return channel && channel.orgId === orgId ? channel : null;
    })),
    deliverEvent: channels.deliver,
  };
}

/**
 * Starts the given roles in this process over the adapters the configuration selects.
 * `pharos dev` = every role + embedded agents on embedded engines; `pharos server` =
 * every role on real services; `pharos api|…` = one role.
 */
export async function startNetwork(config: Readonly<Config>, logger: Logger, opts: NetworkOptions): Promise<RunningNetwork> {
  const { roles } = opts;
  const stops: Array<() => Promise<unknown>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) {
      await stop().catch((err) => logger.error({ err }, 'shutdown step failed'));
    }
  };
  try {
    const subjects = subjectsFor(config.natsPrefix);
    const { sql, results } = await (opts.stores ?? openStores(config, logger, rolesNeedResults(roles)));
    stops.push(() => sql.close());
    if (results) stops.push(() => results.close());
    const bus = await openJobBus(config, logger, `pharos-${config.role}`);
    stops.push(() => bus.close());
    const hotState = await openHotState(config);
    stops.push(() => hotState.close());
    // One Prometheus registry per process, for every role it runs (docs/operations.md).
    const registry = createMetricsRegistry();
    const readiness = dependencyProbes({ sql, bus, hotState, results });

    const monitors = new MonitorStore(sql);
    const heartbeats = new HeartbeatStore(sql);
    const incidents = new IncidentStore(sql);
    const escalations = new EscalationTimers({ sql, outbox: new AlertOutbox() });
    const apiKeys = new ApiKeyStore(sql);
    const agentTokens = new AgentTokenStore(sql);
    const out: RunningNetwork = { stop: stopAll };
    const secretsKey = resolveSecretsKey(config);
    // One key for status page cookies and subscription links, so the api and the alerting process agree (without a secrets key neither mails).
    const statusPageAccessKey = accessKeyFrom(secretsKey);
    if (roles.has('alerting')) await requireSecretsKeyIfChannels(sql, secretsKey, config.role);
    // One channel sender for the api (test alerts) and alerting (the outbox) of this process.
    const alertChannels = secretsKey && (roles.has('api') || roles.has('alerting')) ? openAlertChannels(config, sql, secretsKey) : undefined;
    if (alertChannels) stops.push(() => alertChannels.close());

    // Maintenance windows in memory: the scheduler skips paused monitors, ingest marks checks taken in a window.
    const calendar = roles.has('scheduler') || roles.has('ingest') ? new MaintenanceCalendar(sql) : undefined;
    if (calendar) {
      await calendar.refresh();
      const calendarTimer = setInterval(() => void calendar.refresh().catch((err) => logger.warn({ err, event: 'maintenance.refresh_failed' }, 'maintenance calendar refresh failed')), 15_000);
      stops.push(async () => clearInterval(calendarTimer));
    }
    if (roles.has('ingest')) {
      const ingest = await startIngest({ config, resultStore: results!, bus, subjects, hotState, tokens: agentTokens, logger, maintenance: calendar, metrics: createIngestMetrics(registry) });
      stops.push(() => ingest.stop());
      out.grpcPort = ingest.port;
    }
    let startWatchingRegions: (() => void) | undefined;
    if (roles.has('alerting')) {
      const alertingLogger = logger.child({ component: 'alerting' });
      const alertingMetrics = createAlertingMetrics(registry);
      alertingMetrics.observePending(pendingDeliveries(sql));
      // Stopped after the evaluator (stops run in reverse), so its last nudge finds a worker.
      const operatorAlerts = openOperatorAlerts(config);
      stops.push(() => operatorAlerts.close());
      const sender = operatorAlerts.wrap(alertSender(sql, alertChannels, statusPageAccessKey));
      // On PGlite the worker hears every commit that queues deliveries (migration 025), so it
      // sleeps until the next due one instead of polling; listening before its first pass.
      const deliveryStore = new DeliveryStore(sql);
      let nudgeDeliveries = () => {};
      const unlistenQueued = await deliveryStore.listenForQueued(() => nudgeDeliveries());
      if (unlistenQueued) stops.push(unlistenQueued);
      const deliveries = startDeliveryWorker({
        store: deliveryStore, ...sender, deliverEvent: countedDeliveries(sender.deliverEvent, alertingMetrics), logger: alertingLogger, leaseMs: config.deliveryLeaseMs,
        maxSleepMs: unlistenQueued ? SOLE_WRITER_MAX_SLEEP_MS : undefined,
      });
      nudgeDeliveries = () => deliveries.nudge();
      stops.push(() => deliveries.stop());
      // One operator alert per region that loses (or regains) all its agents, whichever process sees it first.
      // Started once this process's own agents (pharos dev) are up: in-memory presence starts empty.
      startWatchingRegions = () => {
        const regionWatch = startRegionWatch({
          sql, hotState, outbox: new AlertOutbox(), regions: config.regions, targets: operatorAlerts.targets, logger: alertingLogger,
          pollIntervalMs: Math.min(5_000, config.agent.presenceIntervalMs), onQueued: () => deliveries.nudge(),
        });
        stops.push(() => regionWatch.stop());
      };
      const evaluator = await startStatusEvaluator({
        bus, subjects, monitors, statuses: new CountingStatusStore(sql, alertingMetrics), incidents, outbox: new AlertOutbox(), escalations,
        maintenance: new MaintenanceWindowStore(sql), darkRegions: createDarkRegions(hotState, config.regions), onDeliveriesQueued: () => deliveries.nudge(), logger: alertingLogger,
      });
      stops.push(() => evaluator.unsubscribe());
      const escalationWorker = startEscalationWorker({ timers: escalations, logger: alertingLogger, onFired: () => deliveries.nudge() });
      stops.push(() => escalationWorker.stop());
    }
    if (roles.has('scheduler')) {
      const scheduler = await startScheduler({ monitors, bus, hotState, subjects, schedulerId: config.schedulerId, backlogMaxJobs: config.schedulerBacklogMax, logger: logger.child({ component: 'scheduler' }), inPauseWindow: (m, at) => calendar!.paused(m, at), metrics: createSchedulerMetrics(registry), sharding: config.schedulerSharded ? {} : undefined });
      stops.push(() => scheduler.stop());
      const watchdog = startHeartbeatWatchdog({
        store: heartbeats, publish: (r) => publishHeartbeatResults(bus, subjects, r), logger,
        // On PGlite this process is the only writer of the clocks (they all go through `heartbeats`): sleep until the next deadline.
        maxSleepMs: config.databaseUrl ? undefined : SOLE_WRITER_MAX_SLEEP_MS,
      });
      stops.push(() => watchdog.stop());
    }
    if (roles.has('diligent')) {
      // Diligent website risk monitorings: scan loop + worker (services/diligent/start.ts).
      const { startDiligentRole } = await import('../diligent/start.js');
      const diligent = await startDiligentRole({ config, sql, bus, logger });
      stops.push(() => diligent.stop());
    }
    if (opts.embeddedAgents) {
      await agentTokens.revokeByName(EMBEDDED_AGENT_TOKEN);
      const checkers = createAgentCheckers(config);
      const agentMetrics = createAgentMetrics(registry);
      for (const region of config.regions) {
        const { token } = await agentTokens.create(region, EMBEDDED_AGENT_TOKEN);
        const agent = await startAgent({
          // One outbox log per embedded agent, whatever PHAROS_AGENT_DATA_DIR says.
          config: { ...config.agent, ingestAddress: `127.0.0.1:${out.grpcPort}`, ingestTls: false, agentId: `embedded-${region}`, dataDir: path.join(config.dataDir, `agent-${region}`) },
          region,
          token,
          bus,
          subjects,
          logger: logger.child({ component: 'agent' }),
          checkers,
          metrics: agentMetrics,
          // Results in this machine's chDB are not synced either (docs/decisions.md, "Cheaper checks in `pharos dev`").
          outboxDurability: 'process-crash',
        });
        stops.push(() => agent.stop());
      }
    }
    startWatchingRegions?.();
    if (roles.has('encrata-worker')) {
      const encrata = await startEncrataRole({ config, sql, bus, subjects, logger, hotState });
      stops.push(() => encrata.stop());
    }
    if (roles.has('api')) {
      const boot = await bootstrapOrganization(sql, config.bootstrapKey);
      out.adminKey = boot.generatedAdminKey;
      if (!alertChannels) logger.warn('PHAROS_SECRETS_KEY is not set: the alert channel api answers 503 until it is, and status page access cookies last only as long as this process');
      const app: FastifyInstance = await buildApp({ config, logger, sql, monitors, heartbeats, incidents, incidentLifecycle: new IncidentLifecycle({ sql, outbox: new AlertOutbox(), escalations }), apiKeys, quotas: new PlanQuotas(sql), teams: new TeamStore(sql), orgs: new OrganizationStore(sql), results: results!, hotState, bus, subjects, alertChannels, statusPageAccessKey, mail: alertChannels?.mail ?? null, operations: { registry, readiness } });
      await app.listen({ host: config.http.host, port: config.http.port });
      stops.push(() => app.close());
      const addr = app.server.address();
      const port = typeof addr === 'object' && addr ? addr.port : config.http.port;
      const host = config.http.host === '0.0.0.0' || config.http.host === '::' ? '127.0.0.1' : config.http.host;
      out.apiUrl = `http://${host}:${port}`;
    }
    const operations = await serveOperations(config, logger, registry, readiness);
    if (operations) {
      stops.push(() => operations.stop());
      out.metricsUrl = operations.url;
    }
    return out;
  } catch (err) {
    await stopAll();
    throw err;
  }
}
