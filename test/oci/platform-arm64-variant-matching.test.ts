import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode } from '../../src/errors.js';
import { parseImageConfig } from '../../src/oci/config.js';
import { parseManifest } from '../../src/oci/manifest.js';
import { parsePlatform } from '../../src/oci/platform.js';
import {
  platformMatches,
  requirePlatform,
  selectPlatform,
} from '../../src/oci/platform-match.js';

// Field case: a host asking for linux/arm64/v8 must find an arm64 entry that
// has no variant (index side), and accept a config that says arm64 with no
// variant (config side). arm64 "" ≡ "v8" both ways.

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;

const dockerList = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json',
  manifests: [
    {
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      size: 741,
      digest: A,
      platform: { architecture: 'amd64', os: 'linux' },
    },
    {
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      size: 741,
      digest: B,
      platform: { architecture: 'arm64', os: 'linux' },
    },
  ],
});

test('linux/arm64/v8 selects the arm64 index entry that has no variant', () => {
  const index = parseManifest(new TextEncoder().encode(dockerList));
  assert.equal(index.kind, 'index');
  if (index.kind !== 'index') return;

  const chosen = selectPlatform(parsePlatform('linux/arm64/v8'), index.manifests);
  assert.equal(chosen?.digest.toString(), B);
});

test('linux/arm64 selects an arm64/v8 entry (the other direction)', () => {
  const entries = [
    { platform: parsePlatform('linux/amd64'), name: 'amd64' },
    { platform: parsePlatform('linux/arm64/v8'), name: 'arm64' },
  ];
  assert.equal(selectPlatform(parsePlatform('linux/arm64'), entries)?.name, 'arm64');
});

test('a config saying arm64 with no variant is accepted for linux/arm64/v8', () => {
  const config = parseImageConfig(
    new TextEncoder().encode(
      '{"architecture":"arm64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}',
    ),
  );
  assert.deepEqual(config.platform, { architecture: 'arm64', os: 'linux' });
  assert.equal(platformMatches(parsePlatform('linux/arm64/v8'), config.platform), true);
});

test('linux/arm without a variant is matched as arm/v7', () => {
  assert.equal(
    platformMatches(parsePlatform('linux/arm'), parsePlatform('linux/arm/v7')),
    true,
  );
  assert.equal(
    platformMatches(parsePlatform('linux/arm'), parsePlatform('linux/arm/v6')),
    false,
  );
});

test('arm/v6 does not pick a v7-only image', () => {
  const entries = [
    { platform: parsePlatform('linux/arm/v7'), name: 'v7' },
    { platform: parsePlatform('linux/arm64'), name: 'arm64' },
  ];
  assert.equal(selectPlatform(parsePlatform('linux/arm/v6'), entries), undefined);
  assert.equal(
    platformMatches(parsePlatform('linux/arm/v6'), parsePlatform('linux/arm')),
    false,
  );
});

test('arm/v7 falls back to the newest older variant when no v7 image exists', () => {
  const entries = [
    { platform: parsePlatform('linux/arm/v5'), name: 'v5' },
    { platform: parsePlatform('linux/arm/v6'), name: 'v6' },
  ];
  assert.equal(selectPlatform(parsePlatform('linux/arm/v7'), entries)?.name, 'v6');
});

test('an exact variant match wins over a fallback', () => {
  const entries = [
    { platform: parsePlatform('linux/arm/v6'), name: 'v6' },
    { platform: { os: 'linux', architecture: 'arm' }, name: 'bare' },
  ];
  assert.equal(selectPlatform(parsePlatform('linux/arm/v7'), entries)?.name, 'bare');
});

test('the variant "armv8" is refused when asked for, never matched in an image', () => {
  assert.throws(() => parsePlatform('linux/arm64/armv8'), {
    code: ErrorCode.InvalidPlatform,
  });

  const misspelt = { os: 'linux', architecture: 'arm64', variant: 'armv8' };
  assert.equal(platformMatches(parsePlatform('linux/arm64/v8'), misspelt), false);
  assert.equal(platformMatches(misspelt, misspelt), false);
  assert.equal(
    selectPlatform(parsePlatform('linux/arm64'), [{ platform: misspelt }]),
    undefined,
  );
});

test('attestation entries (unknown/unknown) are never selected', () => {
  const entries = [
    { platform: { os: 'unknown', architecture: 'unknown' }, name: 'att' },
    { platform: parsePlatform('linux/amd64'), name: 'amd64' },
  ];
  assert.equal(selectPlatform(parsePlatform('linux/amd64'), entries)?.name, 'amd64');
  assert.equal(selectPlatform(parsePlatform('linux/arm64'), entries), undefined);
});

test('requirePlatform names the wanted and the available platforms', () => {
  const entries = [{ platform: parsePlatform('linux/amd64') }];
  assert.throws(
    () => requirePlatform(parsePlatform('linux/s390x'), entries, 'index example'),
    (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.equal((error as { code?: string }).code, ErrorCode.PlatformNotFound);
      assert.match(error.message, /linux\/s390x/);
      assert.match(String((error as { hint?: string }).hint), /linux\/amd64/);
      return true;
    },
  );
});

test('osVersion breaks a tie between entries of the same platform', () => {
  const entries = [
    {
      platform: { os: 'windows', architecture: 'amd64', osVersion: '10.0.17763.1' },
      n: 1,
    },
    {
      platform: { os: 'windows', architecture: 'amd64', osVersion: '10.0.20348.1' },
      n: 2,
    },
  ];
  const wanted = { os: 'windows', architecture: 'amd64', osVersion: '10.0.20348.1' };
  assert.equal(selectPlatform(wanted, entries)?.n, 2);
  assert.equal(selectPlatform({ os: 'windows', architecture: 'amd64' }, entries)?.n, 1);
});
