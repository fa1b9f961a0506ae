import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runGantry } from '../harness/cli.js';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';

/**
 * A variant's `from:` may name a docker-save archive (`docker-archive:FILE:
 * NAME`), as `gantry copy` does: a one-platform release builds on it,
 * without reading its layers into anything but the destination, and
 * verifies. Local only: the base is built with `gantry build` and saved
 * with `gantry copy`.
 */

let root = '';

before(() => {
  root = makeTempDir('gantry-docker-archive-base-');
  mkdirSync(join(root, 'ctx'));
  writeFileSync(join(root, 'ctx', 'hello'), 'hi\n');
  writeFileSync(join(root, 'ctx', 'Dockerfile'), 'FROM scratch\nCOPY hello /hello\n');
  mkdirSync(join(root, 'dist', 'amd64'), { recursive: true });
  writeFileSync(join(root, 'dist', 'amd64', 'tool'), '#!/bin/sh\n');
  const file = [
    'platforms: [linux/amd64]',
    'destinations: [oci:./out]',
    'base:',
    '  files:',
    '    - from: dist/$TARGETARCH/tool',
    '      to: /tool',
    'variants:',
    '  - from: docker-archive:base.tar:example.com/base:1',
    '    suffixes: [saved]',
  ];
  writeFileSync(join(root, 'release.yaml'), `${file.join('\n')}\n`);
});
after(() => removeTempDir(root));

function gantry(...args: string[]) {
  return runGantry(args, { cwd: root });
}

test('a release builds a variant on a docker-save archive and verifies', async () => {
  const build = await gantry(
    'build',
    '--platform',
    'linux/amd64',
    '--output',
    'oci:./b:1',
    'ctx',
  );
  assert.equal(build.code, 0, build.stderr);
  const save = await gantry(
    'copy',
    'oci:./b:1',
    'docker-archive:base.tar:example.com/base:1',
  );
  assert.equal(save.code, 0, save.stderr);

  const release = await gantry('release', '--version', '1.0.0', 'release.yaml');
  assert.equal(release.code, 0, release.stderr);
  assert.match(release.stderr, /\d+ checks, 0 failures/);
  const tags = await gantry('tags', 'oci:./out');
  assert.deepEqual(tags.stdout.trim().split('\n').sort(), [
    '1',
    '1.0',
    '1.0-saved',
    '1.0.0',
    '1.0.0-saved',
    'latest',
    'saved',
  ]);
  // The base's one layer, then the variant's own with the tool.
  const inspect = await gantry('--json', 'inspect', 'oci:./out:saved');
  assert.equal(inspect.code, 0, inspect.stderr);
  const { platforms } = JSON.parse(inspect.stdout) as {
    platforms: { platform: string; layerCount: number }[];
  };
  assert.deepEqual(
    platforms.map((p) => [p.platform, p.layerCount]),
    [['linux/amd64', 2]],
  );
});
