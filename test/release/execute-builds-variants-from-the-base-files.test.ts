import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isGantryError } from '../../src/errors.js';
import { planBuilds } from '../../src/release/builds.js';
import { parseReleaseFile } from '../../src/release/file.js';
import { planRelease } from '../../src/release/plan.js';
import { parseVersion } from '../../src/release/version.js';
import { GIT } from './support.js';

/**
 * Plan → builds: the base image is scratch plus each platform's own files
 * (found beside the release file); each variant starts from its base
 * reference and gets the same per-platform files, narrowed by `copy`; the
 * config, labels and index annotations of the plan go with every build.
 */
const FILE = [
  'destinations: [localhost:5000/tool]',
  'base:',
  '  files:',
  '    - from: dist/$TARGETARCH/tool',
  '      to: /usr/local/bin/tool',
  '    - from: docs/$TARGETARCH',
  '      to: /usr/share/doc/tool',
  '  entrypoint: [/usr/local/bin/tool]',
  '  env: { TOOL_HOME: /srv }',
  'variants:',
  '  - from: alpine:3.21',
  '    suffixes: [alpine]',
  '    copy: [/usr/local/bin]',
  '    config:',
  '      cmd: [--help]',
  '  - from: debian:12',
  '    suffixes: [debian]',
  'labels: { com.example.team: tools }',
].join('\n');

function builds(text: string) {
  const plan = planRelease(parseReleaseFile(text), {
    version: parseVersion('2.0.1', 'semver'),
    git: GIT,
  });
  return planBuilds(plan, '/release');
}

test('the base image is scratch plus its per-platform files and config', () => {
  const base = builds(FILE).find((image) => image.image === 'base')!;
  assert.deepEqual(
    base.builds.map((build) => [build.platform.architecture, build.base]),
    [
      ['amd64', 'scratch'],
      ['arm64', 'scratch'],
    ],
  );
  const arm = base.builds[1]!;
  assert.deepEqual(arm.steps[0], {
    kind: 'layer',
    inputs: [
      { source: '/release/dist/arm64/tool', destination: '/usr/local/bin/tool' },
      { source: '/release/docs/arm64', destination: '/usr/share/doc/tool' },
    ],
    createdBy: 'gantry release: files',
  });
  assert.deepEqual(arm.steps[1], {
    kind: 'config',
    changes: { Env: { TOOL_HOME: '/srv' }, Entrypoint: ['/usr/local/bin/tool'] },
    createdBy: 'gantry release: config',
  });
  assert.equal(base.options.index, true);
  assert.equal(base.options.labels?.['com.example.team'], 'tools');
  assert.equal(
    base.options.indexAnnotations?.['org.opencontainers.image.version'],
    '2.0.1',
  );
});

test('a variant starts from its base and copies the files its copy names', () => {
  const all = builds(FILE);
  const alpine = all.find((image) => image.image === 'alpine')!;
  const amd = alpine.builds[0]!;
  assert.equal(amd.base, 'docker.io/library/alpine:3.21');
  assert.deepEqual(amd.steps[0], {
    kind: 'layer',
    inputs: [{ source: '/release/dist/amd64/tool', destination: '/usr/local/bin/tool' }],
    createdBy: 'gantry release: files',
  });
  assert.deepEqual(amd.steps[1], {
    kind: 'config',
    changes: { Cmd: ['--help'] },
    createdBy: 'gantry release: config',
  });
  assert.equal(
    alpine.options.indexAnnotations?.['org.opencontainers.image.version'],
    '2.0.1-alpine',
  );

  const debian = all.find((image) => image.image === 'debian')!;
  const layer = debian.builds[1]!.steps[0]!;
  assert.equal(layer.kind, 'layer');
  assert.equal(layer.kind === 'layer' ? layer.inputs.length : 0, 2);
  assert.equal(debian.builds[1]!.steps.length, 1, 'no config of its own, no config step');
});

test('a copy path the base image lacks is an error in the release file', () => {
  const text = FILE.replace('copy: [/usr/local/bin]', 'copy: [/opt/tool]');
  assert.throws(
    () => builds(text),
    (error: unknown) =>
      isGantryError(error, 'GANTRY_E_RELEASE_FILE') &&
      /copies \/opt\/tool, which the base image lacks/.test(error.message),
  );
});
