/**
 * `pharos dev` starts a new embedded control plane from the empty cluster the build makes
 * (dist/pglite-template.tar.gz) instead of running initdb; an existing data directory is
 * opened as it is, and a template PGlite cannot load is passed over for initdb. Either way
 * the cluster runs with 32 MB of shared buffers, not Postgres's 128 MB of WASM memory.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { openPglite } from '../../services/lib/adapters/pglite/sql-client.js';
import { pgliteTemplate } from '../../services/lib/adapters/pglite/template.js';

const dir = mkdtempSync(path.join(tmpdir(), 'pharos-pglite-template-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the PGlite template', () => {
  it('is built with the program and found from the sources', () => {
    expect(pgliteTemplate()).toBe(path.resolve('dist/pglite-template.tar.gz'));
  });

  it('starts a new data directory, which then opens as an existing one with its data', async () => {
    // A template that is not empty, so the test can tell it was used (made from the shipped
    // one: running initdb here would cost what the template saves).
    const source = await PGlite.create({ loadDataDir: new Blob([readFileSync(pgliteTemplate()!)]) });
    await source.exec(`CREATE TABLE from_template (n int); INSERT INTO from_template VALUES (42);`);
    const template = path.join(dir, 'marked.tar.gz');
    writeFileSync(template, Buffer.from(await (await source.dumpDataDir('gzip')).arrayBuffer()));
    await source.close();

    const dataDir = path.join(dir, 'new');
    const sql = await openPglite({ dataDir, template, schema: 'pharos' });
    expect((await sql.query<{ n: number }>(`SELECT n FROM public.from_template`)).rows).toEqual([{ n: 42 }]);
    await sql.query(`CREATE TABLE mine (v text); INSERT INTO mine VALUES ('kept')`);
    await sql.close();

    // Existing: the template is not loaded over it.
    const again = await openPglite({ dataDir, template: pgliteTemplate(), schema: 'pharos' });
    expect((await again.query<{ v: string }>(`SELECT v FROM mine`)).rows).toEqual([{ v: 'kept' }]);
    // The embedded cluster's shared buffers, whatever the template held (docs/performance.md).
    expect((await again.query<{ shared_buffers: string }>(`SHOW shared_buffers`)).rows).toEqual([{ shared_buffers: '16MB' }]);
    await again.close();
  });

  it('is passed over for initdb when PGlite cannot load it', async () => {
    const bogus = path.join(dir, 'bogus.tar.gz');
    writeFileSync(bogus, 'not a cluster');
    const sql = await openPglite({ dataDir: path.join(dir, 'bogus'), template: bogus });
    expect((await sql.query<{ one: number }>(`SELECT 1 AS one`)).rows).toEqual([{ one: 1 }]);
    await sql.close();
  });
});
