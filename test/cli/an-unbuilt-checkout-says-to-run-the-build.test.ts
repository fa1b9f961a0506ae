import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { GANTRY_BIN } from '../harness/cli.js';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';

/**
 * bin/gantry.cjs runs the CLI bundle `npm run build` writes. In a checkout
 * where the build has not run, it says so and how to fix it, instead of
 * node's stack trace of a missing module.
 */
test('bin/gantry.cjs without dist/cli-bundle names the build to run', () => {
  const work = makeTempDir('gantry-unbuilt-');
  try {
    mkdirSync(join(work, 'bin'));
    copyFileSync(GANTRY_BIN, join(work, 'bin', 'gantry.cjs'));
    const bin = join(work, 'bin', 'gantry.cjs');
    const run = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stderr, /^gantry: error GANTRY_E_INTERNAL: .*not built/m);
    assert.match(run.stderr, /^hint: run npm run build/m);
    assert.doesNotMatch(run.stderr, /at .*\(|ERR_MODULE_NOT_FOUND/);
  } finally {
    removeTempDir(work);
  }
});
