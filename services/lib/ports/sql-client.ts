/**
 * Control-plane store connection (DESIGN.md §3). One SQL dialect, PostgreSQL, on two
 * engines: `pg` against a server (`PHAROS_DATABASE_URL`) and PGlite under the data dir
 * (embedded default). Domain stores (MonitorStore, ApiKeyStore, …) are written once over
 * this interface; test/contract/suites/sql-client.ts runs the engine contract on both, and test/contract/control-plane-stores.test.ts the stores.
 */
export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

export interface SqlClient {
  /** Parameterised query ($1, $2, …). */
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<R>>;
  /** Runs fn in one transaction on one connection; rolls back if fn throws. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /**
   * Calls `onNotify` for each notification on `channel` (Postgres LISTEN; delivered when the
   * notifying transaction commits). Only on an engine whose one session is this process's own
   * (PGlite), where every write comes through this client; answers the unlisten. (On a server
   * it would need a connection of its own, kept and re-established: not done.)
   */
  listen?(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
}
