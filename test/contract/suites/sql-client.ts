/**
 * SqlClient contract (services/lib/ports/sql-client.ts) and the migration runner, run
 * against PGlite and Postgres. The type-mapping test pins the table in
 * services/lib/adapters/postgres/type-mapping.ts: both engines must return the same JS
 * values for the same SQL, by the extended (params) and simple (no params) protocol.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SqlClient } from '../../../services/lib/ports/sql-client.js';
import { migrate } from '../../../services/lib/store/migrate.js';

export interface SqlClientFixture {
  sql: SqlClient;
  /** Another client on the same database and schema (another process, as far as possible). */
  second(): Promise<SqlClient>;
  dispose(): Promise<void>;
}

export function sqlClientContract(name: string, open: () => Promise<SqlClientFixture>): void {
  describe(`SqlClient contract: ${name}`, () => {
    let f: SqlClientFixture;
    let sql: SqlClient;

    // One client per suite (PGlite takes seconds to start); each test starts from the
    // suite's own tables dropped and recreated.
    beforeAll(async () => {
      f = await open();
      sql = f.sql;
    });
    afterAll(async () => {
      await f?.dispose();
    });
    beforeEach(async () => {
      await sql.query(`DROP TABLE IF EXISTS items, vals, m_things, m_half, m_after, schema_migrations;
        CREATE TABLE items (id text PRIMARY KEY, n integer NOT NULL)`);
    });

    it('runs parameterised queries and reports row counts', async () => {
      const ins = await sql.query('INSERT INTO items (id, n) VALUES ($1, $2), ($3, $4)', ['a', 1, 'b', 2]);
      expect(ins.rowCount).toBe(2);
      const sel = await sql.query<{ id: string; n: number }>('SELECT id, n FROM items WHERE n >= $1 ORDER BY id', [1]);
      expect(sel.rows).toEqual([{ id: 'a', n: 1 }, { id: 'b', n: 2 }]);
      expect(sel.rowCount).toBe(2);
      expect((await sql.query('UPDATE items SET n = n + 1 WHERE id = $1', ['a'])).rowCount).toBe(1);
      expect((await sql.query('DELETE FROM items WHERE id = $1', ['zzz'])).rowCount).toBe(0);
      const ret = await sql.query<{ n: number }>('UPDATE items SET n = 10 WHERE id = $1 RETURNING n', ['b']);
      expect(ret.rows).toEqual([{ n: 10 }]);
    });

    it('runs several statements without params and returns the last result', async () => {
      const res = await sql.query("INSERT INTO items VALUES ('x', 1); INSERT INTO items VALUES ('y', 2); SELECT count(*) AS c FROM items");
      expect(res.rows).toEqual([{ c: 2 }]);
    });

    it('runs in the configured schema', async () => {
      const res = await sql.query<{ schema: string }>(
        "SELECT table_schema AS schema FROM information_schema.tables WHERE table_name = 'items' AND table_schema = current_schema()",
      );
      expect(res.rows).toHaveLength(1);
    });

    it('reports SQLSTATE codes, e.g. 23505 on a unique violation', async () => {
      await sql.query("INSERT INTO items VALUES ('dup', 1)");
      await expect(sql.query("INSERT INTO items VALUES ($1, 2)", ['dup'])).rejects.toMatchObject({ code: '23505' });
      await expect(sql.query('SELEKT 1')).rejects.toMatchObject({ code: '42601' });
    });

    it('commits a transaction and returns its value', async () => {
      const out = await sql.transaction(async (tx) => {
        await tx.query("INSERT INTO items VALUES ('t1', 1)");
        await tx.query('INSERT INTO items VALUES ($1, $2)', ['t2', 2]);
        return (await tx.query<{ c: number }>('SELECT count(*)::int AS c FROM items')).rows[0].c;
      });
      expect(out).toBe(2);
      expect((await sql.query('SELECT id FROM items ORDER BY id')).rows).toEqual([{ id: 't1' }, { id: 't2' }]);
    });

    it('rolls a transaction back when fn throws and rethrows the error', async () => {
      const boom = new Error('boom');
      await expect(
        sql.transaction(async (tx) => {
          await tx.query("INSERT INTO items VALUES ('r1', 1)");
          throw boom;
        }),
      ).rejects.toBe(boom);
      await expect(sql.transaction((tx) => tx.query("INSERT INTO items VALUES ('r2', 1); SELEKT"))).rejects.toThrow();
      expect((await sql.query('SELECT id FROM items')).rows).toEqual([]);
      // The client is still usable after rollbacks.
      await sql.transaction((tx) => tx.query("INSERT INTO items VALUES ('ok', 1)"));
      expect((await sql.query('SELECT id FROM items')).rows).toEqual([{ id: 'ok' }]);
    });

    it('rolls a nested transaction back to its savepoint only', async () => {
      await sql.transaction(async (tx) => {
        await tx.query("INSERT INTO items VALUES ('outer', 1)");
        await expect(
          tx.transaction(async (inner) => {
            await inner.query("INSERT INTO items VALUES ('inner', 1)");
            throw new Error('inner fails');
          }),
        ).rejects.toThrow('inner fails');
        await tx.transaction((inner) => inner.query("INSERT INTO items VALUES ('inner2', 1)"));
      });
      expect((await sql.query('SELECT id FROM items ORDER BY id')).rows).toEqual([{ id: 'inner2' }, { id: 'outer' }]);
    });

    it('keeps concurrent transactions from seeing each other before commit', async () => {
      await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          sql.transaction(async (tx) => {
            await tx.query('INSERT INTO items VALUES ($1, $2)', [`c${i}`, i]);
            const mine = await tx.query<{ id: string }>('SELECT id FROM items WHERE id = $1', [`c${i}`]);
            expect(mine.rows).toEqual([{ id: `c${i}` }]);
          }),
        ),
      );
      expect((await sql.query<{ c: number }>('SELECT count(*) AS c FROM items')).rows[0].c).toBe(5);
    });

    const TYPES_SQL = `SELECT
      2::int2 AS i2, 4::int4 AS i4, 9007199254740991::int8 AS i8, (SELECT count(*) FROM items) AS cnt,
      12.50::numeric(10,2) AS num, 1.5::float8 AS f8, true AS b, 'x'::text AS t,
      '2024-02-29T12:34:56.789Z'::timestamptz AS tstz, '2024-02-29 12:34:56.789'::timestamp AS ts,
      '2024-02-29'::date AS d, '{"a":[1,"2"]}'::jsonb AS jb, '{"k":null}'::json AS j,
      ARRAY['a','b']::text[] AS ta, ARRAY[1,2]::int4[] AS ia, '\\x00ff'::bytea AS by,
      NULL::text AS nul`;

    const EXPECTED = {
      i2: 2,
      i4: 4,
      i8: 9007199254740991,
      cnt: 0,
      num: '12.50',
      f8: 1.5,
      b: true,
      t: 'x',
      tstz: new Date('2024-02-29T12:34:56.789Z'),
      ts: new Date('2024-02-29T12:34:56.789Z'),
      d: '2024-02-29',
      jb: { a: [1, '2'] },
      j: { k: null },
      ta: ['a', 'b'],
      ia: [1, 2],
      nul: null,
    };

    it('maps Postgres types to the same JS values on every engine and protocol', async () => {
      for (const res of [await sql.query(TYPES_SQL), await sql.query(`${TYPES_SQL} WHERE $1::int = 1`, [1])]) {
        const { by, ...row } = res.rows[0] as Record<string, unknown>;
        expect(row).toEqual(EXPECTED);
        expect(by).toBeInstanceOf(Uint8Array);
        expect(Array.from(by as Uint8Array)).toEqual([0, 255]);
      }
    });

    it('refuses a bigint a JS number cannot hold exactly', async () => {
      await expect(sql.query('SELECT 9007199254740993::int8 AS big')).rejects.toThrow(RangeError);
    });

    it('round-trips JS values as parameters', async () => {
      await sql.query('CREATE TABLE vals (at timestamptz, doc jsonb, tags text[], big bigint, raw bytea)');
      const at = new Date('2025-01-02T03:04:05.678Z');
      await sql.query('INSERT INTO vals VALUES ($1, $2, $3, $4, $5)', [at, JSON.stringify({ z: 1 }), ['p', 'q'], 42, new Uint8Array([1, 2])]);
      const row = (await sql.query('SELECT at, doc, tags, big, raw FROM vals')).rows[0] as Record<string, unknown>;
      expect(row.at).toEqual(at);
      expect(row.doc).toEqual({ z: 1 });
      expect(row.tags).toEqual(['p', 'q']);
      expect(row.big).toBe(42);
      expect(Array.from(row.raw as Uint8Array)).toEqual([1, 2]);
      const since = await sql.query('SELECT count(*) AS c FROM vals WHERE at >= $1', [new Date(at.getTime() - 1)]);
      expect(since.rows[0]).toEqual({ c: 1 });
    });

    describe('migrate', () => {
      let dir: string;
      beforeEach(async () => {
        dir = await mkdtemp(path.join(os.tmpdir(), 'pharos-mig-'));
        await writeFile(path.join(dir, '001_create.sql'), 'CREATE TABLE m_things (id int PRIMARY KEY);\nINSERT INTO m_things VALUES (1);');
        await writeFile(path.join(dir, '002_more.sql'), 'ALTER TABLE m_things ADD COLUMN label text;\nINSERT INTO m_things VALUES (2, $$two$$);');
      });
      afterEach(async () => {
        await rm(dir, { recursive: true, force: true });
      });

      it('applies pending migrations in order, once', async () => {
        await writeFile(path.join(dir, '010_later.sql'), 'INSERT INTO m_things VALUES (10, $$ten$$);');
        expect(await migrate(sql, { dir })).toEqual([1, 2, 10]);
        expect(await migrate(sql, { dir })).toEqual([]);
        await writeFile(path.join(dir, '011_new.sql'), 'INSERT INTO m_things VALUES (11, $$eleven$$);');
        expect(await migrate(sql, { dir })).toEqual([11]);
        expect((await sql.query('SELECT id FROM m_things ORDER BY id')).rows.map((r) => r.id)).toEqual([1, 2, 10, 11]);
        const recorded = await sql.query('SELECT version, name FROM schema_migrations ORDER BY version');
        expect(recorded.rows).toEqual([
          { version: 1, name: 'create' },
          { version: 2, name: 'more' },
          { version: 10, name: 'later' },
          { version: 11, name: 'new' },
        ]);
      });

      it('rolls a failing migration back whole and stops there', async () => {
        await writeFile(path.join(dir, '003_bad.sql'), 'CREATE TABLE m_half (id int);\nINSERT INTO nowhere VALUES (1);');
        await writeFile(path.join(dir, '004_after.sql'), 'CREATE TABLE m_after (id int);');
        await expect(migrate(sql, { dir })).rejects.toMatchObject({ name: 'MigrationError', message: expect.stringContaining('003_bad.sql') });
        const tables = await sql.query<{ table_name: string }>(
          "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name LIKE 'm\\_%' ORDER BY 1",
        );
        expect(tables.rows.map((r) => r.table_name)).toEqual(['m_things']);
        expect((await sql.query('SELECT version FROM schema_migrations ORDER BY 1')).rows.map((r) => r.version)).toEqual([1, 2]);
      });

      it('runs each migration once when two clients migrate at the same time', async () => {
        const other = await f.second();
        try {
          const [a, b] = await Promise.all([migrate(sql, { dir }), migrate(other, { dir })]);
          expect([...a, ...b].sort()).toEqual([1, 2]);
          expect((await sql.query('SELECT id FROM m_things ORDER BY id')).rows.map((r) => r.id)).toEqual([1, 2]);
        } finally {
          await other.close();
        }
      });

      it('rejects badly named or clashing migration files', async () => {
        await writeFile(path.join(dir, '002_clash.sql'), 'SELECT 1;');
        await expect(migrate(sql, { dir })).rejects.toThrow(/share version 2/);
        await rm(path.join(dir, '002_clash.sql'));
        await writeFile(path.join(dir, 'notes.sql'), 'SELECT 1;');
        await expect(migrate(sql, { dir })).rejects.toThrow(/NNN_name\.sql/);
      });
    });
  });
}
