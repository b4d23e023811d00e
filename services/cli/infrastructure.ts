import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Config } from '../lib/config.js';
import type { Logger } from '../lib/logger.js';
import type { SqlClient } from '../lib/ports/sql-client.js';
import type { JobBus } from '../lib/ports/job-bus.js';
import type { HotState } from '../lib/ports/hot-state.js';
import type { ResultStore } from '../lib/ports/results-store.js';
import { openPostgres } from '../lib/adapters/postgres/sql-client.js';
import { openPglite } from '../lib/adapters/pglite/sql-client.js';
import { openNatsJobBus } from '../lib/adapters/nats/job-bus.js';
import { MemoryJobBus } from '../lib/adapters/memory/job-bus.js';
import { openRedisHotState } from '../lib/adapters/redis/hot-state.js';
import { MemoryHotState } from '../lib/adapters/memory/hot-state.js';
import { openChdbResultStore, openClickHouseResultStore } from '../lib/results/open.js';
import { migrate } from '../lib/store/migrate.js';

export const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '../lib/store/migrations');

/**
 * Opens each port with the adapter its configuration selects (DESIGN.md §3): the real
 * engine when its URL is set, the embedded one under the data dir otherwise.
 */
export async function openControlPlaneStore(config: Readonly<Config>, logger: Logger): Promise<SqlClient> {
  let sql: SqlClient;
  if (config.databaseUrl) {
    sql = await openPostgres({ url: config.databaseUrl, schema: config.databaseSchema });
  } else {
    mkdirSync(config.dataDir, { recursive: true });
    sql = await openPglite({ dataDir: path.join(config.dataDir, 'pglite'), schema: config.databaseSchema });
  }
  await migrate(sql, { dir: MIGRATIONS_DIR, logger });
  return sql;
}

export async function openJobBus(config: Readonly<Config>, logger: Logger, name: string): Promise<JobBus> {
  if (config.natsUrl) return openNatsJobBus({ url: config.natsUrl, prefix: config.natsPrefix, logger, name });
  return new MemoryJobBus();
}

export async function openHotState(config: Readonly<Config>): Promise<HotState> {
  if (config.redisUrl) return openRedisHotState({ url: config.redisUrl, prefix: config.redisPrefix });
  return new MemoryHotState();
}

export async function openResultStore(config: Readonly<Config>): Promise<ResultStore> {
  const store = config.clickhouseUrl
    ? openClickHouseResultStore(config.clickhouseUrl, config.clickhouseDatabase)
    : (mkdirSync(config.dataDir, { recursive: true }), openChdbResultStore(path.join(config.dataDir, 'clickhouse'), config.clickhouseDatabase));
  await store.migrate();
  return store;
}

