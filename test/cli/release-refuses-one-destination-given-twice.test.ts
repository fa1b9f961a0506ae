import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runGantry } from '../harness/cli.js';
import { removeTempDir } from '../harness/temp-dir.js';
import { makeToolWork, writeToolRelease } from './tool-work.js';

// One place given twice as a destination (the same repository, or one
// layout folder written two ways) is a usage error before anything is
// planned or written: in the release file (with line and column) and in --to.

let work = '';
/** A port nothing listens on: the refusal must come before any request. */
const NO_REGISTRY = '127.0.0.1:9';

before(async () => {
  work = await makeToolWork('gantry-duplicate-destination-');
});

after(() => removeTempDir(work));

function release(args: string[]) {
  return runGantry(['release', '--version=1.0.0', ...args], { cwd: work });
}

test('--to with one repository twice is a usage error', async () => {
  const to = `${NO_REGISTRY}/dup/x`;
  const run = await release(['--to', to, '--to', to, 'release.yaml']);
  assert.equal(run.code, 2, run.stderr);
  assert.match(
    run.stderr,
    /error GANTRY_E_USAGE: --to 127\.0\.0\.1:9\/dup\/x is listed twice/,
  );
  assert.match(run.stderr, /hint: give each destination once/);
});

test('--to with one layout written two ways is refused, making nothing', async () => {
  const run = await release(['--to', 'oci:out', '--to', 'oci:./out/', 'release.yaml']);
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /--to oci:\.\/out\/ is the same place as oci:out/);
  assert.equal(existsSync(join(work, 'out')), false);
});

test('the release file names the line and column of the repeat', async () => {
  const head = [`destinations: [${NO_REGISTRY}/a/b, oci:out, oci:out/.]`];
  await writeToolRelease(work, 'twice.yaml', head);
  const run = await release(['--dry-run', 'twice.yaml']);
  assert.equal(run.code, 2, run.stderr);
  assert.match(
    run.stderr,
    new RegExp(
      'GANTRY_E_RELEASE_FILE: \\S*twice\\.yaml:1:\\d+: destinations\\[2\\]: ' +
        'destination oci:out/\\. is the same place as oci:out',
    ),
  );
});

test('a repository written with and without docker.io is one place', async () => {
  await writeToolRelease(work, 'hub.yaml', [
    'destinations: [team/app, docker.io/team/app]',
  ]);
  const run = await release(['--dry-run', 'hub.yaml']);
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /destination docker\.io\/team\/app is listed twice/);
});
