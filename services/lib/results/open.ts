/**
 * Opening the results store on either engine (DESIGN.md §3): chDB under the data dir when
 * no ClickHouse URL is configured, the server otherwise. Callers run migrate() themselves.
 */
import type { ResultStore } from '../ports/results-store.js';
import { ChdbExecutor } from '../adapters/chdb/executor.js';
import { ClickHouseServerExecutor } from '../adapters/clickhouse/executor.js';
import { ClickHouseResultStore } from './store.js';

/** Only one chDB session per process and directory: open this once and pass it down. */
export function openChdbResultStore(dir: string, database: string): ResultStore {
  return new ClickHouseResultStore(ChdbExecutor.open(dir), database);
}

export interface ClickHouseServerOptions {
  /** PHAROS_CLICKHOUSE_CLUSTER: replicated tables, Distributed tables over them, migrations ON CLUSTER. */
  cluster?: string;
  /** PHAROS_CLICKHOUSE_ASYNC_INSERT: the server batches inserts; each still returns only once its rows are written. */
  asyncInsert?: boolean;
}

export function openClickHouseResultStore(url: string, database: string, opts: ClickHouseServerOptions = {}): ResultStore {
  return new ClickHouseResultStore(ClickHouseServerExecutor.open({ url, cluster: opts.cluster !== undefined, asyncInsert: opts.asyncInsert }), database, opts.cluster);
}
