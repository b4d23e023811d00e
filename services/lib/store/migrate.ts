/**
 * Schema migrations for the control-plane store, on PGlite and Postgres alike.
 *
 * Files `NNN_name.sql` in `dir` run in version order, each in its own transaction and
 * recorded in `schema_migrations`. Every step takes a transaction-scoped advisory lock
 * keyed by the current schema first, so processes starting together (api, scheduler,
 * ingest on one database) queue up and each migration runs once; a step that finds
 * its version already recorded does nothing. A failed migration rolls back whole.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SqlClient } from '../ports/sql-client.js';
import type { Logger } from '../logger.js';

export interface MigrateOptions {
  dir: string;
  logger?: Pick<Logger, 'info' | 'warn'>;
}

export interface Migration {
  version: number;
  name: string;
  file: string;
}

export class MigrationError extends Error {
  constructor(message: string, opts?: ErrorOptions) {
    super(message, opts);
    this.name = 'MigrationError';
  }
}

const FILE = /^(\d+)_([A-Za-z0-9_-]+)\.sql$/;

export async function listMigrations(dir: string): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const out: Migration[] = [];
  const byVersion = new Map<number, string>();
  for (const file of files) {
    const m = FILE.exec(file);
    if (!m) throw new MigrationError(`migration file "${file}" is not named NNN_name.sql`);
    const version = Number(m[1]);
    const clash = byVersion.get(version);
    if (clash) throw new MigrationError(`migrations "${clash}" and "${file}" share version ${version}`);
    byVersion.set(version, file);
    out.push({ version, name: m[2], file: path.join(dir, file) });
  }
  return out.sort((a, b) => a.version - b.version);
}

/** Applies pending migrations; returns the versions this call applied. */
export async function migrate(sql: SqlClient, opts: MigrateOptions): Promise<number[]> {
  const applied: number[] = [];
  for (const m of await listMigrations(opts.dir)) {
    const text = await readFile(m.file, 'utf8');
    const checksum = createHash('sha256').update(text).digest('hex');
    const ran = await sql.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('pharos.migrate.' || current_schema()))`);
      // Under the lock, so concurrent first starts cannot race on creating it.
      await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version     integer PRIMARY KEY,
        name        text NOT NULL,
        checksum    text NOT NULL,
        applied_at  timestamptz NOT NULL DEFAULT now()
      )`);
      const done = await tx.query<{ checksum: string }>('SELECT checksum FROM schema_migrations WHERE version = $1', [m.version]);
      if (done.rows.length) {
        if (done.rows[0].checksum !== checksum) {
          // Not fatal: a comment edit is harmless, but a changed statement never re-runs.
          opts.logger?.warn({ version: m.version, name: m.name }, 'applied migration file has changed since it ran');
        }
        return false;
      }
      try {
        await tx.query(text);
      } catch (err) {
        throw new MigrationError(`migration ${path.basename(m.file)} failed: ${(err as Error).message}`, { cause: err });
      }
      await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [m.version, m.name, checksum]);
      return true;
    });
    if (ran) {
      applied.push(m.version);
      opts.logger?.info({ version: m.version, name: m.name }, 'migration applied');
    }
  }
  return applied;
}
