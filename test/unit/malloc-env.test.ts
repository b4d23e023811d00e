/**
 * `npm start` and the Docker image start Pharos with the malloc settings of bin/malloc-env.js
 * (docs/performance.md "Idle memory"); the benchmarks start it with the same object, so what
 * they measure is what those run.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error plain JavaScript without declarations
import { MALLOC_ENV } from '../../bin/malloc-env.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const settings = Object.entries(MALLOC_ENV as Record<string, string>).map(([k, v]) => `${k}=${v}`);

describe('malloc settings', () => {
  it('are what `npm start` sets before it runs pharos dev', () => {
    const start = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start!;
    expect(start).toBe(`${settings.join(' ')} node bin/pharos.js dev`);
  });

  it('are set in the Docker image', () => {
    const envLines = readFileSync(path.join(ROOT, 'deploy/Dockerfile'), 'utf8').split('\n').filter((l) => l.startsWith('ENV '));
    const set = envLines.flatMap((l) => l.slice(4).trim().split(/\s+/));
    for (const s of settings) expect(set).toContain(s);
  });
});
