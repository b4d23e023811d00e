/**
 * The setting for e2e tests that run `pharos server` (and agents, alerting processes) on the
 * machine's real Postgres, NATS and Redis: one schema, subject prefix and key prefix of its
 * own, a data dir, a supplied admin key, and `dispose()` that removes all of it (the schema,
 * the prefix's JetStream streams, the data dir).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { deletePrefixStreams } from './nats-streams.js';
import { uniqueName } from './services.js';

export interface ServiceUrls {
  databaseUrl: string;
  natsUrl: string;
  redisUrl: string;
}

export interface ServerNetwork {
  /** The environment of `pharos server` (and of other server roles on the same network). */
  env: Record<string, string>;
  prefix: string;
  adminKey: string;
  dispose(): Promise<void>;
}

export function serverNetwork(urls: ServiceUrls, extra: Record<string, string> = {}): ServerNetwork {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'pharos-server-'));
  const schema = uniqueName('e2e');
  const prefix = uniqueName('e2e');
  const adminKey = `phk_${uniqueName('admin')}_e2e_bootstrap_key`;
  return {
    prefix,
    adminKey,
    env: {
      PHAROS_DATA_DIR: dataDir,
      PHAROS_DATABASE_URL: urls.databaseUrl,
      PHAROS_DATABASE_SCHEMA: schema,
      PHAROS_NATS_URL: urls.natsUrl,
      PHAROS_NATS_PREFIX: prefix,
      PHAROS_REDIS_URL: urls.redisUrl,
      PHAROS_REDIS_PREFIX: `${prefix}:`,
      PHAROS_HTTP_PORT: '0',
      PHAROS_GRPC_PORT: '0',
      PHAROS_BOOTSTRAP_KEY: adminKey,
      ...extra,
    },
    async dispose() {
      const client = new pg.Client({ connectionString: urls.databaseUrl });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
      await deletePrefixStreams(urls.natsUrl, prefix);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
