import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { jsonErrorOf, runGantry } from '../harness/cli.js';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';

/**
 * A variant whose `from` names a local layout that is not there (a wrong
 * path, or gantry run from another folder: such paths are read from the
 * working directory) stops the release before any image is built or
 * anything is written, naming the variant's line, the base as written,
 * the source side and where the path was looked for. Local only.
 */

let root = '';

before(() => {
  root = makeTempDir('gantry-missing-base-');
  mkdirSync(join(root, 'dist', 'amd64'), { recursive: true });
  mkdirSync(join(root, 'dist', 'arm64'), { recursive: true });
  writeFileSync(join(root, 'dist', 'amd64', 'tool'), '#!/bin/sh\n');
  writeFileSync(join(root, 'dist', 'arm64', 'tool'), '#!/bin/sh\n');
  const file = [
    'destinations: [oci:./out]',
    'base:',
    '  files:',
    '    - from: dist/$TARGETARCH/tool',
    '      to: /tool',
    'variants:',
    '  - from: oci:./bases:busybox',
    '    suffixes: [busybox]',
  ];
  writeFileSync(join(root, 'release.yaml'), `${file.join('\n')}\n`);
});
after(() => removeTempDir(root));

test('a variant on a missing local layout fails at its line before any build', async () => {
  const args = ['--json', 'release', '--version', '1.0.0', 'release.yaml'];
  const run = await runGantry(args, { cwd: root });
  assert.equal(run.code, 3, run.stderr);
  const error = jsonErrorOf(run.stderr);
  assert.equal(error.code, 'GANTRY_E_NOT_FOUND');
  assert.equal(error.side, 'source');
  assert.match(
    error.message,
    /^release\.yaml:7:\d+: busybox: base image oci:\.\/bases:busybox: /,
  );
  assert.match(error.hint!, /read from the working directory \(/);
  assert.doesNotMatch(run.stderr, /building base/);
  assert.equal(existsSync(join(root, 'out')), false);
});
