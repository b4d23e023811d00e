// Whether `pharos` can run the built program (dist/cli/main.mjs, deploy/build.mjs): it
// exists and is newer than every file it was built from. Plain JavaScript, loaded before
// any TypeScript loader.
import { readdirSync, statSync } from 'node:fs';

export const BUILT_PROGRAM = 'dist/cli/main.mjs';
/** What the built program is made of (the build script included). */
export const BUILT_FROM = ['services', 'contracts', 'probe-agent', 'proto/generated', 'deploy/build.mjs'];

/** Whether any file under `paths` (relative to root) was modified after `limitMs`; stops at the first. */
function anyNewerThan(root, paths, limitMs) {
  const visit = (p) => {
    const s = statSync(p, { throwIfNoEntry: false });
    if (!s) return false;
    if (s.mtimeMs > limitMs) return true;
    return s.isDirectory() && readdirSync(p).some((entry) => visit(`${p}/${entry}`));
  };
  return paths.some((p) => visit(`${root}/${p}`));
}

/** The built program's path when it is current, else undefined (PHAROS_RUN_SOURCES=1: always undefined). */
export function currentBuiltProgram(root, env = process.env) {
  if (env.PHAROS_RUN_SOURCES === '1') return undefined;
  const program = `${root}/${BUILT_PROGRAM}`;
  const built = statSync(program, { throwIfNoEntry: false });
  if (!built || anyNewerThan(root, BUILT_FROM, built.mtimeMs)) return undefined;
  return program;
}
