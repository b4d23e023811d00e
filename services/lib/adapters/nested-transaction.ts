import type { QueryResult, SqlClient } from '../ports/sql-client.js';

export type RunQuery = <R>(text: string, params?: unknown[]) => Promise<QueryResult<R>>;

/**
 * The SqlClient handed to a transaction's callback, on either engine: queries run on the
 * transaction's own connection, and a nested `transaction` becomes a savepoint.
 */
export class NestedTransaction implements SqlClient {
  private done = false;
  private savepoints = 0;

  constructor(private readonly run: RunQuery) {}

  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<R>> {
    if (this.done) return Promise.reject(new Error('transaction already finished'));
    return this.run<R>(text, params);
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    const sp = `sp_${++this.savepoints}`;
    await this.query(`SAVEPOINT ${sp}`);
    try {
      const out = await fn(this);
      await this.query(`RELEASE SAVEPOINT ${sp}`);
      return out;
    } catch (err) {
      await this.query(`ROLLBACK TO SAVEPOINT ${sp}`);
      throw err;
    }
  }

  end(): void {
    this.done = true;
  }

  async close(): Promise<void> {
    throw new Error('close the SqlClient, not a transaction');
  }
}
