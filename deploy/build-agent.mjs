// Bundles the probe agent into one plain-JavaScript file, dist/pharos-agent.mjs, so agents
// run without a TypeScript loader (tsx's loader thread alone costs ~27 MiB). Packages stay
// external: they load from node_modules as usual. Run by `npm run build:agent` (in `prepare`).
import { copyFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}dist`;
await mkdir(outdir, { recursive: true });
await build({
  entryPoints: [`${root}services/cli/agent-main.ts`],
  outfile: `${outdir}/pharos-agent.mjs`,
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
});
// Domain checks read IANA's RDAP bootstrap shipped beside their module (import.meta.url).
await copyFile(`${root}probe-agent/checks/domain-registry/rdap-dns-bootstrap.json`, `${outdir}/rdap-dns-bootstrap.json`);
