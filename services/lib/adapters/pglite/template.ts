import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TEMPLATE = 'dist/pglite-template.tar.gz';

/**
 * The empty cluster deploy/build.mjs makes (dist/pglite-template.tar.gz), found from this
 * module upwards — services/lib/adapters/pglite from the sources, dist/cli from the built
 * program — or undefined when it was not built.
 */
export function pgliteTemplate(from = path.dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let dir = from, i = 0; i < 6; i++, dir = path.dirname(dir)) {
    const candidate = path.join(dir, TEMPLATE);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}
