import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePlatform } from '../../src/oci/platform.js';
import {
  KNOWN_ARCHITECTURES,
  KNOWN_OS,
  unknownPlatformPart,
} from '../../src/oci/platform-known.js';

// Go's $GOOS/$GOARCH names, which the image-spec's `platform` refers to:
// typos are found, aliases count under the name they stand for, and every
// platform the project's tests and examples use is known.

test('typos in the os or the architecture are found', () => {
  assert.deepEqual(unknownPlatformPart(parsePlatform('linux/amd46')), {
    part: 'architecture',
    value: 'amd46',
    known: KNOWN_ARCHITECTURES,
  });
  assert.equal(unknownPlatformPart(parsePlatform('linx/amd64'))?.part, 'os');
  assert.equal(unknownPlatformPart(parsePlatform('linux/arm65/v8'))?.value, 'arm65');
});

test('real platforms and aliases are known', () => {
  for (const text of [
    'linux/amd64',
    'linux/arm64/v8',
    'linux/arm/v6',
    'linux/386',
    'linux/ppc64le',
    'linux/s390x',
    'linux/riscv64',
    'linux/loong64',
    'windows/amd64',
    'linux/aarch64',
    'linux/x86_64',
    'linux/armhf',
    'wasip1/wasm',
  ]) {
    assert.equal(unknownPlatformPart(parsePlatform(text)), undefined, text);
  }
});

test('the lists hold each name once and in lower case', () => {
  for (const list of [KNOWN_OS, KNOWN_ARCHITECTURES]) {
    assert.equal(new Set(list).size, list.length);
    assert.ok(list.every((name) => name === name.toLowerCase()));
  }
});
