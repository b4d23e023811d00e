import type { MailSender } from '../../services/alerting/channels/email.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { HeartbeatStore } from '../../services/heartbeats/heartbeat-store.js';
import { IncidentStore } from '../../services/alerting/incident-store.js';
import { IncidentLifecycle } from '../../services/alerting/incident-lifecycle.js';
import { AlertOutbox } from '../../services/alerting/deliveries/outbox.js';
import { EscalationTimers } from '../../services/alerting/escalation/timers.js';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../services/api/app.js';
import { loadConfig } from '../../services/lib/config.js';
import { createLogger, type Logger } from '../../services/lib/logger.js';
import { subjectsFor } from '../../services/lib/subjects.js';
import { MonitorStore } from '../../services/lib/monitors/store.js';
import { ApiKeyStore } from '../../services/lib/tenancy/api-keys.js';
import { OrganizationStore } from '../../services/lib/tenancy/organizations.js';
import { PlanQuotas } from '../../services/lib/tenancy/quotas.js';
import { TeamStore } from '../../services/lib/tenancy/teams.js';
import { MemoryJobBus } from '../../services/lib/adapters/memory/job-bus.js';
import { MemoryHotState } from '../../services/lib/adapters/memory/hot-state.js';
import { openChdbResultStore } from '../../services/lib/results/open.js';
import { openPglite } from '../../services/lib/adapters/pglite/sql-client.js';
import { openPostgres } from '../../services/lib/adapters/postgres/sql-client.js';
import { migrate } from '../../services/lib/store/migrate.js';
import { MIGRATIONS_DIR } from '../../services/cli/infrastructure.js';
import type { SqlClient } from '../../services/lib/ports/sql-client.js';
import type { ResultStore } from '../../services/lib/ports/results-store.js';
import { uniqueName } from './services.js';
import { randomBytes } from 'node:crypto';
import { createGuardedResolver, type AddressLookup } from '../../services/lib/ssrf/guarded-resolver.js';
import { createSealer } from '../../services/lib/store/sealed.js';
import { createGuardedHttp } from '../../services/alerting/channels/guarded-http.js';
import { createChannelSender } from '../../services/alerting/channels/index.js';
import { AlertChannelStore } from '../../services/alerting/channels/store.js';
import type { DeliverEvent } from '../../services/alerting/channels/channel.js';

export interface ApiHarness {
  app: FastifyInstance;
  sql: SqlClient;
  results: ResultStore;
  bus: MemoryJobBus;
  hotState: MemoryHotState;
  monitors: MonitorStore;
  /** The app's Job monitor clocks (the store the ping and monitor routes write through). */
  heartbeats: HeartbeatStore;
  apiKeys: ApiKeyStore;
  orgs: OrganizationStore;
  /** The alert channel store (settings sealed with this harness's key) and sender the app uses: a delivery worker's real channel loader. */
  alertChannels: { store: AlertChannelStore; deliver: DeliverEvent };
  /** Creates an organization with a key of the given scopes; returns the plaintext key and org id. */
  tenant(scopes?: string[], plan?: string): Promise<{ orgId: string; key: string }>;
  close(): Promise<void>;
}

/** Postgres when `databaseUrl` is set, else PGlite: in memory, or in `pgliteDir` as `pharos dev` keeps it. */
export async function openControlPlane(databaseUrl?: string, pgliteDir?: string): Promise<{ sql: SqlClient; drop: () => Promise<void> }> {
  if (!databaseUrl) {
    const sql = await openPglite({ schema: 'public', dataDir: pgliteDir });
    await migrate(sql, { dir: MIGRATIONS_DIR });
    return { sql, drop: () => sql.close() };
  }
  const schema = uniqueName('api');
  const sql = await openPostgres({ url: databaseUrl, schema });
  await migrate(sql, { dir: MIGRATIONS_DIR });
  return {
    sql,
    drop: async () => {
      await sql.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await sql.close();
    },
  };
}

/** The api over real stores: PGlite (or Postgres when a URL is given) and chDB in a temp dir. */
export interface ApiHarnessOptions {
  databaseUrl?: string;
  resultsDir?: string;
  now?: () => number;
  env?: Record<string, string>;
  /** DNS for alert channel URLs (the SSRF guard's lookup); default the system resolver. */
  channelLookup?: AddressLookup;
  logger?: Logger;
  /** The operator's SMTP, for status page subscription confirmations. */
  mail?: MailSender;
  /** Signs status page cookies and subscription links (default: a random key). */
  statusPageAccessKey?: Buffer;
  /** DNS for Diligent monitorings' websites (the SSRF guard's lookup); default the system resolver. */
  websiteLookup?: AddressLookup;
}

export async function startApiHarness(opts: ApiHarnessOptions = {}): Promise<ApiHarness> {
  const config = loadConfig('dev', { PHAROS_REGIONS: 'UsEast,EuWest', PHAROS_LOG_LEVEL: 'silent', ...opts.env });
  const logger = opts.logger ?? createLogger('silent');
  const { sql, drop } = await openControlPlane(opts.databaseUrl);
  const dir = opts.resultsDir ?? mkdtempSync(path.join(tmpdir(), 'pharos-api-'));
  const results = openChdbResultStore(dir, 'pharos');
  await results.migrate();
  const bus = new MemoryJobBus();
  const hotState = new MemoryHotState();
  const monitors = new MonitorStore(sql);
  const apiKeys = new ApiKeyStore(sql);
  const orgs = new OrganizationStore(sql);
  const resolver = createGuardedResolver({ allowPrivateTargets: config.allowPrivateTargets, lookup: opts.channelLookup });
  const http = createGuardedHttp({ resolver });
  const alertChannels = {
    store: new AlertChannelStore(sql, createSealer(randomBytes(32)), opts.now),
    deliver: createChannelSender({ post: http.post, mail: null }),
    resolver,
  };
  const heartbeats = new HeartbeatStore(sql);
  const app = await buildApp({ config, logger, sql, monitors, heartbeats, incidents: new IncidentStore(sql), incidentLifecycle: new IncidentLifecycle({ sql, outbox: new AlertOutbox(), escalations: new EscalationTimers({ sql, outbox: new AlertOutbox() }) }), apiKeys, quotas: new PlanQuotas(sql), teams: new TeamStore(sql), orgs, results, hotState, bus, subjects: subjectsFor('test'), now: opts.now, alertChannels, mail: opts.mail, statusPageAccessKey: opts.statusPageAccessKey, websiteLookup: opts.websiteLookup });
  await app.ready();
  return {
    app, sql, results, bus, hotState, monitors, heartbeats, apiKeys, orgs, alertChannels,
    async tenant(scopes = ['*'], plan = 'unlimited') {
      const org = await orgs.create(uniqueName('org'), plan);
      const { plaintext } = await apiKeys.create(org.id, 'test', scopes);
      return { orgId: org.id, key: plaintext };
    },
    async close() {
      await app.close();
      await http.close();
      await bus.close();
      await hotState.close();
      await results.close();
      await drop();
      if (!opts.resultsDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
