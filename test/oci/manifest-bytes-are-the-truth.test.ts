import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode } from '../../src/errors.js';
import { Digest } from '../../src/oci/digest.js';
import {
  describeManifest,
  MAX_MANIFEST_BYTES,
  parseManifest,
} from '../../src/oci/manifest.js';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;

// Written by hand with spaces, unusual key order and an unknown field: none of
// that may be lost, and the digest is over these bytes exactly.
const text = `{
  "layers": [ {"size": 10, "digest": "${B}",
               "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip"} ],
  "x-unknown": {"kept": true},
  "schemaVersion": 2,
  "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
             "digest": "${A}", "size": 5},
  "mediaType": "application/vnd.oci.image.manifest.v1+json",
  "annotations": {"org.opencontainers.image.created": "2024-05-01T00:00:00Z"}
}
`;
const bytes = new TextEncoder().encode(text);

test('the parsed manifest keeps the exact bytes and digests them', () => {
  const manifest = parseManifest(bytes);
  assert.equal(manifest.bytes, bytes);
  assert.equal(manifest.size, bytes.byteLength);
  assert.equal(manifest.digest.toString(), Digest.of(bytes).toString());
  assert.equal(manifest.kind, 'manifest');
  if (manifest.kind !== 'manifest') return;

  assert.equal(manifest.mediaType, 'application/vnd.oci.image.manifest.v1+json');
  assert.equal(manifest.config.digest.toString(), A);
  assert.equal(manifest.layers.length, 1);
  assert.equal(manifest.layers[0]?.size, 10);
  assert.deepEqual(manifest.annotations, {
    'org.opencontainers.image.created': '2024-05-01T00:00:00Z',
  });
});

test('an expected digest is verified against the bytes', () => {
  const digest = Digest.of(bytes);
  assert.equal(
    parseManifest(bytes, { expectedDigest: digest }).digest.equals(digest),
    true,
  );
  assert.throws(() => parseManifest(bytes, { expectedDigest: Digest.parse(A) }), {
    code: ErrorCode.DigestMismatch,
  });
});

test('a sha512 expected digest is checked with sha512', () => {
  const digest = Digest.of(bytes, 'sha512');
  const manifest = parseManifest(bytes, { expectedDigest: digest });
  assert.equal(manifest.digest.toString(), digest.toString());
});

test('manifests over 4 MiB are refused before parsing', () => {
  assert.equal(MAX_MANIFEST_BYTES, 4 * 1024 * 1024);
  // Not JSON at all: the size check must come first.
  const huge = new Uint8Array(MAX_MANIFEST_BYTES + 1).fill(0x20);
  assert.throws(() => parseManifest(huge), { code: ErrorCode.ManifestTooLarge });
});

test('a manifest of exactly 4 MiB is not refused for its size', () => {
  const padding = ' '.repeat(MAX_MANIFEST_BYTES - bytes.byteLength);
  const exact = new TextEncoder().encode(text + padding);
  assert.equal(exact.byteLength, MAX_MANIFEST_BYTES);
  assert.equal(parseManifest(exact).size, MAX_MANIFEST_BYTES);
});

test('bytes that are not UTF-8 JSON are InvalidManifest', () => {
  for (const raw of [
    new TextEncoder().encode('{"schemaVersion":2,'),
    new Uint8Array([0x7b, 0xff, 0x7d]),
    new TextEncoder().encode('[]'),
    new TextEncoder().encode('null'),
  ]) {
    assert.throws(() => parseManifest(raw), { code: ErrorCode.InvalidManifest });
  }
});

test('schemaVersion must be 2', () => {
  for (const version of ['3', '"2"', 'null']) {
    const raw = `{"schemaVersion":${version},"manifests":[]}`;
    assert.throws(() => parseManifest(new TextEncoder().encode(raw)), {
      code: ErrorCode.InvalidManifest,
    });
  }
});

test('an index with manifests null reads as empty (Go writes nil slices so)', () => {
  const raw =
    '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json",' +
    '"manifests":null}';
  const index = parseManifest(new TextEncoder().encode(raw));
  assert.equal(index.kind, 'index');
  assert.deepEqual(index.kind === 'index' ? index.manifests : undefined, []);
});

test('subject and artifactType are read', () => {
  const raw = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    artifactType: 'application/spdx+json',
    config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: A, size: 2 },
    layers: [{ mediaType: 'application/spdx+json', digest: B, size: 3 }],
    subject: { mediaType: 'application/vnd.oci.image.index.v1+json', digest: B, size: 9 },
  });
  const manifest = parseManifest(new TextEncoder().encode(raw));
  assert.equal(manifest.artifactType, 'application/spdx+json');
  assert.equal(manifest.subject?.digest.toString(), B);
  assert.equal(describeManifest(manifest).artifactType, 'application/spdx+json');
});

test('describeManifest gives the descriptor an index entry needs', () => {
  const manifest = parseManifest(bytes);
  const d = describeManifest(manifest, {
    platform: { os: 'linux', architecture: 'amd64' },
  });
  assert.equal(d.mediaType, manifest.mediaType);
  assert.equal(d.digest, manifest.digest);
  assert.equal(d.size, bytes.byteLength);
  assert.deepEqual(d.platform, { os: 'linux', architecture: 'amd64' });
});
