import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { platformToString } from '../../src/oci/platform.js';
import { parseReleaseFile } from '../../src/release/file.js';
import { runGantry } from '../harness/cli.js';
import { removeTempDir } from '../harness/temp-dir.js';
import { makeToolWork, writeToolRelease } from './tool-work.js';

// A platform that names no OS or architecture Go knows (`linux/amd46`,
// `linx/amd64`) is refused where it is typed, with "did you mean": in a
// release file (line, column, field) and in `gantry build --platform`
// (exit 2), before anything is built or written.

let work = '';
before(async () => {
  work = await makeToolWork('gantry-platform-typos-');
  await mkdir(join(work, 'context'));
  await writeFile(join(work, 'context', 'Dockerfile'), 'FROM scratch\nENV A=1\n');
});

after(() => removeTempDir(work));

async function releaseWith(platforms: string) {
  await writeToolRelease(work, 'release.yaml', [platforms]);
  return runGantry(['release', '--dry-run', '--version=1.0.0', 'release.yaml'], {
    cwd: work,
  });
}

test('a release file with linux/amd46 names line, column and field', async () => {
  const run = await releaseWith('platforms: [linux/arm64, linux/amd46]');
  assert.equal(run.code, 2, run.stderr);
  assert.match(
    run.stderr,
    new RegExp(
      'GANTRY_E_RELEASE_FILE: \\S*release\\.yaml:1:26: platforms\\[1\\]: ' +
        'bad platform: .*unknown architecture "amd46"',
    ),
  );
  assert.match(run.stderr, /hint: did you mean "amd64"\?/);
});

test('a release file with linx/amd64 suggests linux', async () => {
  const run = await releaseWith('platforms:\n  - linx/amd64');
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /release\.yaml:2:5: platforms\[0\]: .*unknown os "linx"/);
  assert.match(run.stderr, /hint: did you mean "linux"\?/);
});

test('gantry build --platform linux/amd46 exits 2 and writes nothing', async () => {
  const out = join(work, 'out');
  const run = await runGantry(
    [
      'build',
      '--platform',
      'linux/arm64,linux/amd46',
      '--output',
      `oci:${out}:1`,
      'context',
    ],
    { cwd: work },
  );
  assert.equal(run.code, 2, run.stderr);
  assert.match(
    run.stderr,
    /GANTRY_E_PLATFORM: platform "linux\/amd46": unknown architecture/,
  );
  assert.match(run.stderr, /hint: did you mean "amd64"\?/);
  assert.equal(existsSync(out), false);
});

test('gantry build takes known platforms and aliases', async () => {
  const run = await runGantry(
    [
      'build',
      '--platform',
      'linux/s390x,linux/aarch64',
      '--output',
      'oci:ok:1',
      'context',
    ],
    { cwd: work },
  );
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^sha256:[0-9a-f]{64}$/m);
  // An alias is written under its canonical name, as BuildKit writes it.
  const inspect = await runGantry(['--json', 'inspect', 'oci:ok:1'], { cwd: work });
  assert.equal(inspect.code, 0, inspect.stderr);
  const { platforms } = JSON.parse(inspect.stdout) as {
    platforms: { platform: string }[];
  };
  assert.deepEqual(
    platforms.map((entry) => entry.platform),
    ['linux/s390x', 'linux/arm64'],
  );
});

test('a release file with x86_64 and armhf plans linux/amd64 and linux/arm/v7', () => {
  const file = parseReleaseFile(
    [
      'platforms: [linux/x86_64, linux/armhf]',
      'base:',
      '  files:',
      '    - from: dist/$TARGETARCH/tool',
      '      to: /tool',
    ].join('\n'),
  );
  assert.deepEqual(file.platforms.map(platformToString), ['linux/amd64', 'linux/arm/v7']);
});
