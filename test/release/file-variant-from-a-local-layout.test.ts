import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode, GantryError } from '../../src/errors.js';
import { parseReleaseFile } from '../../src/release/file.js';

/**
 * A variant's `from:` may name a local OCI layout or archive, as every
 * command's references may: kept as written (its path is taken from the
 * working directory when opened), checked like any layout reference.
 */
function withVariantFrom(from: string): string {
  return [
    'base:',
    '  files:',
    '    - from: dist/$TARGETARCH/tool',
    '      to: /tool',
    'variants:',
    `  - from: ${JSON.stringify(from)}`,
    '    suffixes: [local]',
  ].join('\n');
}

test('oci:, oci-archive: and docker-archive: bases are kept as written', () => {
  for (const from of [
    'oci:bases:busybox',
    'oci:./bases:bookworm',
    'oci:/abs/layout',
    'oci-archive:base.tar:v1',
    'docker-archive:base.tar:example.com/base:1',
  ]) {
    const file = parseReleaseFile(withVariantFrom(from));
    assert.equal(file.variants[0]?.from, from);
  }
});

test('a registry base is still normalised', () => {
  const file = parseReleaseFile(withVariantFrom('alpine:3.21'));
  assert.equal(file.variants[0]?.from, 'docker.io/library/alpine:3.21');
});

test('a layout base with an empty tag is refused naming line and field', () => {
  try {
    parseReleaseFile(withVariantFrom('oci:bases:'), 'release.yaml');
    assert.fail('no error for an empty tag');
  } catch (error) {
    assert.ok(error instanceof GantryError);
    assert.equal(error.code, ErrorCode.ReleaseFile);
    assert.match(
      error.message,
      /release\.yaml:6:\d+: variants\[0\]\.from: bad image reference/,
    );
  }
});

test('a docker-archive base without a path is refused naming line and field', () => {
  assert.throws(
    () => parseReleaseFile(withVariantFrom('docker-archive:'), 'release.yaml'),
    (error: unknown) =>
      error instanceof GantryError &&
      /release\.yaml:6:\d+: variants\[0\]\.from: docker-archive: needs a path/.test(
        error.message,
      ),
  );
});
