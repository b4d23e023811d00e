/**
 * SqlClient over a PostgreSQL server (`pg`). Every pooled connection starts with
 * search_path = the configured schema and TimeZone = UTC (startup options, so no
 * connection can ever run a query before they apply), and parses types per
 * type-mapping.ts.
 */
import pg from 'pg';
import type { QueryResult, SqlClient } from '../../ports/sql-client.js';
import { NestedTransaction } from '../nested-transaction.js';
import type { Logger } from '../../logger.js';
import { OID, assertSchemaName, parseDate, parseInt8, parseTimestampUtc } from './type-mapping.js';

export interface PostgresOptions {
  url: string;
  /** Schema for every table; created if missing (tests isolate by schema). */
  schema: string;
  /** Pool size (default 10). */
  max?: number;
  logger?: Pick<Logger, 'warn'>;
}

const parsers: Record<number, (text: string) => unknown> = {
  [OID.INT8]: parseInt8,
  [OID.DATE]: parseDate,
  [OID.TIMESTAMP]: parseTimestampUtc,
};

const typeConfig = {
  getTypeParser: ((oid: number, format?: string) =>
    parsers[oid] ?? pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

export async function openPostgres(opts: PostgresOptions): Promise<PostgresSqlClient> {
  assertSchemaName(opts.schema);
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.max ?? 10,
    options: `-c search_path=${opts.schema} -c TimeZone=UTC`,
    types: typeConfig,
  });
  // An idle client losing its connection emits on the pool; unhandled, it kills the process.
  pool.on('error', (err) => opts.logger?.warn({ err }, 'idle postgres connection failed'));
  try {
    await createSchema(pool, opts.schema);
  } catch (err) {
    await pool.end();
    throw err;
  }
  return new PostgresSqlClient(pool);
}

async function createSchema(pool: pg.Pool, schema: string): Promise<void> {
  try {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  } catch (err) {
    // Two processes creating the same schema at once: the loser sees a unique violation.
    if ((err as { code?: string }).code !== '23505') throw err;
  }
}

type Queryable = Pick<pg.PoolClient, 'query'>;

async function run<R>(db: Queryable, text: string, params?: unknown[]): Promise<QueryResult<R>> {
  const res = (await db.query(text, params)) as pg.QueryResult | pg.QueryResult[];
  // Without params pg uses the simple protocol, which allows several statements and
  // returns one result each; the last one is the answer (as on PGlite's exec).
  const last = Array.isArray(res) ? res[res.length - 1] : res;
  return { rows: (last?.rows ?? []) as R[], rowCount: last?.rowCount ?? 0 };
}

export class PostgresSqlClient implements SqlClient {
  constructor(private readonly pool: pg.Pool) {}

  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<R>> {
    return run<R>(this.pool, text, params);
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const tx = new NestedTransaction((text, params) => run(client, text, params));
      try {
        const out = await fn(tx);
        await client.query('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch((e: Error) => (broken = e));
        throw err;
      } finally {
        tx.end();
      }
    } finally {
      // A client whose ROLLBACK failed is in an unknown state: destroy it, don't reuse it.
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** One connection inside BEGIN; nested transactions become savepoints. */
