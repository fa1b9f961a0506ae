import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attestedDigest, isAttestation } from '../../src/oci/descriptor.js';
import { Digest } from '../../src/oci/digest.js';
import { parseManifest } from '../../src/oci/manifest.js';
import { MediaType } from '../../src/oci/mediatype.js';
import { parsePlatform } from '../../src/oci/platform.js';
import { selectPlatform } from '../../src/oci/platform-match.js';
import {
  ARCHIVE_FILE,
  LAYOUT_DIR,
  type LayoutFiles,
  layoutFromDir,
  layoutFromTar,
  parseConfigs,
  skipUnless,
  walkLayout,
} from './real-images.js';

// Real images written by buildx, BuildKit and regctl (../shared/fixtures):
// every manifest and index parses, keeps its bytes, and has the digest its
// file is named by; BuildKit's attestation entries are recognised.

function assertByteIdentical(layout: LayoutFiles): number {
  const walked = walkLayout(layout);
  for (const manifest of walked.manifests) {
    const file = layout.blob(manifest.digest);
    assert.deepEqual(manifest.bytes, file);
    assert.equal(manifest.size, file.byteLength);
    assert.equal(manifest.digest.toString(), Digest.of(file).toString());
  }
  assert.ok(parseConfigs(walked) > 0);
  return walked.manifests.length;
}

test('every manifest and index of the buildx layout parses byte-identically', {
  skip: skipUnless(LAYOUT_DIR),
}, () => {
  const count = assertByteIdentical(layoutFromDir(LAYOUT_DIR));
  assert.ok(count >= 25, `walked ${count} manifests`);
});

test('every manifest-shaped blob in the layout parses without hints', {
  skip: skipUnless(LAYOUT_DIR),
}, () => {
  const layout = layoutFromDir(LAYOUT_DIR);
  let manifests = 0;
  for (const name of layout.blobNames()) {
    const digest = Digest.parse(name);
    const bytes = layout.blob(digest);
    const body = tryJson(bytes);
    if (body === undefined || !('manifests' in body || 'layers' in body)) continue;

    const manifest = parseManifest(bytes);
    assert.equal(manifest.digest.toString(), name);
    manifests++;
  }
  assert.ok(manifests >= 25, `parsed ${manifests} blobs`);
});

test('buildx builder entries are not attestations and are never selected', {
  skip: skipUnless(LAYOUT_DIR),
}, () => {
  const layout = layoutFromDir(LAYOUT_DIR);
  const v1 = walkLayout(layout).manifests.find(
    (m) =>
      m.digest.toString() ===
      `sha256:7ceb9b6bcc274697d0c38be6214b50cec79d601bc61708747d3f6cb772f6c6fa`,
  );
  assert.ok(v1 !== undefined && v1.kind === 'index');
  if (v1.kind !== 'index') return;

  const builders = v1.manifests.filter((m) => m.platform?.os === 'unknown');
  assert.equal(builders.length, 2);
  assert.equal(builders.some(isAttestation), false);
  const arm64 = selectPlatform(parsePlatform('linux/arm64/v8'), v1.manifests);
  assert.equal(arm64?.platform?.architecture, 'arm64');
});

test('the BuildKit OCI archive parses byte-identically', {
  skip: skipUnless(ARCHIVE_FILE),
}, () => {
  const count = assertByteIdentical(layoutFromTar(ARCHIVE_FILE));
  assert.equal(count, 5);
});

test('BuildKit attestation manifests are recognised and point at a sibling', {
  skip: skipUnless(ARCHIVE_FILE),
}, () => {
  const walked = walkLayout(layoutFromTar(ARCHIVE_FILE));
  const index = walked.manifests.find(
    (m) => m.kind === 'index' && m.manifests.some(isAttestation),
  );
  assert.ok(index !== undefined && index.kind === 'index');
  if (index.kind !== 'index') return;

  const attestations = index.manifests.filter(isAttestation);
  const images = index.manifests.filter((m) => !isAttestation(m));
  assert.equal(attestations.length, 2);
  assert.deepEqual(images.map((m) => m.platform?.architecture).sort(), [
    'amd64',
    'arm64',
  ]);
  for (const attestation of attestations) {
    assert.deepEqual(attestation.platform, { os: 'unknown', architecture: 'unknown' });
    const described = attestedDigest(attestation);
    assert.ok(images.some((m) => described !== undefined && m.digest.equals(described)));
  }

  const manifests = walked.manifests.filter((m) => m.kind === 'manifest');
  const inToto = manifests.filter(
    (m) =>
      m.kind === 'manifest' && m.layers.some((l) => l.mediaType === MediaType.InToto),
  );
  assert.equal(inToto.length, 2);
});

function tryJson(bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return typeof value === 'object' && value !== null
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
