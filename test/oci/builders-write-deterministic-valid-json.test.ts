import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode } from '../../src/errors.js';
import { createIndex, createManifest } from '../../src/oci/create.js';
import { type Descriptor, EMPTY_DESCRIPTOR } from '../../src/oci/descriptor.js';
import { Digest } from '../../src/oci/digest.js';
import { parseManifest } from '../../src/oci/manifest.js';
import { MediaType } from '../../src/oci/mediatype.js';

const blob = (text: string, mediaType: string): Descriptor => {
  const bytes = new TextEncoder().encode(text);
  return { mediaType, digest: Digest.of(bytes), size: bytes.byteLength };
};
const config = blob('{"config":1}', MediaType.OciConfig);
const layer = blob('layer', MediaType.OciLayerGzip);
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

test('createManifest writes schemaVersion and mediaType first, compactly', () => {
  const manifest = createManifest({ config, layers: [layer] });
  const text = decode(manifest.bytes);
  assert.ok(
    text.startsWith(
      '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",',
    ),
  );
  assert.equal(/\s/.test(text), false);
  assert.equal(manifest.mediaType, MediaType.OciManifest);
  assert.equal(manifest.digest.toString(), Digest.of(manifest.bytes).toString());
  assert.equal(manifest.size, manifest.bytes.byteLength);
});

test('the manifest fields come in a fixed order whatever the input order', () => {
  const subject = blob('subject', MediaType.OciIndex);
  const one = createManifest({
    annotations: { b: '2', a: '1' },
    subject,
    artifactType: 'application/x.test',
    layers: [layer],
    config,
  });
  const two = createManifest({
    config,
    layers: [layer],
    artifactType: 'application/x.test',
    subject,
    annotations: { a: '1', b: '2' },
  });
  assert.equal(decode(one.bytes), decode(two.bytes));
  assert.deepEqual(Object.keys(JSON.parse(decode(one.bytes))), [
    'schemaVersion',
    'mediaType',
    'artifactType',
    'config',
    'layers',
    'subject',
    'annotations',
  ]);
});

test('a built manifest parses back to the same view and bytes', () => {
  const built = createManifest({ config, layers: [layer], annotations: { k: 'v' } });
  const parsed = parseManifest(built.bytes);
  assert.deepEqual(parsed, built);
});

test('createIndex writes an OCI index with annotations and entries in order', () => {
  const amd = createManifest({ config, layers: [layer] });
  const entries: Descriptor[] = [
    {
      mediaType: amd.mediaType,
      digest: amd.digest,
      size: amd.size,
      platform: { os: 'linux', architecture: 'amd64' },
    },
    {
      mediaType: amd.mediaType,
      digest: amd.digest,
      size: amd.size,
      platform: { os: 'linux', architecture: 'arm64' },
    },
  ];
  const index = createIndex({
    manifests: entries,
    annotations: { 'org.opencontainers.image.description': 'Demo' },
  });
  const json = JSON.parse(decode(index.bytes));
  assert.deepEqual(Object.keys(json), [
    'schemaVersion',
    'mediaType',
    'manifests',
    'annotations',
  ]);
  assert.equal(json.mediaType, MediaType.OciIndex);
  assert.deepEqual(json.annotations, { 'org.opencontainers.image.description': 'Demo' });
  assert.deepEqual(
    index.manifests.map((m) => m.platform?.architecture),
    ['amd64', 'arm64'],
  );
});

test('a Docker config makes a Docker manifest by default, keeping the family', () => {
  const dockerConfig = blob('{}', MediaType.DockerConfig);
  const manifest = createManifest({
    config: dockerConfig,
    layers: [blob('l', MediaType.DockerLayerGzip)],
  });
  assert.equal(manifest.mediaType, MediaType.DockerManifest);
});

test('annotations on a Docker manifest list fail loudly instead of vanishing', () => {
  assert.throws(
    () =>
      createIndex({
        mediaType: MediaType.DockerManifestList,
        manifests: [],
        annotations: { 'org.opencontainers.image.description': 'Demo' },
      }),
    { code: ErrorCode.SchemaViolation, message: /annotations/ },
  );
});

test('a Docker layer type inside an OCI manifest is refused, and the reverse', () => {
  assert.throws(
    () =>
      createManifest({ config, layers: [layer, blob('x', MediaType.DockerLayerGzip)] }),
    { code: ErrorCode.SchemaViolation, message: /docker type/ },
  );
  assert.throws(
    () =>
      createManifest({
        mediaType: MediaType.DockerManifest,
        config: blob('{}', MediaType.DockerConfig),
        layers: [layer],
      }),
    { code: ErrorCode.SchemaViolation, message: /oci type/ },
  );
});

test('artifact layers of no family fit in an OCI manifest', () => {
  const artifact = createManifest({
    artifactType: 'application/spdx+json',
    config: EMPTY_DESCRIPTOR,
    layers: [blob('{"spdx":1}', 'application/spdx+json')],
  });
  assert.equal(artifact.config.mediaType, MediaType.OciEmpty);
});

test('an empty config needs an artifactType', () => {
  assert.throws(
    () => createManifest({ config: EMPTY_DESCRIPTOR, layers: [EMPTY_DESCRIPTOR] }),
    {
      code: ErrorCode.SchemaViolation,
      message: /artifactType/,
    },
  );
});

test('a manifest without layers is refused for portability', () => {
  assert.throws(() => createManifest({ config, layers: [] }), {
    code: ErrorCode.SchemaViolation,
    message: /layers/,
  });
});

test('invalid descriptors and fields are refused before anything is written', () => {
  const bad: Array<[string, () => unknown]> = [
    [
      'negative size',
      () => createManifest({ config: { ...config, size: -1 }, layers: [layer] }),
    ],
    [
      'fractional size',
      () => createManifest({ config, layers: [{ ...layer, size: 0.5 }] }),
    ],
    [
      'media type',
      () => createManifest({ config, layers: [{ ...layer, mediaType: 'x' }] }),
    ],
    [
      'annotation value',
      () =>
        createManifest({
          config,
          layers: [layer],
          annotations: { k: 1 } as unknown as Record<string, string>,
        }),
    ],
    [
      'relative url',
      () => createManifest({ config, layers: [{ ...layer, urls: ['/x'] }] }),
    ],
    [
      'data mismatch',
      () => createManifest({ config, layers: [{ ...layer, data: 'e30=' }] }),
    ],
    [
      'platform',
      () =>
        createIndex({
          manifests: [{ ...config, platform: { os: 'linux', architecture: '' } }],
        }),
    ],
    [
      'index type',
      () => createIndex({ manifests: [], mediaType: MediaType.OciManifest }),
    ],
    [
      'type parameters',
      () =>
        createIndex({ manifests: [], mediaType: `${MediaType.OciIndex}; charset=utf-8` }),
    ],
    [
      'manifest type',
      () => createManifest({ config, layers: [layer], mediaType: MediaType.OciIndex }),
    ],
    [
      'artifactType',
      () => createIndex({ manifests: [], artifactType: 'not a media type' }),
    ],
  ];
  for (const [what, build] of bad) {
    assert.throws(build, { code: ErrorCode.SchemaViolation }, what);
  }
});

test('an index that would exceed 4 MiB is refused with ManifestTooLarge', () => {
  const entry = { ...config, annotations: { pad: 'x'.repeat(1024) } };
  const manifests = Array.from({ length: 4200 }, () => entry);
  assert.throws(() => createIndex({ manifests }), { code: ErrorCode.ManifestTooLarge });
});
