import { fileURLToPath } from 'node:url';

/**
 * The control-plane migrations, beside this module: services/lib/store/migrations from the
 * sources, dist/cli/migrations from the bundle (deploy/build.mjs copies them there).
 */
export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
