import type { Config } from '../lib/config.js';
import type { Logger } from '../lib/logger.js';
import type { JobBus } from '../lib/ports/job-bus.js';
import type { HotState } from '../lib/ports/hot-state.js';
import type { ResultStore } from '../lib/ports/results-store.js';
import type { SqlClient } from '../lib/ports/sql-client.js';
import type { Subjects } from '../lib/subjects.js';
import type { MonitorStore } from '../lib/monitors/store.js';
import type { HeartbeatStore } from '../heartbeats/heartbeat-store.js';
import type { IncidentStore } from '../alerting/incident-store.js';
import type { IncidentLifecycle } from '../alerting/incident-lifecycle.js';
import type { ApiKeyStore, Principal } from '../lib/tenancy/api-keys.js';
import type { PlanQuotas } from '../lib/tenancy/quotas.js';
import type { TeamStore } from '../lib/tenancy/teams.js';
import type { OrganizationStore } from '../lib/tenancy/organizations.js';
import type { RouteRateLimit } from '../lib/rate-limit/limits.js';
import type { AlertChannelStore } from '../alerting/channels/store.js';
import type { DeliverEvent } from '../alerting/channels/channel.js';
import type { GuardedResolver } from '../lib/ssrf/guarded-resolver.js';

/** Alert channels: present only when a sealing key is configured (PHAROS_SECRETS_KEY). */
export interface AlertChannelDeps {
  store: AlertChannelStore;
  /** Sends the test alert (createChannelSender). */
  deliver: DeliverEvent;
  /** The SSRF guard, for refusing a private webhook URL when it is created. */
  resolver: GuardedResolver;
}

/** Everything the api's verbs may use, passed in by main (no singletons). */
export interface ApiDeps {
  config: Readonly<Config>;
  logger: Logger;
  /**
   * The control-plane store itself, for verbs whose use case spans several stores in one
   * transaction (an organization and its first key). Verbs use the stores below otherwise.
   */
  sql: SqlClient;
  monitors: MonitorStore;
  /** Job monitors' pings and heartbeat clocks. */
  heartbeats: HeartbeatStore;
  incidents: IncidentStore;
  /** Manual incidents, acknowledgement, updates and resolution (absent: those routes answer 503). */
  incidentLifecycle?: IncidentLifecycle;
  apiKeys: ApiKeyStore;
  quotas: PlanQuotas;
  teams: TeamStore;
  orgs: OrganizationStore;
  results: ResultStore;
  hotState: HotState;
  bus: JobBus;
  subjects: Subjects;
  /** Absent without a sealing key: the channel routes then answer 503. */
  alertChannels?: AlertChannelDeps;
  /** Signs status page access cookies (derived from PHAROS_SECRETS_KEY; absent = a random key per process). */
  statusPageAccessKey?: Buffer;
  /** The operator's SMTP (PHAROS_SMTP_URL), for status page subscription confirmations; absent = none configured. */
  mail?: import('../alerting/channels/email.js').MailSender | null;
  now?: () => number;
  /** DNS for Diligent monitorings' websites (the SSRF guard's lookup at creation); default the system resolver. */
  websiteLookup?: import('../lib/ssrf/guarded-resolver.js').AddressLookup;
  /** Prometheus registry and dependency probes for /metrics, /readyz and request metrics (absent: not served). */
  operations?: import('./plugins/operations.js').ApiOperations;
}

/** What a verb receives: the dependencies and who is asking. */
export interface VerbContext {
  deps: ApiDeps;
  principal: Principal;
  /** Where clients reach this api (PHAROS_PUBLIC_URL, else the request's own origin); for links such as pingUrl. */
  baseUrl?: string;
  /**
   * Counts the request against one more of the key's rate limits, for limits only the use
   * case can decide on (an upsert is a creation only when it creates); throws RATE_LIMITED.
   */
  countAgainst?: (limit: RouteRateLimit) => Promise<void>;
}

export interface Verb<I, O> {
  (args: { ctx: VerbContext; input: I }): Promise<O>;
}
