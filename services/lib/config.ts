/**
 * Configuration, parsed once in main from the environment (and CLI flags), frozen and
 * passed down. Nothing below main reads process.env.
 *
 * An adapter is chosen by whether its URL is set (DESIGN.md §3): no URL = embedded engine.
 */
import path from 'node:path';
import os from 'node:os';
import { redactUrl } from './redact.js';

export type Role = 'dev' | 'server' | 'api' | 'scheduler' | 'ingest' | 'alerting' | 'agent' | 'migrate' | 'cli' | 'diligent-worker' | 'encrata-worker';

export interface Config {
  role: Role;
  dataDir: string;
  logLevel: string;
  http: { host: string; port: number };
  /** Where clients reach the api (for links such as a Job's pingUrl); unset = each request's own origin. */
  publicUrl?: string;
  grpc: { host: string; port: number; tlsCertFile?: string; tlsKeyFile?: string };
  /** Regions this network declares; monitors may only be pinned to these. */
  regions: string[];
  bootstrapKey?: string;
  /** Enables the operator-only admin API (/admin/…); unset = those routes do not exist. */
  operatorKey?: string;
  databaseUrl?: string;
  /** Postgres schema for every table (tests isolate by schema). */
  databaseSchema: string;
  natsUrl?: string;
  /** Subject prefix on NATS (tests isolate by prefix). */
  natsPrefix: string;
  redisUrl?: string;
  redisPrefix: string;
  clickhouseUrl?: string;
  clickhouseDatabase: string;
  /** A ClickHouse cluster (remote_servers) for the replicated schema (docs/clickhouse.md "On a cluster"); needs a server URL. */
  clickhouseCluster?: string;
  /** Server-side async inserts that still wait for their flush (ack semantics kept). */
  clickhouseAsyncInsert: boolean;
  intervalLimits: { minSeconds: number; maxSeconds: number };
  /** Days a result row is kept in ClickHouse (plan limits refine this later). */
  retentionDays: number;
  /**
   * Whether tenant-controlled requests (monitor targets, later webhooks) may reach loopback,
   * private, link-local, CGNAT and reserved addresses; cloud metadata stays refused either
   * way. On in `pharos dev` (one local operator), off otherwise (DESIGN.md §6).
   */
  allowPrivateTargets: boolean;
  /**
   * Key that seals alert channel settings and signing secrets at rest (AES-256-GCM): 32
   * bytes as base64 or hex. `pharos dev` generates one into the data dir when unset; other
   * roles refuse to use channels without it (docs/decisions.md "Alert channel secrets").
   */
  secretsKey?: string;
  /** Operator SMTP for Email channels; unset = Email deliveries fail as data ("SMTP is not configured"). */
  smtp: { url?: string; from?: string };
  /**
   * The deployment's own alert channels, for what no organization owns: a region that lost
   * all its agents (docs/alerting.md, "Operator alerts"). A webhook URL (may carry a token:
   * never logged) and/or addresses mailed through `smtp`; neither set = logged only.
   */
  operatorAlerts: { webhookUrl?: string; emails: string[] };
  /**
   * How long a delivery worker's claim on an outbox row lasts (DESIGN.md §7a): a worker that
   * dies mid-send leaves its rows to the others after this. Longer than the 10 s send timeout,
   * so a live worker's claim never expires under it.
   */
  deliveryLeaseMs: number;
  /** The operator's copy of IANA's RDAP bootstrap (`pharos rdap-bootstrap refresh`); the shipped one until it exists. */
  rdapBootstrapFile: string;
  /** Diligent executions one worker runs at once (PHAROS_DILIGENT_CONCURRENCY). */
  diligentConcurrency: number;
  /** The Diligent regions every execution runs in (PHAROS_DILIGENT_REGIONS; default the process's PHAROS_REGION, else `local`). */
  diligentRegions: string[];
  /**
   * The scheduler's lease holder identity. Stable across restarts, so a scheduler that is
   * killed and restarted takes its own lease back at once instead of waiting it out; two
   * schedulers running at the same time must have different ids (the default differs by
   * host, role and data dir).
   */
  schedulerId: string;
  /** Jobs the scheduler keeps while the bus refuses them; past it the oldest are recorded missed. */
  schedulerBacklogMax: number;
  /** Several schedulers split the monitors by rendezvous hashing over the live ones, instead of one lease holder (docs/decisions.md "Sharded schedulers"). */
  schedulerSharded: boolean;
  /**
   * The operations listener (/metrics, /healthz, /readyz) every role and agent serves
   * (docs/operations.md); no port = not served (the api still answers them on its own port).
   */
  metrics: { host: string; port?: number };
  agent: AgentConfig;
  /** The Encrata entity monitors' workers and outside sources (docs/encrata.md). */
  encrata: EncrataConfig;
}

/**
 * Where the Encrata enrichment sources are and how hard to use them. Every base URL is the
 * operator's (never a tenant's); keys are secrets and never logged.
 */
export interface EncrataConfig {
  /** Enrichment work taken at once by one worker (messages of up to 50 targets each). */
  workerConcurrency: number;
  /** How often the scheduler loop looks for due monitors. */
  scanIntervalMs: number;
  /** DNS servers for enrichment ("host" or "host:port"); empty = the system's. */
  dnsServers: string[];
  /** Per outside request: time limit, attempts (with exponential backoff), and the least time between two requests to one source. */
  timeoutMs: number;
  attempts: number;
  /** RDAP for IP networks: the RDAP base for addresses the bootstrap does not cover (ARIN's refers other registries' space by redirect). */
  rdapIp: { baseUrl: string; minIntervalMs: number };
  /** The operator's copy of IANA's IP RDAP bootstrap (`pharos rdap-ip-bootstrap refresh`); the shipped subset until it exists. */
  rdapIpBootstrapFile: string;
  /** The operator's IPtoASN database (`pharos ip-asn refresh`); absent = the shipped ip-location-db data answers. */
  ipAsnFile: string;
  gleif: { baseUrl: string; minIntervalMs: number };
  /** SEC EDGAR asks every client to declare itself in the User-Agent (name and contact address); unset = EDGAR is not asked. */
  edgar: { baseUrl: string; dataUrl: string; userAgent?: string; minIntervalMs: number };
  /** Have I Been Pwned: the breach catalogue by domain needs no key; breached accounts need the operator's key. */
  hibp: { baseUrl: string; apiKey?: string; minIntervalMs: number };
  /** A ransomware leak-site aggregator with ransomware.live's v2 API shape. */
  leakSites: { baseUrl: string; minIntervalMs: number };
  gravatar: { baseUrl: string; minIntervalMs: number };
}

export interface AgentConfig {
  region?: string;
  token?: string;
  /** host:port of ingest's gRPC endpoint. */
  ingestAddress: string;
  ingestTls: boolean;
  ingestCaFile?: string;
  agentId: string;
  /** Where the agent keeps its outbox log (probe-agent/outbox-log.ts); one agent per directory. */
  dataDir: string;
  concurrency: number;
  outboxMaxBytes: number;
  outboxMaxAgeMs: number;
  batchMaxResults: number;
  batchMaxDelayMs: number;
  /** How often agents report their presence to ingest (services/lib/agent-presence.ts). */
  presenceIntervalMs: number;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function str(env: Env, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

function url(env: Env, name: string): string | undefined {
  const raw = str(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be an absolute URL such as https://pharos.example.com, got "${redactUrl(raw)}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ConfigError(`${name} must be an http(s) URL, got "${redactUrl(raw)}"`);
  return raw;
}

/** An http(s) URL whose path or query may carry a token (a webhook's): a refusal names the variable, never the value. */
function secretUrl(env: Env, name: string): string | undefined {
  const raw = str(env, name);
  if (raw === undefined) return undefined;
  let protocol = '';
  try {
    protocol = new URL(raw).protocol;
  } catch {
    protocol = '';
  }
  if (protocol !== 'http:' && protocol !== 'https:') throw new ConfigError(`${name} must be an absolute http(s) URL (the value is not shown: it may carry a token)`);
  return raw;
}

/** A comma-separated list of email addresses (plain ones: no display names, nothing that adds a recipient). */
function addresses(env: Env, name: string): string[] {
  const raw = str(env, name);
  if (raw === undefined) return [];
  const list = [...new Set(raw.split(',').map((a) => a.trim()).filter(Boolean))];
  const bad = list.find((a) => !/^[^\s@<>,;"()]+@[^\s@<>,;"()]+\.[^\s@<>,;"()]+$/.test(a));
  if (bad !== undefined) throw new ConfigError(`${name} must be comma-separated email addresses, got "${bad}"`);
  if (list.length > 20) throw new ConfigError(`${name} must list at most 20 addresses`);
  return list;
}

/** The variable to read: `name`, or `formerName` when only that is set (a renamed variable stays accepted). */
function renamed(env: Env, name: string, formerName: string): string {
  return str(env, name) === undefined && str(env, formerName) !== undefined ? formerName : name;
}

/** Accepts 32 bytes as 64 hex digits or base64 (standard or url-safe). */
export function parseSecretsKey(raw: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(raw)) return Buffer.from(raw, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(raw)) {
    const key = Buffer.from(raw.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (key.length === 32) return key;
  }
  return undefined;
}

function secretsKey(env: Env): string | undefined {
  const raw = str(env, 'PHAROS_SECRETS_KEY');
  if (raw !== undefined && !parseSecretsKey(raw)) {
    // The value itself is a secret: never echo it.
    throw new ConfigError('PHAROS_SECRETS_KEY must be 32 bytes as 64 hex digits or base64 (e.g. `openssl rand -base64 32`)');
  }
  return raw;
}

function smtpUrl(env: Env): string | undefined {
  const raw = str(env, 'PHAROS_SMTP_URL');
  if (raw === undefined) return undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(raw);
  } catch {
    parsed = undefined;
  }
  // The URL may carry SMTP credentials: name the variable, never the value.
  if (!parsed || (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:')) {
    throw new ConfigError('PHAROS_SMTP_URL must be an smtp:// or smtps:// URL such as smtp://user:pass@mail.example.com:587');
  }
  return raw;
}

const REGION = /^[A-Za-z][A-Za-z0-9-]{0,31}$/;

export function parseRegions(raw: string): string[] {
  const regions = raw.split(',').map((r) => r.trim()).filter(Boolean);
  if (regions.length === 0) throw new ConfigError('PHAROS_REGIONS must name at least one region');
  for (const r of regions) {
    if (!REGION.test(r)) throw new ConfigError(`region "${r}" must be letters, digits and dashes, starting with a letter`);
    // <prefix>.jobs.diligent is the Diligent work queue (services/diligent/subjects.ts).
    if (r === 'diligent') throw new ConfigError('region "diligent" is reserved (the Diligent work queue\'s subject)');
    // <prefix>.jobs.encrata is the Encrata enrichment work queue (services/encrata/worker.ts).
    if (r === 'encrata') throw new ConfigError('region "encrata" is reserved (the Encrata work queue\'s subject)');
  }
  return [...new Set(regions)];
}

export interface ConfigOverrides {
  region?: string;
  token?: string;
  ingestAddress?: string;
}

export function loadConfig(role: Role, env: Env, overrides: ConfigOverrides = {}): Readonly<Config> {
  const embedded = role === 'dev';
  const dataDir = path.resolve(str(env, 'PHAROS_DATA_DIR') ?? './data');
  const grpcPort = int(env, 'PHAROS_GRPC_PORT', embedded ? 0 : 50051, 0, 65535);
  const config: Config = {
    role,
    dataDir,
    logLevel: str(env, 'PHAROS_LOG_LEVEL') ?? 'info',
    http: {
      host: str(env, 'PHAROS_HTTP_HOST') ?? (embedded ? '127.0.0.1' : '0.0.0.0'),
      port: int(env, 'PHAROS_HTTP_PORT', 8080, 0, 65535),
    },
    grpc: {
      host: str(env, 'PHAROS_GRPC_HOST') ?? (embedded ? '127.0.0.1' : '0.0.0.0'),
      port: grpcPort,
      tlsCertFile: str(env, 'PHAROS_GRPC_TLS_CERT'),
      tlsKeyFile: str(env, 'PHAROS_GRPC_TLS_KEY'),
    },
    regions: parseRegions(str(env, 'PHAROS_REGIONS') ?? 'local'),
    bootstrapKey: str(env, 'PHAROS_BOOTSTRAP_KEY'),
    operatorKey: str(env, 'PHAROS_OPERATOR_KEY'),
    publicUrl: url(env, 'PHAROS_PUBLIC_URL')?.replace(/\/+$/, ''),
    diligentConcurrency: int(env, 'PHAROS_DILIGENT_CONCURRENCY', 16, 1, 1000),
    diligentRegions: str(env, 'PHAROS_DILIGENT_REGIONS') ? parseRegions(str(env, 'PHAROS_DILIGENT_REGIONS')!) : [overrides.region ?? str(env, 'PHAROS_REGION') ?? 'local'],
    rdapBootstrapFile: path.resolve(str(env, 'PHAROS_RDAP_BOOTSTRAP_FILE') ?? path.join(dataDir, 'rdap-dns.json')),
    schedulerId: str(env, 'PHAROS_SCHEDULER_ID') ?? `${os.hostname()}:${role}:${dataDir}`,
    schedulerBacklogMax: int(env, 'PHAROS_SCHEDULER_BACKLOG_MAX', 100_000, 0, 10_000_000),
    schedulerSharded: bool(env, 'PHAROS_SCHEDULER_SHARDED', false),
    databaseUrl: embedded ? undefined : str(env, 'PHAROS_DATABASE_URL'),
    databaseSchema: str(env, 'PHAROS_DATABASE_SCHEMA') ?? 'public',
    natsUrl: embedded ? undefined : str(env, 'PHAROS_NATS_URL'),
    natsPrefix: str(env, 'PHAROS_NATS_PREFIX') ?? 'pharos',
    redisUrl: embedded ? undefined : str(env, 'PHAROS_REDIS_URL'),
    redisPrefix: str(env, 'PHAROS_REDIS_PREFIX') ?? 'pharos:',
    clickhouseUrl: embedded ? undefined : str(env, 'PHAROS_CLICKHOUSE_URL'),
    clickhouseDatabase: str(env, 'PHAROS_CLICKHOUSE_DATABASE') ?? 'pharos',
    clickhouseCluster: str(env, 'PHAROS_CLICKHOUSE_CLUSTER'),
    clickhouseAsyncInsert: bool(env, 'PHAROS_CLICKHOUSE_ASYNC_INSERT', false),
    intervalLimits: {
      minSeconds: int(env, 'PHAROS_MIN_INTERVAL_SECONDS', 5, 1, 86400),
      maxSeconds: int(env, 'PHAROS_MAX_INTERVAL_SECONDS', 86400, 1, 86400 * 7),
    },
    retentionDays: int(env, 'PHAROS_RETENTION_DAYS', 90, 1, 3650),
    allowPrivateTargets: bool(env, 'PHAROS_ALLOW_PRIVATE_TARGETS', embedded),
    secretsKey: secretsKey(env),
    smtp: { url: smtpUrl(env), from: str(env, 'PHAROS_SMTP_FROM') },
    operatorAlerts: { webhookUrl: secretUrl(env, 'PHAROS_OPERATOR_WEBHOOK_URL'), emails: addresses(env, 'PHAROS_OPERATOR_EMAILS') },
    deliveryLeaseMs: int(env, 'PHAROS_DELIVERY_LEASE_SECONDS', 60, 15, 3600) * 1000,
    metrics: {
      host: str(env, 'PHAROS_METRICS_HOST') ?? (embedded ? '127.0.0.1' : '0.0.0.0'),
      port: env.PHAROS_METRICS_PORT === undefined || env.PHAROS_METRICS_PORT.trim() === '' ? undefined : int(env, 'PHAROS_METRICS_PORT', 0, 0, 65535),
    },
    agent: {
      region: overrides.region ?? str(env, 'PHAROS_REGION'),
      token: overrides.token ?? str(env, 'PHAROS_AGENT_TOKEN'),
      ingestAddress: overrides.ingestAddress ?? str(env, 'PHAROS_INGEST_ADDRESS') ?? '127.0.0.1:50051',
      ingestTls: bool(env, 'PHAROS_INGEST_TLS', false),
      ingestCaFile: str(env, 'PHAROS_INGEST_CA_FILE'),
      agentId: str(env, 'PHAROS_AGENT_ID') ?? `${os.hostname()}-${process.pid}`,
      // The region is checked against REGION below, before anything uses this path.
      dataDir: path.resolve(str(env, 'PHAROS_AGENT_DATA_DIR') ?? path.join(dataDir, `agent-${overrides.region ?? str(env, 'PHAROS_REGION') ?? 'local'}`)),
      concurrency: int(env, 'PHAROS_AGENT_CONCURRENCY', 256, 1, 10000),
      outboxMaxBytes: int(env, 'PHAROS_OUTBOX_MAX_BYTES', 64 * 1024 * 1024, 1024, 2 ** 31),
      outboxMaxAgeMs: int(env, 'PHAROS_OUTBOX_MAX_AGE_SECONDS', 6 * 3600, 1, 7 * 86400) * 1000,
      batchMaxResults: int(env, 'PHAROS_AGENT_BATCH_MAX', 500, 1, 10000),
      batchMaxDelayMs: int(env, 'PHAROS_AGENT_BATCH_DELAY_MS', 200, 1, 60000),
      // Called PHAROS_HEARTBEAT_INTERVAL_MS until "heartbeat" was kept for Job pings.
      presenceIntervalMs: int(env, renamed(env, 'PHAROS_PRESENCE_INTERVAL_MS', 'PHAROS_HEARTBEAT_INTERVAL_MS'), 10000, 100, 600000),
    },
    encrata: encrataConfig(env, dataDir),
  };
  if (config.intervalLimits.minSeconds > config.intervalLimits.maxSeconds) {
    throw new ConfigError('PHAROS_MIN_INTERVAL_SECONDS must not exceed PHAROS_MAX_INTERVAL_SECONDS');
  }
  if (role === 'server' || role === 'api' || role === 'scheduler' || role === 'ingest' || role === 'alerting' || role === 'diligent-worker' || role === 'encrata-worker') {
    // Separate processes must share state through real services; embedded engines are per
    // process. chDB may be opened by one process only, so a lone api or ingest (which both
    // read or write results) needs a ClickHouse server; `pharos server` may keep chDB.
    const needs: Array<[string, string | undefined]> = [
      ['PHAROS_DATABASE_URL', config.databaseUrl],
      ['PHAROS_NATS_URL', config.natsUrl],
      ['PHAROS_REDIS_URL', config.redisUrl],
    ];
    if (role === 'api' || role === 'ingest') needs.push(['PHAROS_CLICKHOUSE_URL', config.clickhouseUrl]);
    const missing = needs.filter(([, v]) => !v).map(([k]) => k);
    if (missing.length) throw new ConfigError(`pharos ${role} needs ${missing.join(', ')} (use "pharos dev" for the embedded network)`);
  }
  if (config.clickhouseCluster !== undefined) {
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(config.clickhouseCluster)) throw new ConfigError(`PHAROS_CLICKHOUSE_CLUSTER must be a cluster name (letters, digits, underscores), got "${config.clickhouseCluster}"`);
    if (!config.clickhouseUrl) throw new ConfigError('PHAROS_CLICKHOUSE_CLUSTER needs PHAROS_CLICKHOUSE_URL (chDB is one process, not a cluster)');
  }
  if (config.operatorKey !== undefined && config.operatorKey.length < 24) {
    throw new ConfigError('PHAROS_OPERATOR_KEY must be at least 24 characters');
  }
  if (config.agent.region !== undefined && !REGION.test(config.agent.region)) {
    throw new ConfigError(`region "${config.agent.region}" must be letters, digits and dashes`);
  }
  // An agent of region "encrata" would take the Encrata work queue's chunks as check jobs.
  if (config.agent.region === 'encrata') throw new ConfigError('region "encrata" is reserved (the Encrata work queue\'s subject)');
  return Object.freeze(config);
}

function encrataConfig(env: Env, dataDir: string): EncrataConfig {
  const base = (name: string, fallback: string) => (url(env, name) ?? fallback).replace(/\/+$/, '');
  const dnsServers = (str(env, 'PHAROS_ENCRATA_DNS_SERVERS') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return {
    workerConcurrency: int(env, 'PHAROS_ENCRATA_WORKER_CONCURRENCY', 4, 1, 256),
    scanIntervalMs: int(env, 'PHAROS_ENCRATA_SCAN_INTERVAL_MS', 5_000, 10, 3_600_000),
    dnsServers,
    timeoutMs: int(env, 'PHAROS_ENCRATA_TIMEOUT_MS', 10_000, 10, 120_000),
    attempts: int(env, 'PHAROS_ENCRATA_ATTEMPTS', 3, 1, 10),
    rdapIp: { baseUrl: base('PHAROS_RDAP_IP_URL', 'https://rdap.arin.net/registry'), minIntervalMs: int(env, 'PHAROS_RDAP_IP_MIN_INTERVAL_MS', 200, 0, 60_000) },
    rdapIpBootstrapFile: path.resolve(str(env, 'PHAROS_RDAP_IP_BOOTSTRAP_FILE') ?? path.join(dataDir, 'rdap-ip.json')),
    ipAsnFile: path.resolve(str(env, 'PHAROS_IP_ASN_FILE') ?? path.join(dataDir, 'ip2asn-combined.tsv.gz')),
    gleif: { baseUrl: base('PHAROS_GLEIF_URL', 'https://api.gleif.org/api/v1'), minIntervalMs: int(env, 'PHAROS_GLEIF_MIN_INTERVAL_MS', 1_000, 0, 60_000) },
    edgar: {
      baseUrl: base('PHAROS_EDGAR_URL', 'https://www.sec.gov'),
      dataUrl: base('PHAROS_EDGAR_DATA_URL', 'https://data.sec.gov'),
      userAgent: str(env, 'PHAROS_EDGAR_USER_AGENT'),
      // EDGAR's fair-access policy: at most 10 requests a second.
      minIntervalMs: int(env, 'PHAROS_EDGAR_MIN_INTERVAL_MS', 100, 0, 60_000),
    },
    hibp: { baseUrl: base('PHAROS_HIBP_URL', 'https://haveibeenpwned.com/api/v3'), apiKey: str(env, 'PHAROS_HIBP_API_KEY'), minIntervalMs: int(env, 'PHAROS_HIBP_MIN_INTERVAL_MS', 6_000, 0, 60_000) },
    leakSites: { baseUrl: base('PHAROS_LEAK_SITES_URL', 'https://api.ransomware.live/v2'), minIntervalMs: int(env, 'PHAROS_LEAK_SITES_MIN_INTERVAL_MS', 1_000, 0, 60_000) },
    gravatar: { baseUrl: base('PHAROS_GRAVATAR_URL', 'https://gravatar.com'), minIntervalMs: int(env, 'PHAROS_GRAVATAR_MIN_INTERVAL_MS', 0, 0, 60_000) },
  };
}
