import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the shared read-only material lives: real images made by other tools
 * (fixtures/, see its README.md) and the image-spec JSON schemas
 * (conformance/). Resolved once, here, for every test: the folder named by
 * GANTRY_SHARED_DIR, else `shared` beside the repository root (`../shared`).
 */

/** Names the shared folder when it is not `../shared` from the repository. */
export const SHARED_DIR_ENV = 'GANTRY_SHARED_DIR';

const REPOSITORY_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const SHARED_DIR = resolve(
  process.env[SHARED_DIR_ENV] || join(REPOSITORY_ROOT, '..', 'shared'),
);

/** A path inside the shared folder. */
export function sharedPath(...parts: string[]): string {
  return join(SHARED_DIR, ...parts);
}

/** A `skip` reason when `path` is absent (node:test prints it), else false. */
export function skipUnlessShared(path: string): string | false {
  if (existsSync(path)) return false;
  return `${path} is absent: these tests need the shared folder (set ${SHARED_DIR_ENV})`;
}
