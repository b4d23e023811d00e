// Loaded with `node --import` ahead of a pharos command: records every module the process
// loads into the file named by PHAROS_MODULE_LOG, so a test can assert on the real module
// closure of a command (what it resolved and required, static and dynamic alike).
import { register, createRequire } from 'node:module';
import { appendFileSync } from 'node:fs';

const file = process.env.PHAROS_MODULE_LOG;
if (!file) throw new Error('record.mjs needs PHAROS_MODULE_LOG');

// ESM resolution (every import, static or dynamic, including CommonJS packages imported from ESM).
register('./hooks.mjs', import.meta.url, { data: { file } });

// CommonJS packages require() their own files outside the ESM hooks; the require cache has them.
process.on('exit', () => {
  const cache = createRequire(import.meta.url).cache;
  appendFileSync(file, Object.keys(cache).map((p) => `cjs ${p}\n`).join(''));
});
