import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runGantry } from '../harness/cli.js';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';

/**
 * A `base.files` source that is not on disk for one of the platforms stops
 * `gantry release` and its `--dry-run` before any image is built: the error
 * keeps GANTRY_E_BUILD_INPUT and names the release file, the line and the
 * field of the `from` that named it, with the path its $TARGETARCH gave.
 * Local targets only: no registry is needed.
 */

let root = '';

before(() => {
  root = makeTempDir('gantry-missing-file-');
});
after(() => removeTempDir(root));

/** A release folder with `dist/linux-<arch>/tool` for each of `built`. */
function releaseFolder(name: string, built: string[]): string {
  const folder = join(root, name);
  for (const arch of built) {
    mkdirSync(join(folder, 'dist', `linux-${arch}`), { recursive: true });
    writeFileSync(join(folder, 'dist', `linux-${arch}`, 'tool'), `#!/bin/sh\n`);
  }
  mkdirSync(folder, { recursive: true });
  const file = [
    'destinations: [oci:./out]',
    'base:',
    '  files:',
    '    - from: README',
    '      to: /README',
    '    - from: dist/$TARGETOS-$TARGETARCH/tool',
    '      to: /usr/local/bin/tool',
    '  entrypoint: [/usr/local/bin/tool]',
  ].join('\n');
  writeFileSync(join(folder, 'README'), 'tool\n');
  writeFileSync(join(folder, 'release.yaml'), `${file}\n`);
  return folder;
}

/** The `hint:` line of an error on stderr. */
function hintOf(stderr: string): string {
  return stderr.split('\n').find((line) => line.startsWith('hint: ')) ?? '';
}

test('a file missing for one platform names its entry, line and field', async () => {
  const folder = releaseFolder('one-missing', ['amd64']);
  const run = await runGantry(['release', '--version', '1.0.0', 'release.yaml'], {
    cwd: folder,
  });
  assert.notEqual(run.code, 0);
  const missing = join(folder, 'dist', 'linux-arm64', 'tool');
  assert.match(run.stderr, /GANTRY_E_BUILD_INPUT/);
  assert.ok(
    run.stderr.includes(
      `release.yaml:6:13: base.files[1].from: layer input "${missing}" for ` +
        'linux/arm64 does not exist',
    ),
    run.stderr,
  );
  assert.equal(
    hintOf(run.stderr),
    'hint: "dist/$TARGETOS-$TARGETARCH/tool" gives "dist/linux-arm64/tool" for ' +
      `linux/arm64, read from the release file's folder, ${folder}; build it ` +
      'first or fix the path',
  );
  assert.doesNotMatch(run.stderr, /building base/, 'no build started');
  assert.equal(existsSync(join(folder, 'out')), false, 'nothing is written');
  assert.equal(existsSync(join(folder, 'gantry-release-record.json')), false);
});

test('a dry-run stops at the same check and counts the other missing files', async () => {
  const folder = releaseFolder('all-missing', []);
  const run = await runGantry(
    ['release', '--dry-run', '--version', '1.0.0', 'release.yaml'],
    { cwd: folder },
  );
  assert.notEqual(run.code, 0);
  const missing = join(folder, 'dist', 'linux-amd64', 'tool');
  assert.ok(
    run.stderr.includes(
      `release.yaml:6:13: base.files[1].from: layer input "${missing}" for ` +
        'linux/amd64 does not exist',
    ),
    run.stderr,
  );
  assert.match(hintOf(run.stderr), /fix the path \(1 more source is missing\)$/);
  assert.doesNotMatch(run.stderr, /building base/, 'no build started');
  assert.equal(existsSync(join(folder, 'out')), false, 'nothing is written');
});
