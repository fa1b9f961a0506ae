import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode, isGantryError } from '../../src/errors.js';
import { chooseVersionText, parseVersion } from '../../src/release/version.js';

type Row = [
  input: string,
  normalized: string,
  parts: [number, number, number],
  pre: boolean,
];

const SEMVER: Row[] = [
  ['1.2.3', '1.2.3', [1, 2, 3], false],
  ['v1.2.3', '1.2.3', [1, 2, 3], false],
  ['0.7.14', '0.7.14', [0, 7, 14], false],
  ['0.8.0-rc.1', '0.8.0-rc.1', [0, 8, 0], true],
  ['v2.0.0-alpha', '2.0.0-alpha', [2, 0, 0], true],
  ['1.2.3+build.5', '1.2.3', [1, 2, 3], false],
];

const PEP440: Row[] = [
  ['1.2.3', '1.2.3', [1, 2, 3], false],
  ['v1.2.3', '1.2.3', [1, 2, 3], false],
  ['1.2.3rc1', '1.2.3rc1', [1, 2, 3], true],
  ['1.2.3-RC.1', '1.2.3rc1', [1, 2, 3], true],
  ['0.8.0rc1', '0.8.0rc1', [0, 8, 0], true],
  ['1.2.3.dev4', '1.2.3.dev4', [1, 2, 3], true],
  ['1.2.3.post1', '1.2.3.post1', [1, 2, 3], false],
  ['1!2.0', '1!2.0', [2, 0, 0], false],
  ['1.2', '1.2', [1, 2, 0], false],
];

for (const [scheme, rows] of [
  ['semver', SEMVER],
  ['pep440', PEP440],
] as const) {
  for (const [input, normalized, [major, minor, patch], prerelease] of rows) {
    const kind = prerelease ? 'pre-release' : 'final';
    test(`${scheme} ${input} → ${normalized}, ${kind}`, () => {
      const version = parseVersion(input, scheme);
      assert.equal(version.normalized, normalized);
      assert.deepEqual(
        [version.major, version.minor, version.patch],
        [major, minor, patch],
      );
      assert.equal(version.prerelease, prerelease);
      assert.equal(version.input, input);
    });
  }
}

test('tag text replaces the characters a tag cannot hold', () => {
  assert.equal(parseVersion('1!2.0', 'pep440').tagText, '1-2.0');
  assert.equal(parseVersion('1.2.3+ubuntu1', 'pep440').tagText, '1.2.3-ubuntu1');
  assert.equal(parseVersion('1.2.3-rc.1', 'semver').tagText, '1.2.3-rc.1');
});

test('invalid versions fail with GANTRY_E_VERSION naming the scheme', () => {
  const cases: [string, 'semver' | 'pep440'][] = [
    ['1.2', 'semver'],
    ['01.2.3', 'semver'],
    ['latest', 'semver'],
    ['1.2.3rc1', 'semver'],
    ['abc', 'pep440'],
    ['1.2.3-foo', 'pep440'],
  ];
  for (const [input, scheme] of cases) {
    assert.throws(
      () => parseVersion(input, scheme),
      (error) =>
        isGantryError(error, ErrorCode.InvalidVersion) &&
        error.message.includes(JSON.stringify(input)) &&
        error.message.includes(scheme),
      `${scheme} ${input}`,
    );
  }
});

test('version: argument, then file, then its variable, then git tag', () => {
  const all = {
    argument: '3.0.0',
    file: '2.0.0',
    environment: { name: 'V', value: '1.0.0' },
    gitTag: 'v0.1.0',
  };
  assert.deepEqual(chooseVersionText(all), { text: '3.0.0', from: 'argument' });
  const { argument: _a, ...noArgument } = all;
  assert.deepEqual(chooseVersionText(noArgument), { text: '2.0.0', from: 'file' });
  const { file: _f, ...noFile } = noArgument;
  assert.deepEqual(chooseVersionText(noFile), { text: '1.0.0', from: 'environment' });
  assert.deepEqual(chooseVersionText({ gitTag: 'v0.1.0' }), {
    text: 'v0.1.0',
    from: 'git-tag',
  });
  // A variable the file names is asked for: unset or empty, it never falls
  // back to a git tag the user did not pick.
  for (const value of [undefined, '']) {
    assert.throws(
      () =>
        chooseVersionText({
          environment: { name: 'TOOL_VERSION', value },
          gitTag: 'v0.1.0',
        }),
      (error) =>
        isGantryError(error, ErrorCode.InvalidVersion) &&
        /\$TOOL_VERSION, which is (not set|empty)/.test(error.message) &&
        error.hint === 'set TOOL_VERSION=1.2.3, or pass --version 1.2.3',
    );
  }
});

test('PEP 440 local versions normalise their separators to "."', () => {
  assert.equal(parseVersion('1.2.3+local.7', 'pep440').normalized, '1.2.3+local.7');
  assert.equal(parseVersion('1.2.3+Ubuntu-1', 'pep440').normalized, '1.2.3+ubuntu.1');
  assert.equal(parseVersion('1.2.3+local.7', 'pep440').tagText, '1.2.3-local.7');
});
