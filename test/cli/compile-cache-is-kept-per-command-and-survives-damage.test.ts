import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runGantry } from '../harness/cli.js';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';

/**
 * bin/gantry.cjs keeps V8's compiled code of the CLI bundle per command in
 * XDG_CACHE_HOME/gantry/compile, keyed by node's version and the bundle. A
 * run with a cache prints what a run without one does; a damaged cache is
 * refused by V8, the command still works, and the file is written anew;
 * NODE_DISABLE_COMPILE_CACHE writes none.
 */

let home = '';
before(() => {
  home = makeTempDir('gantry-compile-cache-');
});
after(() => {
  if (home !== '') removeTempDir(home);
});

const folder = () => join(home, 'gantry', 'compile');
const gantry = (args: string[], env: Record<string, string> = {}) =>
  runGantry(args, { env: { XDG_CACHE_HOME: home, ...env } });

test('a cache per command, the same output with it, and a damaged one replaced', async () => {
  const first = await gantry(['build', '--help']);
  assert.equal(first.code, 0, first.stderr);
  const files = readdirSync(folder());
  assert.equal(files.length, 1, files.join(' '));
  assert.match(
    files[0]!,
    new RegExp(`^${process.version}-${process.arch}-[0-9a-f]{16}-build$`),
  );

  const second = await gantry(['build', '--help']);
  assert.equal(second.code, 0, second.stderr);
  assert.equal(second.stdout, first.stdout);

  const version = await gantry(['--version']);
  assert.equal(version.code, 0, version.stderr);
  assert.deepEqual(
    readdirSync(folder())
      .map((f) => f.split('-').at(-1))
      .sort(),
    ['build', 'other'],
  );

  const file = join(folder(), files[0]!);
  writeFileSync(file, Buffer.alloc(4096, 7));
  const damaged = await gantry(['build', '--help']);
  assert.equal(damaged.code, 0, damaged.stderr);
  assert.equal(damaged.stdout, first.stdout);
  assert.notDeepEqual(readFileSync(file), Buffer.alloc(4096, 7));
});

test('NODE_DISABLE_COMPILE_CACHE writes no cache', async () => {
  const elsewhere = makeTempDir('gantry-compile-cache-off-');
  try {
    const run = await runGantry(['tags', '--help'], {
      env: { XDG_CACHE_HOME: elsewhere, NODE_DISABLE_COMPILE_CACHE: '1' },
    });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(readdirSync(elsewhere), []);
  } finally {
    removeTempDir(elsewhere);
  }
});
