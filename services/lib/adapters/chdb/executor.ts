/**
 * ClickHouseExecutor on chDB: the ClickHouse engine in-process, under a data directory
 * (embedded default, DESIGN.md §3). Only one session may be open per process and per
 * directory, so whoever opens it owns it and passes the executor down.
 */
import { Session } from 'chdb';
import type { ClickHouseExecutor } from '../../ports/results-store.js';

const INSERT_SETTINGS = { optimize_on_insert: 0 };

/**
 * The engine's memory worker (which reads the process's memory use to correct ClickHouse's
 * memory tracker) wakes every 1 s instead of its default 100 ms: waking ten times a second
 * cost an idle `pharos dev` ~3 CPU-ms a second (docs/performance.md), and an embedded engine
 * under one process's memory needs no finer tracking.
 */
const SESSION_ARGS = ['--memory_worker_period_ms=1000'];

export class ChdbExecutor implements ClickHouseExecutor {
  /**
   * One statement at a time: a chDB session is one native connection, and queuing here
   * keeps an insert from interleaving with a DDL statement of migrate().
   */
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Only one process can open a data dir: nothing else writes to it. */
  readonly exclusive = true;

  private constructor(private readonly session: Session) {}

  static open(dir: string): ChdbExecutor {
    return new ChdbExecutor(new Session(dir, { connectionArgs: SESSION_ARGS }));
  }

  async command(sql: string, params?: Record<string, unknown>): Promise<void> {
    await this.serial(() => this.session.queryBindAsync(sql, params ?? {}, { format: 'JSONEachRow' }));
  }

  async query<R = Record<string, unknown>>(sql: string, params?: Record<string, unknown>): Promise<R[]> {
    const result = await this.serial(() => this.session.queryBindAsync(sql, params ?? {}, { format: 'JSONEachRow' }));
    return parseJsonEachRow<R>(result.text());
  }

  async insertCompact(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void> {
    if (rows.length === 0) return;
    // A Buffer goes to the engine's own parser without building rows on the JS side again.
    const payload = Buffer.from(rows.map((r) => JSON.stringify(r)).join('\n'));
    // optimize_on_insert=0: no ReplacingMergeTree collapse inside the inserted block. Ingest
    // sends each id once per insert, so the pass found nothing and cost ~20% of the insert.
    await this.serial(() => this.session.insert({ table, columns: [...columns], values: payload, format: 'JSONCompactEachRow', settings: INSERT_SETTINGS }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.tail.catch(() => undefined);
    this.session.close();
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('chDB executor is closed'));
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }
}

export function parseJsonEachRow<R>(text: string): R[] {
  const rows: R[] = [];
  for (const line of text.split('\n')) if (line.length > 0) rows.push(JSON.parse(line) as R);
  return rows;
}
