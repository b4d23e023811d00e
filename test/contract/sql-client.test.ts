import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openPglite } from '../../services/lib/adapters/pglite/sql-client.js';
import { openPostgres } from '../../services/lib/adapters/postgres/sql-client.js';
import type { SqlClient } from '../../services/lib/ports/sql-client.js';
import { realService, uniqueName } from '../support/services.js';
import { sqlClientContract } from './suites/sql-client.js';

/** PGlite is one session per process: a "second client" is the same one, minus close. */
function sameSession(sql: SqlClient): SqlClient {
  return { query: (t, p) => sql.query(t, p), transaction: (fn) => sql.transaction(fn), close: async () => undefined };
}

sqlClientContract('pglite in memory', async () => {
  const sql = await openPglite({ memory: true, schema: uniqueName('s') });
  return { sql, second: async () => sameSession(sql), dispose: () => sql.close() };
});

sqlClientContract('pglite in a data dir', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pharos-pglite-'));
  const sql = await openPglite({ dataDir: path.join(dir, 'db'), schema: 'public' });
  return {
    sql,
    second: async () => sameSession(sql),
    dispose: async () => {
      await sql.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('PGlite data dir', () => {
  it('keeps data across close and reopen', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pharos-pglite-'));
    try {
      const a = await openPglite({ dataDir: dir, schema: 'pharos' });
      await a.query('CREATE TABLE kept (v text)');
      await a.query('INSERT INTO kept VALUES ($1)', ['still here']);
      await a.close();
      const b = await openPglite({ dataDir: dir, schema: 'pharos' });
      expect((await b.query('SELECT v FROM kept')).rows).toEqual([{ v: 'still here' }]);
      await b.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

const databaseUrl = realService('database');
if (databaseUrl) {
  sqlClientContract('postgres', async () => {
    const schema = uniqueName('s');
    const sql = await openPostgres({ url: databaseUrl, schema });
    return {
      sql,
      second: () => openPostgres({ url: databaseUrl, schema }),
      dispose: async () => {
        await sql.close();
        // The suite owns its schema: drop it, never anything else.
        const admin = new pg.Client({ connectionString: databaseUrl });
        await admin.connect();
        try {
          await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        } finally {
          await admin.end();
        }
      },
    };
  });

  describe('Postgres schema handling', () => {
    it('creates the schema and keeps two schemas apart', async () => {
      const s1 = uniqueName('s');
      const s2 = uniqueName('s');
      const a = await openPostgres({ url: databaseUrl, schema: s1 });
      const b = await openPostgres({ url: databaseUrl, schema: s2 });
      try {
        await a.query('CREATE TABLE t (v int)');
        await b.query('CREATE TABLE t (v int)');
        await a.query('INSERT INTO t VALUES (1)');
        expect((await b.query('SELECT count(*) AS c FROM t')).rows).toEqual([{ c: 0 }]);
        expect((await a.query<{ s: string }>('SELECT current_schema() AS s')).rows[0].s).toBe(s1);
      } finally {
        await a.query(`DROP SCHEMA "${s1}" CASCADE`);
        await b.query(`DROP SCHEMA "${s2}" CASCADE`);
        await a.close();
        await b.close();
      }
    });

    it('refuses a schema name that is not a plain identifier', async () => {
      await expect(openPostgres({ url: databaseUrl, schema: 'x"; DROP TABLE y; --' })).rejects.toThrow(/invalid schema/);
    });
  });
}
