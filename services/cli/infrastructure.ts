import path from 'node:path';
import { mkdirSync } from 'node:fs';
import type { Config } from '../lib/config.js';
import type { Logger } from '../lib/logger.js';
import type { SqlClient } from '../lib/ports/sql-client.js';
import type { JobBus } from '../lib/ports/job-bus.js';
import type { HotState } from '../lib/ports/hot-state.js';
import type { ResultStore } from '../lib/ports/results-store.js';
import { migrate } from '../lib/store/migrate.js';
import { MIGRATIONS_DIR } from '../lib/store/migrations-dir.js';

export { MIGRATIONS_DIR };

/**
 * Opens each port with the adapter its configuration selects (DESIGN.md §3): the real
 * engine when its URL is set, the embedded one under the data dir otherwise. Adapters are
 * imported only when chosen, so a process loads the drivers of the engines it uses and no others.
 */
export async function openControlPlaneStore(config: Readonly<Config>, logger: Logger): Promise<SqlClient> {
  let sql: SqlClient;
  if (config.databaseUrl) {
    const { openPostgres } = await import('../lib/adapters/postgres/sql-client.js');
    sql = await openPostgres({ url: config.databaseUrl, schema: config.databaseSchema });
  } else {
    mkdirSync(config.dataDir, { recursive: true });
    const { openPglite } = await import('../lib/adapters/pglite/sql-client.js');
    const { pgliteTemplate } = await import('../lib/adapters/pglite/template.js');
    sql = await openPglite({ dataDir: path.join(config.dataDir, 'pglite'), schema: config.databaseSchema, template: pgliteTemplate() });
  }
  await migrate(sql, { dir: MIGRATIONS_DIR, logger });
  return sql;
}

/** The two stores a server process opens at start: the control plane, and results where a role reads or writes them. */
export interface OpenedStores { sql: SqlClient; results?: ResultStore }

/**
 * Opens both stores side by side: on embedded engines PGlite compiles its WASM on V8's
 * background threads while chDB's session opens (a synchronous native call) on this one.
 * If one fails, the other is closed before the error is thrown.
 */
export async function openStores(config: Readonly<Config>, logger: Logger, withResults: boolean): Promise<OpenedStores> {
  const [sql, results] = await Promise.allSettled([
    openControlPlaneStore(config, logger),
    withResults ? openResultStore(config) : Promise.resolve(undefined),
  ]);
  if (sql.status === 'fulfilled' && results.status === 'fulfilled') return { sql: sql.value, results: results.value };
  await closeStores({ sql: sql.status === 'fulfilled' ? sql.value : undefined, results: results.status === 'fulfilled' ? results.value : undefined });
  throw sql.status === 'rejected' ? sql.reason : (results as PromiseRejectedResult).reason;
}

/** Closes whichever stores are open; a failure to close one does not keep the other open. */
export async function closeStores(stores: Partial<OpenedStores>): Promise<void> {
  await Promise.allSettled([stores.sql?.close(), stores.results?.close()]);
}

/** Whether a process running these roles needs the result store (the api reads it, ingest writes it). */
export const rolesNeedResults = (roles: ReadonlySet<string>) => roles.has('api') || roles.has('ingest');

export async function openJobBus(config: Readonly<Config>, logger: Logger, name: string): Promise<JobBus> {
  if (config.natsUrl) {
    const { openNatsJobBus } = await import('../lib/adapters/nats/job-bus.js');
    return openNatsJobBus({ url: config.natsUrl, prefix: config.natsPrefix, logger, name });
  }
  const { MemoryJobBus } = await import('../lib/adapters/memory/job-bus.js');
  return new MemoryJobBus();
}

export async function openHotState(config: Readonly<Config>): Promise<HotState> {
  if (config.redisUrl) {
    const { openRedisHotState } = await import('../lib/adapters/redis/hot-state.js');
    return openRedisHotState({ url: config.redisUrl, prefix: config.redisPrefix });
  }
  const { MemoryHotState } = await import('../lib/adapters/memory/hot-state.js');
  return new MemoryHotState();
}

export async function openResultStore(config: Readonly<Config>): Promise<ResultStore> {
  const { openChdbResultStore, openClickHouseResultStore } = await import('../lib/results/open.js');
  const store = config.clickhouseUrl
    ? openClickHouseResultStore(config.clickhouseUrl, config.clickhouseDatabase, { cluster: config.clickhouseCluster, asyncInsert: config.clickhouseAsyncInsert })
    : (mkdirSync(config.dataDir, { recursive: true }), openChdbResultStore(path.join(config.dataDir, 'clickhouse'), config.clickhouseDatabase));
  await store.migrate();
  return store;
}

