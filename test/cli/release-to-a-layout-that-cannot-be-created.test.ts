import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runGantry } from '../harness/cli.js';
import { removeTempDir } from '../harness/temp-dir.js';
import { makeToolWork } from './tool-work.js';

// `--to oci:DIR` where DIR cannot be made: under /proc (where a recursive
// mkdir once never returned), under /sys, below a file, or a file itself.
// Each stops with a layout error naming the path, never an internal error.

let work = '';

before(async () => {
  work = await makeToolWork('gantry-layout-create-');
  await writeFile(join(work, 'file.yaml'), 'not a folder\n');
});

after(() => removeTempDir(work));

function release(to: string) {
  return runGantry(['release', '--version=1.0.0', '--to', to, 'release.yaml'], {
    cwd: work,
  });
}

function assertRefused(
  run: { code: number; stderr: string },
  code: string,
  exit: number,
  path: string,
): void {
  assert.equal(run.code, exit, run.stderr);
  assert.match(run.stderr, new RegExp(`error ${code}:`));
  assert.ok(run.stderr.includes(path), run.stderr);
  assert.match(run.stderr, /\nhint: /);
  assert.doesNotMatch(run.stderr, /GANTRY_E_INTERNAL|bug in gantry/);
}

test('a layout below a file is an input error naming the file', async () => {
  const run = await release(`oci:${join(work, 'file.yaml', 'sub')}`);
  assertRefused(run, 'GANTRY_E_LAYOUT', 2, `${join(work, 'file.yaml')} is a file`);
});

test('a layout that is a file is an input error', async () => {
  const run = await release(`oci:${join(work, 'file.yaml')}`);
  assertRefused(run, 'GANTRY_E_LAYOUT', 2, join(work, 'file.yaml'));
});

test('a layout under /proc is refused, not waited on', {
  skip: existsSync('/proc/self') ? false : 'no /proc here',
}, async () => {
  const run = await release('oci:/proc/nope');
  assertRefused(run, 'GANTRY_E_LAYOUT_CREATE', 1, '/proc/nope');
});

test('a layout under /sys is refused with the reason', {
  skip: existsSync('/sys/kernel') ? false : 'no /sys here',
}, async () => {
  const run = await release('oci:/sys/nope');
  assertRefused(run, 'GANTRY_E_LAYOUT_CREATE', 1, '/sys/nope');
  assert.match(run.stderr, /EPERM|EACCES|EROFS/);
});

test('a layout in a folder without write permission is refused', {
  skip: process.getuid?.() === 0 ? 'root may write anywhere' : false,
}, async () => {
  const { chmod, mkdir } = await import('node:fs/promises');
  const locked = join(work, 'locked');
  await mkdir(locked);
  await chmod(locked, 0o500);
  const run = await release(`oci:${join(locked, 'out')}`);
  await chmod(locked, 0o700);
  assertRefused(run, 'GANTRY_E_LAYOUT_CREATE', 1, join(locked, 'out'));
  assert.match(run.stderr, /permission denied/);
});
