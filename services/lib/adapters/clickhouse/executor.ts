/**
 * ClickHouseExecutor on a ClickHouse server through @clickhouse/client (PHAROS_CLICKHOUSE_URL).
 * The same SQL as the chDB executor; the client keeps its own connection pool, so calls
 * are not serialised here.
 */
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import type { ClickHouseExecutor } from '../../ports/results-store.js';

export interface ClickHouseExecutorOptions {
  /** e.g. http://user:password@clickhouse:8123 */
  url: string;
  requestTimeoutMs?: number;
  /** Inserts go through Distributed tables: wait until the shards have the rows, not just this server. */
  cluster?: boolean;
  /**
   * Server-side batching of inserts (async_insert) from many ingest processes into fewer
   * parts. wait_for_async_insert keeps the ack semantics: an insert returns once its rows
   * are flushed to the table.
   */
  asyncInsert?: boolean;
}

export class ClickHouseServerExecutor implements ClickHouseExecutor {
  private constructor(private readonly client: ClickHouseClient) {}

  static open(opts: ClickHouseExecutorOptions): ClickHouseServerExecutor {
    // No default database: every statement names its database, so migrate() can create it.
    const client = createClient({
      url: opts.url,
      request_timeout: opts.requestTimeoutMs ?? 30_000,
      // Stats and acks wait on the insert being durable: an async insert waits for its flush.
      clickhouse_settings: {
        wait_end_of_query: 1,
        ...(opts.asyncInsert ? { async_insert: 1, wait_for_async_insert: 1 } : { async_insert: 0 }),
        ...(opts.cluster ? { insert_distributed_sync: 1 } : {}),
      },
    });
    return new ClickHouseServerExecutor(client);
  }

  async command(sql: string, params?: Record<string, unknown>): Promise<void> {
    await this.client.command({ query: sql, query_params: params });
  }

  async query<R = Record<string, unknown>>(sql: string, params?: Record<string, unknown>): Promise<R[]> {
    const rs = await this.client.query({ query: sql, query_params: params, format: 'JSONEachRow' });
    return rs.json<R>();
  }

  async insertCompact(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void> {
    if (rows.length === 0) return;
    await this.client.insert({ table, columns: [...columns] as [string, ...string[]], values: rows as unknown[][], format: 'JSONCompactEachRow' });
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
