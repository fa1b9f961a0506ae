import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SHARED_DIR_ENV, skipUnlessShared } from './shared-dir.js';

/**
 * The shared folder is GANTRY_SHARED_DIR when set, else `shared` beside the
 * repository root, wherever the repository is checked out; tests needing
 * an absent path skip with a message that names the variable.
 */
const HELPER = fileURLToPath(new URL('./shared-dir.ts', import.meta.url));
const REPOSITORY_ROOT = resolve(dirname(HELPER), '..', '..');

/** SHARED_DIR as a fresh process computes it with `env`. */
function sharedDirWith(env: Record<string, string | undefined>): string {
  const script = `import { SHARED_DIR } from ${JSON.stringify(HELPER)};
process.stdout.write(SHARED_DIR);`;
  const childEnv = { ...process.env, ...env };
  if (env[SHARED_DIR_ENV] === undefined) delete childEnv[SHARED_DIR_ENV];
  return execFileSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    { env: childEnv, encoding: 'utf8' },
  );
}

test('GANTRY_SHARED_DIR names the shared folder', () => {
  assert.equal(sharedDirWith({ [SHARED_DIR_ENV]: '/srv/fixtures-x' }), '/srv/fixtures-x');
});

test('without it the folder is ../shared from the repository root', () => {
  assert.equal(
    sharedDirWith({ [SHARED_DIR_ENV]: undefined }),
    join(dirname(REPOSITORY_ROOT), 'shared'),
  );
});

test('an absent path gives a skip reason naming the variable', () => {
  const reason = skipUnlessShared('/nonexistent/gantry-shared/fixtures');

  assert.equal(typeof reason, 'string');
  assert.match(String(reason), /\/nonexistent\/gantry-shared\/fixtures is absent/);
  assert.match(String(reason), /GANTRY_SHARED_DIR/);
  assert.equal(skipUnlessShared(REPOSITORY_ROOT), false);
});
