import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode } from '../../src/errors.js';
import { parsePlatform, parseWantedPlatform } from '../../src/oci/platform.js';
import {
  availablePlatforms,
  requirePlatform,
  selectPlatform,
} from '../../src/oci/platform-match.js';

/**
 * Platform selection considers platform images only: a BuildKit attestation
 * entry (platform unknown/unknown) and an entry without a platform are never
 * chosen nor listed as available. Aliases are normalised when parsed.
 */
const ATTESTATION = {
  platform: parsePlatform('unknown/unknown'),
  annotations: {
    'vnd.docker.reference.type': 'attestation-manifest',
    'vnd.docker.reference.digest': `sha256:${'a'.repeat(64)}`,
  },
  name: 'attestation',
};
const ENTRIES = [
  { platform: parsePlatform('linux/amd64'), name: 'amd64' },
  { platform: parsePlatform('linux/arm64'), name: 'arm64' },
  ATTESTATION,
  { name: 'nested index' },
];

test('unknown/unknown does not select an attestation entry', () => {
  assert.equal(selectPlatform(parsePlatform('unknown/unknown'), ENTRIES), undefined);
  assert.throws(() => requirePlatform(parsePlatform('unknown/unknown'), ENTRIES, 'x'), {
    code: ErrorCode.PlatformNotFound,
  });
});

test('a real unknown/unknown image is still selected', () => {
  const real = { platform: parsePlatform('unknown/unknown'), name: 'real' };

  assert.equal(
    selectPlatform(parsePlatform('unknown/unknown'), [...ENTRIES, real]),
    real,
  );
});

test('available platforms leave out attestations and entries without one', () => {
  assert.deepEqual(availablePlatforms(ENTRIES), ['linux/amd64', 'linux/arm64']);
  assert.throws(() => requirePlatform(parsePlatform('linux/s390x'), ENTRIES, 'index x'), {
    hint: 'available: linux/amd64, linux/arm64',
  });
});

test('parseWantedPlatform normalises aliases that then select', () => {
  assert.deepEqual(parseWantedPlatform('linux/aarch64'), {
    os: 'linux',
    architecture: 'arm64',
  });
  assert.deepEqual(parseWantedPlatform('linux/x86_64'), {
    os: 'linux',
    architecture: 'amd64',
  });
  assert.equal(
    selectPlatform(parseWantedPlatform('linux/aarch64'), ENTRIES)?.name,
    'arm64',
  );
  assert.equal(
    selectPlatform(parseWantedPlatform('linux/x86_64'), ENTRIES)?.name,
    'amd64',
  );
});
