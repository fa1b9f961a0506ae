import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode } from '../../src/errors.js';
import { parseManifest } from '../../src/oci/manifest.js';
import { MediaType } from '../../src/oci/mediatype.js';

const A = `sha256:${'a'.repeat(64)}`;
const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

// An OCI index without a top-level mediaType, as buildah pushed them.
const untypedIndex = encode({
  schemaVersion: 2,
  manifests: [
    {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: A,
      size: 969,
      platform: { architecture: 'amd64', os: 'linux' },
    },
  ],
});
const untypedManifest = encode({
  schemaVersion: 2,
  config: { mediaType: MediaType.OciConfig, digest: A, size: 5 },
  layers: [{ mediaType: MediaType.OciLayerGzip, digest: A, size: 7 }],
});

test('an index without mediaType served as an OCI index is an OCI index', () => {
  const index = parseManifest(untypedIndex, {
    contentType: 'application/vnd.oci.image.index.v1+json',
  });
  assert.equal(index.kind, 'index');
  assert.equal(index.mediaType, MediaType.OciIndex);
  assert.equal(index.kind === 'index' && index.manifests.length, 1);
});

test('with no type, shape decides: manifests ⇒ index, config+layers ⇒ manifest', () => {
  const index = parseManifest(untypedIndex, { contentType: 'application/octet-stream' });
  assert.equal(index.kind, 'index');
  assert.equal(index.mediaType, MediaType.OciIndex);

  const manifest = parseManifest(untypedManifest);
  assert.equal(manifest.kind, 'manifest');
  assert.equal(manifest.mediaType, MediaType.OciManifest);
});

test('the parent descriptor type classifies when there is no Content-Type', () => {
  const index = parseManifest(untypedIndex, { descriptorMediaType: MediaType.OciIndex });
  assert.equal(index.mediaType, MediaType.OciIndex);
});

test('Content-Type parameters are ignored', () => {
  const index = parseManifest(untypedIndex, {
    contentType: 'application/vnd.oci.image.index.v1+json; charset=utf-8',
  });
  assert.equal(index.mediaType, MediaType.OciIndex);
});

test('the body mediaType classifies when the outer type says nothing', () => {
  const list = encode({
    schemaVersion: 2,
    mediaType: MediaType.DockerManifestList,
    manifests: [],
  });
  const parsed = parseManifest(list, { contentType: 'application/json' });
  assert.equal(parsed.kind, 'index');
  assert.equal(parsed.mediaType, MediaType.DockerManifestList);
});

test('a Content-Type that contradicts the body mediaType is an error', () => {
  const typed = encode({
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: { mediaType: MediaType.OciConfig, digest: A, size: 5 },
    layers: [],
  });
  assert.throws(() => parseManifest(typed, { contentType: MediaType.DockerManifest }), {
    code: ErrorCode.InvalidManifest,
    message: /Content-Type/,
  });
});

test('Content-Type and parent descriptor naming different types is an error', () => {
  assert.throws(
    () =>
      parseManifest(untypedIndex, {
        contentType: MediaType.OciIndex,
        descriptorMediaType: MediaType.OciManifest,
      }),
    { code: ErrorCode.InvalidManifest },
  );
});

test('an outer type that contradicts the shape is an error', () => {
  assert.throws(
    () => parseManifest(untypedIndex, { contentType: MediaType.OciManifest }),
    {
      code: ErrorCode.InvalidManifest,
    },
  );
  assert.throws(
    () => parseManifest(untypedManifest, { contentType: MediaType.OciIndex }),
    {
      code: ErrorCode.InvalidManifest,
    },
  );
});

test('a body with both manifests and config/layers and no type is ambiguous', () => {
  const both = encode({ schemaVersion: 2, manifests: [], config: {}, layers: [] });
  assert.throws(() => parseManifest(both), { code: ErrorCode.InvalidManifest });
});

test('a body with neither shape is an error', () => {
  assert.throws(() => parseManifest(encode({ schemaVersion: 2 })), {
    code: ErrorCode.InvalidManifest,
    message: /neither/,
  });
});

test('a body mediaType that is not a manifest type is an error', () => {
  const odd = encode({ schemaVersion: 2, mediaType: MediaType.OciConfig, manifests: [] });
  assert.throws(() => parseManifest(odd), { code: ErrorCode.InvalidManifest });
});

test('Docker schema 1 is refused with a clear message, however it is recognised', () => {
  const schema1 = encode({ schemaVersion: 1, name: 'x', tag: 'y', fsLayers: [] });
  for (const hints of [
    {},
    { contentType: MediaType.DockerManifestSchema1Signed },
    { descriptorMediaType: MediaType.DockerManifestSchema1 },
  ]) {
    assert.throws(() => parseManifest(schema1, hints), {
      code: ErrorCode.InvalidManifest,
      message: /schema 1/,
    });
  }
});

test('the 1.1-rc artifact manifest is refused', () => {
  const artifact = encode({
    mediaType: MediaType.OciArtifactManifest,
    artifactType: 'application/x.test',
    blobs: [],
  });
  assert.throws(() => parseManifest(artifact), {
    code: ErrorCode.InvalidManifest,
    message: /artifact manifest/,
  });
});
