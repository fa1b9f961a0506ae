import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode } from '../../src/errors.js';
import {
  normalizePlatform,
  parsePlatform,
  platformToString,
} from '../../src/oci/platform.js';

test('os/arch and os/arch/variant parse into their parts', () => {
  assert.deepEqual(parsePlatform('linux/amd64'), { os: 'linux', architecture: 'amd64' });
  assert.deepEqual(parsePlatform('linux/arm64/v8'), {
    os: 'linux',
    architecture: 'arm64',
    variant: 'v8',
  });
  assert.deepEqual(parsePlatform('linux/riscv64/rva22u64'), {
    os: 'linux',
    architecture: 'riscv64',
    variant: 'rva22u64',
  });
});

test('malformed platforms are InvalidPlatform errors', () => {
  const bad = [
    '',
    'linux',
    'linux/',
    '/amd64',
    'linux//v7',
    'linux/arm/',
    'linux/arm/v7/extra',
    'Linux/amd64',
    'linux/AMD64',
    'linux/arm/V7',
    'linux/arm/armv7',
    'linux/arm64/armv8',
    'linux/amd64/v5',
    'linux/am d64',
  ];
  for (const text of bad) {
    assert.throws(() => parsePlatform(text), { code: ErrorCode.InvalidPlatform }, text);
  }
});

test('the error says what is wrong and how to write a platform', () => {
  assert.throws(
    () => parsePlatform('linux/arm64/armv8'),
    (error: unknown) => {
      const e = error as { message: string; hint?: string };
      assert.match(e.message, /armv8/);
      assert.match(String(e.hint), /os\/arch/);
      return true;
    },
  );
});

test('platformToString is the inverse of parsePlatform', () => {
  for (const text of ['linux/amd64', 'linux/arm/v7', 'windows/amd64', 'linux/arm64/v8']) {
    assert.equal(platformToString(parsePlatform(text)), text);
  }
});

test('normalisation resolves architecture aliases', () => {
  const cases: Array<[string, string]> = [
    ['linux/aarch64', 'linux/arm64'],
    ['linux/x86_64', 'linux/amd64'],
    ['linux/x86-64', 'linux/amd64'],
    ['linux/armhf', 'linux/arm/v7'],
    ['linux/armel', 'linux/arm/v6'],
    ['linux/i386', 'linux/386'],
    ['linux/arm64/v8', 'linux/arm64'],
    ['linux/arm', 'linux/arm/v7'],
    ['linux/amd64/v1', 'linux/amd64'],
    ['linux/amd64/v3', 'linux/amd64/v3'],
    ['linux/arm64/v9', 'linux/arm64/v9'],
  ];
  for (const [input, expected] of cases) {
    assert.equal(
      platformToString(normalizePlatform(parsePlatform(input))),
      expected,
      input,
    );
  }
});

test('normalisation reads bare digits as an arm variant and keeps other fields', () => {
  const normal = normalizePlatform({
    os: 'Linux',
    architecture: 'ARM',
    variant: '6',
    osVersion: '1.0',
    osFeatures: ['x'],
  });
  assert.deepEqual(normal, {
    os: 'linux',
    architecture: 'arm',
    variant: 'v6',
    osVersion: '1.0',
    osFeatures: ['x'],
  });
});

test('an alias keeps an explicit variant', () => {
  const normal = normalizePlatform({ os: 'linux', architecture: 'armhf', variant: 'v6' });
  assert.deepEqual(normal, { os: 'linux', architecture: 'arm', variant: 'v6' });
});
