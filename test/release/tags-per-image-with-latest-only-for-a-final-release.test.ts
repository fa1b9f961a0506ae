import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode, isGantryError } from '../../src/errors.js';
import { parseReleaseFile } from '../../src/release/file.js';
import { releaseImages } from '../../src/release/images.js';
import { planRelease } from '../../src/release/plan.js';
import { checkTagConflicts, imageTags } from '../../src/release/tags.js';
import { parseVersion, type VersionScheme } from '../../src/release/version.js';
import { fixture, GIT, SMALL_RELEASE, TWENTY_FOUR_VARIANTS } from './support.js';

function tagsOf(text: string, version: string, scheme: VersionScheme = 'semver') {
  const file = parseReleaseFile(text);
  const values = { version: parseVersion(version, scheme), sha: GIT.sha };
  return Object.fromEntries(
    releaseImages(file).map((image) => [
      image.name,
      imageTags(file.tags, file.latest, values, image),
    ]),
  );
}

test('the 24-variant release at 0.7.14 gives exactly 84 tags per repository', () => {
  const file = fixture(TWENTY_FOUR_VARIANTS);
  assert.equal(file.variants.length, 24);
  assert.equal(
    file.variants.filter((variant) => variant.suffixes.length === 2).length,
    3,
  );

  const plan = planRelease(file, { version: parseVersion('0.7.14', 'semver'), git: GIT });
  assert.equal(plan.destinations.length, 2);
  for (const destination of plan.destinations) {
    const tags = destination.writes.map((write) => write.tag);
    assert.equal(tags.length, 84, destination.name);
    assert.equal(new Set(tags).size, 84, `${destination.name}: tags are distinct`);
  }

  const base = plan.images.find((image) => image.name === 'base')!;
  assert.deepEqual(base.tags, ['0.7.14', '0.7', 'latest']);
  const alpine = plan.images.find((image) => image.name === 'alpine3.21')!;
  assert.deepEqual(alpine.tags, [
    '0.7.14-alpine3.21',
    '0.7-alpine3.21',
    'alpine3.21',
    '0.7.14-alpine',
    '0.7-alpine',
    'alpine',
  ]);
});

test('default templates: base version, major.minor, major; 3 per suffix', () => {
  const tags = tagsOf(SMALL_RELEASE, '1.4.2');
  assert.deepEqual(tags.base, ['1.4.2', '1.4', '1', 'latest']);
  assert.deepEqual(tags['debian-slim'], [
    '1.4.2-debian-slim',
    '1.4-debian-slim',
    'debian-slim',
  ]);
});

test('a pre-release gets no latest, no major.minor, no bare suffix', () => {
  const semver = tagsOf(SMALL_RELEASE, '0.8.0-rc.1');
  assert.deepEqual(semver.base, ['0.8.0-rc.1']);
  assert.deepEqual(semver['alpine3.21'], ['0.8.0-rc.1-alpine3.21', '0.8.0-rc.1-alpine']);

  const pep440 = tagsOf(`scheme: pep440\n${SMALL_RELEASE}`, '0.8.0rc1', 'pep440');
  assert.deepEqual(pep440.base, ['0.8.0rc1']);
  assert.ok(!Object.values(pep440).flat().includes('latest'));

  const dev = tagsOf(`scheme: pep440\n${SMALL_RELEASE}`, '0.8.0.dev3', 'pep440');
  assert.deepEqual(dev.base, ['0.8.0.dev3']);
});

test('a PEP 440 post-release is final and gets latest', () => {
  const tags = tagsOf(`scheme: pep440\n${SMALL_RELEASE}`, '0.8.0.post1', 'pep440');
  assert.deepEqual(tags.base, ['0.8.0.post1', '0.8', '0', 'latest']);
});

test('latest: true and false override the automatic rule', () => {
  assert.ok(
    tagsOf(`latest: true\n${SMALL_RELEASE}`, '2.0.0-beta.1').base.includes('latest'),
  );
  assert.ok(!tagsOf(`latest: false\n${SMALL_RELEASE}`, '2.0.0').base.includes('latest'));
});

test('raw values, sha tags, prefix and suffix; latest is never prefixed', () => {
  const text = [
    SMALL_RELEASE,
    'tags:',
    "  base: ['{{version}}', 'edge', sha, 'git-{{sha}}']",
    "  variant: ['{{suffix}}-{{major}}']",
    '  prefix: v',
    '  suffix: -ci',
  ].join('\n');
  const tags = tagsOf(text, '3.1.0');
  assert.deepEqual(tags.base, [
    'v3.1.0-ci',
    'vedge-ci',
    'vsha-4f2b7c1-ci',
    `vgit-${GIT.sha}-ci`,
    'latest',
  ]);
  assert.deepEqual(tags.alpine, undefined, 'variants are named by their first suffix');
  assert.deepEqual(tags['alpine3.21'], ['valpine3.21-3-ci', 'valpine-3-ci']);
});

test('duplicate tags of one image are written once, in first-seen order', () => {
  const text = `${SMALL_RELEASE}\ntags:\n  base: ['{{version}}', '{{version}}', x]`;
  assert.deepEqual(tagsOf(text, '1.0.0').base, ['1.0.0', 'x', 'latest']);
});

test('a sha tag without a known commit is an error, not an empty tag', () => {
  const file = parseReleaseFile(`${SMALL_RELEASE}\ntags:\n  base: [sha]`);
  assert.throws(
    () => planRelease(file, { version: parseVersion('1.0.0', 'semver') }),
    (error) =>
      isGantryError(error, ErrorCode.ReleaseFile) && /git commit/.test(error.message),
  );
});

test('two images claiming one tag are refused, naming both', () => {
  assert.throws(
    () =>
      checkTagConflicts([
        { image: 'base', at: 'r.yaml:2:3', tags: ['1.0', 'latest'] },
        { image: 'alpine', at: 'r.yaml:9:5', tags: ['1.0-alpine', 'latest'] },
      ]),
    (error) =>
      isGantryError(error, ErrorCode.TagConflict) &&
      error.message.includes('"latest"') &&
      error.message.includes('base (r.yaml:2:3)') &&
      error.message.includes('alpine (r.yaml:9:5)'),
  );
});

test('a clash that depends on the version is found when planning', () => {
  const text = [
    'base:',
    '  files: []',
    'variants:',
    '  - from: alpine:3.21',
    '    suffixes: ["2"]',
  ].join('\n');
  const file = parseReleaseFile(text);
  assert.throws(
    () => planRelease(file, { version: parseVersion('2.0.0', 'semver'), git: GIT }),
    (error) =>
      isGantryError(error, ErrorCode.TagConflict) && error.message.includes('"2"'),
  );
});
