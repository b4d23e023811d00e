/**
 * SqlClient over PGlite (Postgres compiled to WASM, in-process) for the embedded
 * network. PGlite is a single session: `search_path` and `TimeZone` are set once at
 * open, transactions are serialised by PGlite's own lock (`transaction`), and nested
 * transactions become savepoints. Types are parsed per ../postgres/type-mapping.ts so
 * domain code sees exactly what it sees on a Postgres server.
 *
 * Caveat: inside `transaction(fn)`, query through `tx`, never the outer client; the
 * outer client waits for the transaction's lock and would deadlock (on `pg` it would
 * silently run outside the transaction instead, which is no better).
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { PGlite, parse as pgliteParse, protocol, type Transaction } from '@electric-sql/pglite';
// node-postgres's own parameter serialisation (by JavaScript type), as a Postgres server gets it.
import pgUtils from 'pg/lib/utils.js';
import * as tar from 'tar';
import type { QueryResult, SqlClient } from '../../ports/sql-client.js';
import { NestedTransaction } from '../nested-transaction.js';
import { OID, assertSchemaName, parseDate, parseInt8, parseTimestampUtc } from '../postgres/type-mapping.js';

export interface PgliteOptions {
  /** Directory of the database (persistent); omitted or `memory: true` = in memory. */
  dataDir?: string;
  memory?: boolean;
  /** Schema for every table (default `public`); created if missing. */
  schema?: string;
  /**
   * A tarball of an empty cluster (pgliteTemplate()) to start a new database from instead of
   * running initdb, ~5× cheaper. Unused for an existing data directory; if it cannot be
   * loaded (made by another PGlite version), the database is initialised as without it.
   */
  template?: string;
}

type Session = Pick<Transaction, 'query' | 'exec'>;

const SHARED_BUFFERS = '16MB';

export async function openPglite(opts: PgliteOptions = {}): Promise<PgliteSqlClient> {
  const schema = opts.schema ?? 'public';
  assertSchemaName(schema);
  const dataDir = opts.memory ? undefined : opts.dataDir;
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const parsers = { [OID.INT8]: parseInt8, [OID.DATE]: parseDate, [OID.TIMESTAMP]: parseTimestampUtc };
  // Postgres's default 128 MB of shared buffers is WASM memory PGlite touches at start, for a
  // control plane of a few MB (54 MB at 10,000 monitors): 32 MB took ~95 MB off the process's
  // RSS and ~1 s off its start, 16 MB another ~18 MiB, with the status path's throughput at
  // 10,000 monitors unchanged; a page outside the pool is a read from the OS's cache
  // (docs/performance.md). Shared memory is sized for max_connections backends plus WAL
  // senders and autovacuum workers (lock tables, process slots), all touched at start; PGlite
  // is one backend with neither, so those are set to what one session needs: ~4 MiB less.
  // PGlite writes these into the cluster's postgresql.conf on every start.
  const postgresqlconf = [
    `shared_buffers = ${SHARED_BUFFERS}`,
    'max_connections = 4',
    'max_wal_senders = 0',
    'autovacuum_worker_slots = 1',
  ].join('\n');
  const isNew = !dataDir || !existsSync(path.join(dataDir, 'PG_VERSION'));
  let db: PGlite | undefined;
  if (isNew && opts.template && existsSync(opts.template) && dataDir) {
    // Unpacked here and opened as an existing cluster: PGlite's own loadDataDir unpacks it
    // inside its WASM memory, which grows by ~90 MB for good (and takes ~1.5 s longer).
    db = await Promise.resolve()
      .then(() => unpackTemplate(opts.template!, dataDir))
      .then(() => PGlite.create({ dataDir, parsers, postgresqlconf }))
      .catch(() => {
        // Not this PGlite's cluster: start over as if there were no template.
        for (const entry of readdirSync(dataDir)) rmSync(path.join(dataDir, entry), { recursive: true, force: true });
        return undefined;
      });
  } else if (isNew && opts.template && existsSync(opts.template)) {
    db = await PGlite.create({ dataDir, parsers, postgresqlconf, loadDataDir: new Blob([readFileSync(opts.template)]) }).catch(() => {
      // Not this PGlite's cluster: start over as if there were no template.
      if (dataDir) for (const entry of readdirSync(dataDir)) rmSync(path.join(dataDir, entry), { recursive: true, force: true });
      return undefined;
    });
  }
  db ??= await PGlite.create({ dataDir, parsers, postgresqlconf });
  try {
    await db.exec(`CREATE SCHEMA IF NOT EXISTS "${schema}"; SET search_path TO "${schema}"; SET TimeZone TO 'UTC';`);
  } catch (err) {
    await db.close();
    throw err;
  }
  return new PgliteSqlClient(db);
}

/**
 * Unpacks the template beside the data directory, then moves it in with PG_VERSION last: a
 * start killed half-way leaves a directory that still reads as new, never a half cluster.
 */
function unpackTemplate(template: string, dataDir: string): void {
  const unpacking = `${dataDir.replace(/[\\/]+$/, '')}.unpacking`;
  rmSync(unpacking, { recursive: true, force: true });
  mkdirSync(unpacking, { recursive: true });
  try {
    tar.x({ file: template, cwd: unpacking, sync: true });
    const entries = readdirSync(unpacking).sort((a, b) => Number(a === 'PG_VERSION') - Number(b === 'PG_VERSION'));
    for (const entry of entries) {
      rmSync(path.join(dataDir, entry), { recursive: true, force: true });
      renameSync(path.join(unpacking, entry), path.join(dataDir, entry));
    }
  } finally {
    rmSync(unpacking, { recursive: true, force: true });
  }
}

/**
 * A statement with parameters in one crossing into Postgres: Parse, Bind, Describe, Execute and
 * Sync sent as one message. PGlite's own `query` sends each of them (and a Describe of the
 * statement, to learn the parameters' types) as a crossing of its own, and that, not the SQL,
 * was most of what a short statement cost (~0.9 ms for `SELECT 1`, docs/performance.md).
 * Parameters are serialised by their JavaScript type exactly as node-postgres serialises them
 * for a Postgres server (`prepareValue`), so a statement means the same on both engines.
 * `inTransaction`: the caller holds PGlite's transaction lock (inside `transaction`); outside
 * one the statement takes it, as PGlite's `query` does, so it never runs inside another
 * caller's transaction.
 */
async function runExtended<R>(db: PGlite, text: string, params: unknown[], inTransaction: boolean): Promise<QueryResult<R>> {
  const values = params.map((v) => (v === null || v === undefined ? null : pgUtils.prepareValue(v)));
  const message = Buffer.concat([
    protocol.serialize.parse({ text, types: [] }),
    protocol.serialize.bind({ values }),
    protocol.serialize.describe({ type: 'P' }),
    protocol.serialize.execute({}),
    protocol.serialize.sync(),
  ]);
  await db._checkReady();
  const exchange = () => db._runExclusiveQuery(() => db.execProtocol(message, { syncToFs: !inTransaction }));
  const { messages } = await (inTransaction ? exchange() : db._runExclusiveTransaction(exchange));
  const res = pgliteParse.parseResults(messages, db.parsers)[0] as unknown as { rows: R[]; affectedRows?: number } | undefined;
  return { rows: res?.rows ?? [], rowCount: count(res) };
}

async function run<R>(db: PGlite, session: Session, text: string, params: unknown[] | undefined, inTransaction: boolean): Promise<QueryResult<R>> {
  // Like pg: no params = simple protocol (several statements allowed, last result
  // returned); params = extended protocol, one statement.
  if (!params || params.length === 0) {
    const all = await session.exec(text);
    const last = all[all.length - 1];
    return { rows: (last?.rows ?? []) as R[], rowCount: count(last) };
  }
  return runExtended<R>(db, text, params, inTransaction);
}

function count(res: { rows: unknown[]; rowCount?: number; affectedRows?: number } | undefined): number {
  if (!res) return 0;
  return res.rowCount ?? res.affectedRows ?? res.rows.length;
}

export class PgliteSqlClient implements SqlClient {
  constructor(private readonly db: PGlite) {}

  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<R>> {
    return run<R>(this.db, this.db, text, params, false);
  }

  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    return this.db.transaction(async (t) => {
      const tx = new NestedTransaction((text, params) => run(this.db, t, text, params, true));
      try {
        return await fn(tx);
      } finally {
        tx.end();
      }
    });
  }

  listen(channel: string, onNotify: () => void): Promise<() => Promise<void>> {
    return this.db.listen(channel, () => onNotify());
  }

  async close(): Promise<void> {
    if (!this.db.closed) await this.db.close();
  }
}

