#!/usr/bin/env node
// The `pharos` program. It runs the plain JavaScript that `npm install` builds
// (dist/cli/main.mjs, deploy/build.mjs) while that is newer than every source file, and the
// TypeScript sources through tsx otherwise: an edited checkout runs what it holds with no
// build step in between, and an installed one starts without compiling TypeScript.
// PHAROS_RUN_SOURCES=1 always runs the sources.
import { fileURLToPath } from 'node:url';
import { currentBuiltProgram } from './built-program.js';

const built = currentBuiltProgram(fileURLToPath(new URL('..', import.meta.url)));
if (built) {
  await import(built);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../services/cli/main.ts');
}
