import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../services/lib/config.js';

const real = {
  PHAROS_DATABASE_URL: 'postgres://db/pharos', PHAROS_NATS_URL: 'nats://nats:4222', PHAROS_REDIS_URL: 'redis://redis:6379',
};

describe('configuration', () => {
  it('defaults to the embedded network in dev, ignoring service URLs', () => {
    const c = loadConfig('dev', { ...real });
    expect(c).toMatchObject({ regions: ['local'], http: { host: '127.0.0.1', port: 8080 }, grpc: { port: 0 }, intervalLimits: { minSeconds: 5, maxSeconds: 86400 } });
    expect(c.databaseUrl).toBeUndefined();
    expect(c.natsUrl).toBeUndefined();
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('needs the shared services for every distributed role, and a ClickHouse server for a lone api or ingest', () => {
    expect(() => loadConfig('server', {})).toThrow(/PHAROS_DATABASE_URL, PHAROS_NATS_URL, PHAROS_REDIS_URL/);
    expect(loadConfig('server', real).grpc.port).toBe(50051);
    expect(() => loadConfig('api', real)).toThrow(/PHAROS_CLICKHOUSE_URL/);
    expect(() => loadConfig('ingest', real)).toThrow(ConfigError);
    expect(loadConfig('scheduler', real).redisUrl).toBe('redis://redis:6379');
    expect(loadConfig('api', { ...real, PHAROS_CLICKHOUSE_URL: 'http://ch:8123' }).clickhouseUrl).toBe('http://ch:8123');
  });

  it('reads the agents\' presence interval, still accepting its former name', () => {
    expect(loadConfig('agent', {}).agent.presenceIntervalMs).toBe(10_000);
    expect(loadConfig('agent', { PHAROS_PRESENCE_INTERVAL_MS: '2000' }).agent.presenceIntervalMs).toBe(2000);
    expect(loadConfig('agent', { PHAROS_HEARTBEAT_INTERVAL_MS: '3000' }).agent.presenceIntervalMs).toBe(3000);
    expect(loadConfig('agent', { PHAROS_PRESENCE_INTERVAL_MS: '2000', PHAROS_HEARTBEAT_INTERVAL_MS: '3000' }).agent.presenceIntervalMs).toBe(2000);
    expect(() => loadConfig('agent', { PHAROS_HEARTBEAT_INTERVAL_MS: 'often' })).toThrow(/PHAROS_HEARTBEAT_INTERVAL_MS/);
  });

  it('gives the scheduler an id that survives a restart and differs by host, role and data dir', () => {
    const env = { ...real, PHAROS_DATA_DIR: '/var/lib/pharos' };
    expect(loadConfig('server', env).schedulerId).toBe(loadConfig('server', env).schedulerId);
    expect(loadConfig('server', env).schedulerId).toContain(os.hostname());
    expect(loadConfig('server', env).schedulerId).not.toBe(loadConfig('scheduler', env).schedulerId);
    expect(loadConfig('server', env).schedulerId).not.toBe(loadConfig('server', { ...env, PHAROS_DATA_DIR: '/srv/pharos' }).schedulerId);
    expect(loadConfig('server', { ...env, PHAROS_SCHEDULER_ID: 'sched-eu-1' }).schedulerId).toBe('sched-eu-1');
  });

  it('reads the delivery lease, never shorter than the 10 s send timeout allows', () => {
    expect(loadConfig('dev', {}).deliveryLeaseMs).toBe(60_000);
    expect(loadConfig('alerting', { ...real, PHAROS_DELIVERY_LEASE_SECONDS: '15' }).deliveryLeaseMs).toBe(15_000);
    expect(() => loadConfig('dev', { PHAROS_DELIVERY_LEASE_SECONDS: '5' })).toThrow(/PHAROS_DELIVERY_LEASE_SECONDS must be an integer from 15/);
  });

  it('keeps an agent\'s outbox log under the data dir, per region, unless told where', () => {
    expect(loadConfig('agent', { PHAROS_DATA_DIR: '/var/lib/pharos' }, { region: 'EuWest' }).agent.dataDir).toBe('/var/lib/pharos/agent-EuWest');
    expect(loadConfig('agent', { PHAROS_DATA_DIR: '/var/lib/pharos', PHAROS_REGION: 'UsEast' }).agent.dataDir).toBe('/var/lib/pharos/agent-UsEast');
    expect(loadConfig('agent', { PHAROS_DATA_DIR: '/var/lib/pharos', PHAROS_AGENT_DATA_DIR: '/srv/outbox' }, { region: 'EuWest' }).agent.dataDir).toBe('/srv/outbox');
    // A region that could climb out of the data dir is refused before the path is used.
    expect(() => loadConfig('agent', { PHAROS_DATA_DIR: '/var/lib/pharos' }, { region: '../etc' })).toThrow(ConfigError);
  });

  it('reads the operator\'s alert channels, refusing a bad address and never echoing the webhook URL\'s secret', () => {
    expect(loadConfig('server', real).operatorAlerts).toEqual({ webhookUrl: undefined, emails: [] });
    const c = loadConfig('server', { ...real, PHAROS_OPERATOR_WEBHOOK_URL: 'https://ops.example.test/hooks/t0ps3cret', PHAROS_OPERATOR_EMAILS: 'ops@example.test, oncall@example.test,ops@example.test' });
    expect(c.operatorAlerts).toEqual({ webhookUrl: 'https://ops.example.test/hooks/t0ps3cret', emails: ['ops@example.test', 'oncall@example.test'] });
    expect(() => loadConfig('server', { ...real, PHAROS_OPERATOR_EMAILS: 'ops@example.test, Eve <eve@example.test>' })).toThrow(/PHAROS_OPERATOR_EMAILS/);
    let message = '';
    try { loadConfig('server', { ...real, PHAROS_OPERATOR_WEBHOOK_URL: 'ftp://ops.example.test/hooks/t0ps3cret' }); } catch (err) { message = (err as Error).message; }
    expect(message).toMatch(/PHAROS_OPERATOR_WEBHOOK_URL/);
    expect(message).not.toContain('t0ps3cret');
  });

  it('refuses malformed values with the variable named', () => {
    expect(() => loadConfig('dev', { PHAROS_HTTP_PORT: 'eighty' })).toThrow(/PHAROS_HTTP_PORT/);
    expect(() => loadConfig('dev', { PHAROS_REGIONS: 'Us East' })).toThrow(/region "Us East"/);
    expect(() => loadConfig('dev', { PHAROS_MIN_INTERVAL_SECONDS: '60', PHAROS_MAX_INTERVAL_SECONDS: '30' })).toThrow(ConfigError);
    expect(() => loadConfig('agent', {}, { region: 'bad region' })).toThrow(/region/);
  });

  it('allows private targets by default only in the embedded single-tenant dev network', () => {
    expect(loadConfig('dev', {}).allowPrivateTargets).toBe(true);
    expect(loadConfig('server', real).allowPrivateTargets).toBe(false);
    expect(loadConfig('agent', {}).allowPrivateTargets).toBe(false);
    expect(loadConfig('agent', { PHAROS_ALLOW_PRIVATE_TARGETS: 'true' }).allowPrivateTargets).toBe(true);
    expect(loadConfig('dev', { PHAROS_ALLOW_PRIVATE_TARGETS: 'false' }).allowPrivateTargets).toBe(false);
    expect(() => loadConfig('agent', { PHAROS_ALLOW_PRIVATE_TARGETS: 'sometimes' })).toThrow(/PHAROS_ALLOW_PRIVATE_TARGETS/);
  });

  it('parses declared regions, de-duplicated', () => {
    expect(loadConfig('dev', { PHAROS_REGIONS: 'UsEast, EuWest,UsEast' }).regions).toEqual(['UsEast', 'EuWest']);
  });
});

describe('Diligent regions', () => {
  it('PHAROS_DILIGENT_REGIONS lists them; default the process region, else local; bad names refused', () => {
    expect(loadConfig('dev', { PHAROS_DILIGENT_REGIONS: 'EuWest, UsEast,EuWest' }).diligentRegions).toEqual(['EuWest', 'UsEast']);
    expect(loadConfig('dev', { PHAROS_REGION: 'ApSouth' }).diligentRegions).toEqual(['ApSouth']);
    expect(loadConfig('dev', {}).diligentRegions).toEqual(['local']);
    expect(() => loadConfig('dev', { PHAROS_DILIGENT_REGIONS: 'Eu West' })).toThrow(ConfigError);
    expect(() => loadConfig('dev', { PHAROS_DILIGENT_REGIONS: 'diligent' })).toThrow(ConfigError);
  });
});
