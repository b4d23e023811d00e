import type { QueryResult, SqlClient } from '../../services/lib/ports/sql-client.js';

/**
 * A SqlClient that fails every statement matching `statement`, inside transactions and
 * savepoints too: a crash injected at one step of a use case, to show what it leaves behind.
 */
export function failingOn(sql: SqlClient, statement: RegExp): SqlClient {
  return {
    query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<R>> {
      if (statement.test(text)) return Promise.reject(new Error(`injected failure at: ${text.slice(0, 60)}`));
      return sql.query<R>(text, params);
    },
    transaction: (fn) => sql.transaction((tx) => fn(failingOn(tx, statement))),
    close: () => sql.close(),
  };
}
