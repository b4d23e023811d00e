/**
 * bin/pharos.js runs the built program only while it is current: newer than every file under
 * what it is built from, so an edited checkout never runs stale code.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
// @ts-expect-error plain JavaScript without declarations, loaded before any TypeScript loader
import { BUILT_FROM, BUILT_PROGRAM, currentBuiltProgram } from '../../bin/built-program.js';

let root: string;
const T0 = new Date('2026-01-01T00:00:00Z');
const later = (s: number) => new Date(T0.getTime() + s * 1000);

function file(rel: string, at: Date): void {
  const p = path.join(root, rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, '');
  utimesSync(p, at, at);
}

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'pharos-built-'));
  for (const dir of BUILT_FROM as string[]) if (!dir.includes('.')) mkdirSync(path.join(root, dir), { recursive: true });
  file('services/api/app.ts', T0);
  file('contracts/checks/website.ts', T0);
  file('deploy/build.mjs', T0);
  // Directories take the time of their last entry change; set them back as a checkout would be.
  for (const dir of ['services/api', 'services', 'contracts/checks', 'contracts', 'probe-agent', 'proto/generated', 'proto', 'deploy']) utimesSync(path.join(root, dir), T0, T0);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('the built program', () => {
  it('runs when it is newer than every source', () => {
    file(BUILT_PROGRAM, later(10));
    expect(currentBuiltProgram(root, {})).toBe(path.join(root, BUILT_PROGRAM));
  });

  it('is passed over for the sources when missing, older than an edited file, older than a new file, or when asked to', () => {
    expect(currentBuiltProgram(root, {})).toBeUndefined();
    file(BUILT_PROGRAM, later(10));
    expect(currentBuiltProgram(root, { PHAROS_RUN_SOURCES: '1' })).toBeUndefined();
    file('services/api/app.ts', later(20));
    expect(currentBuiltProgram(root, {})).toBeUndefined();
    file(BUILT_PROGRAM, later(30));
    expect(currentBuiltProgram(root, {})).toBe(path.join(root, BUILT_PROGRAM));
    file('probe-agent/checks/new-check.ts', later(40));
    expect(currentBuiltProgram(root, {})).toBeUndefined();
    file(BUILT_PROGRAM, later(50));
    file('deploy/build.mjs', later(60));
    expect(currentBuiltProgram(root, {})).toBeUndefined();
  });
});
