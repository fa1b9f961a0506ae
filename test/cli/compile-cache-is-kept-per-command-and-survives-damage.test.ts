import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runGantry } from '../harness/cli.js';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';

/**
 * bin/gantry.cjs keeps V8's compiled code of the CLI bundle per command in
 * $XDG_CACHE_HOME/gantry/compile, keyed by node's version and flags and
 * the bundle. A run that succeeded writes it (a help text does not); a run
 * with it prints what a run without it does; a damaged file, in its header
 * or anywhere after it, is never given to V8 (which would crash on the
 * latter) and is written anew; NODE_DISABLE_COMPILE_CACHE writes none.
 */

let home = '';
let work = '';
before(() => {
  home = makeTempDir('gantry-compile-cache-');
  work = makeTempDir('gantry-compile-cache-work-');
  writeFileSync(join(work, 'hello.txt'), 'hello\n');
  writeFileSync(join(work, 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /\n');
});
after(() => {
  if (home !== '') removeTempDir(home);
  if (work !== '') removeTempDir(work);
});

const folder = () => join(home, 'gantry', 'compile');
const files = () => readdirSync(folder()).sort();
const gantry = (args: string[], env: Record<string, string> = {}) =>
  runGantry(args, { env: { XDG_CACHE_HOME: home, ...env } });
const build = () =>
  gantry(['build', '--no-cache', '--output', `oci:${join(work, 'out')}:1`, work]);

test('written by a run that succeeded, per command, never by a help text', async () => {
  const help = await gantry(['build', '--help']);
  assert.equal(help.code, 0, help.stderr);
  assert.deepEqual(readdirSync(home), []);

  const first = await build();
  assert.equal(first.code, 0, first.stderr);
  assert.equal(files().length, 1, files().join(' '));
  const pattern = `^${process.version}-${process.arch}-[0-9a-f]{16}-build$`;
  assert.match(files()[0]!, new RegExp(pattern));

  const second = await build();
  assert.equal(second.code, 0, second.stderr);
  assert.equal(second.stdout, first.stdout);

  const tags = await gantry(['tags', `oci:${join(work, 'out')}`]);
  assert.equal(tags.code, 0, tags.stderr);
  assert.deepEqual(
    files().map((name) => name.split('-').at(-1)),
    ['build', 'tags'],
  );
});

test('a damaged cache, in its header or further in, is replaced', async () => {
  const file = join(folder(), files().find((name) => name.endsWith('-build'))!);
  const good = readFileSync(file);
  for (const at of [40, Math.floor(good.length / 2), good.length - 100]) {
    const bad = Buffer.from(good);
    bad[at] = bad[at]! ^ 0xff;
    writeFileSync(file, bad);
    const run = await build();
    assert.equal(run.code, 0, `byte ${at}: ${run.stderr}`);
    assert.ok(!readFileSync(file).equals(bad), `byte ${at}: not written anew`);
  }
});

test('NODE_DISABLE_COMPILE_CACHE writes no cache', async () => {
  const elsewhere = makeTempDir('gantry-compile-cache-off-');
  try {
    const run = await runGantry(['tags', `oci:${join(work, 'out')}`], {
      env: { XDG_CACHE_HOME: elsewhere, NODE_DISABLE_COMPILE_CACHE: '1' },
    });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(readdirSync(elsewhere), []);
  } finally {
    removeTempDir(elsewhere);
  }
});
