import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode } from '../../src/errors.js';
import {
  attestedDigest,
  type Descriptor,
  descriptorToJSON,
  EMPTY_DESCRIPTOR,
  EMPTY_JSON_BYTES,
  isAttestation,
  parseDescriptor,
} from '../../src/oci/descriptor.js';
import { Digest } from '../../src/oci/digest.js';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;

test('a full descriptor parses into its value type', () => {
  const d = parseDescriptor(
    {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: A,
      size: 527,
      urls: ['https://example.com/blob'],
      annotations: { 'org.example': 'x' },
      artifactType: 'application/spdx+json',
      data: 'e30=',
      platform: { architecture: 'arm', os: 'linux', variant: 'v7', 'os.features': ['f'] },
    },
    'test',
  );
  assert.equal(d.digest.toString(), A);
  assert.equal(d.size, 527);
  assert.deepEqual(d.platform, {
    os: 'linux',
    architecture: 'arm',
    variant: 'v7',
    osFeatures: ['f'],
  });
  assert.deepEqual(d.urls, ['https://example.com/blob']);
  assert.equal(d.artifactType, 'application/spdx+json');
});

test('invalid descriptors are refused with the field named', () => {
  const good = { mediaType: 'application/octet-stream', digest: A, size: 1 };
  const bad: Array<[Record<string, unknown>, RegExp]> = [
    [{ ...good, size: -1 }, /size/],
    [{ ...good, size: 1.5 }, /size/],
    [{ ...good, size: 2 ** 53 }, /size/],
    [{ ...good, size: '1' }, /size/],
    [{ ...good, digest: 'sha256:abc' }, /digest/],
    [{ ...good, digest: `md5:${'a'.repeat(32)}` }, /digest/],
    [{ ...good, mediaType: 'not a type' }, /mediaType/],
    [{ ...good, mediaType: undefined }, /mediaType/],
    [{ ...good, annotations: { k: 1 } }, /annotations/],
    [{ ...good, urls: 'https://x' }, /urls/],
    [{ ...good, data: 'not base64!' }, /data/],
    [{ ...good, platform: { os: 'linux' } }, /architecture/],
  ];
  for (const [json, field] of bad) {
    assert.throws(
      () => parseDescriptor(json, 'entry'),
      (error: unknown) => {
        const e = error as { code: string; message: string };
        assert.equal(e.code, ErrorCode.InvalidManifest);
        assert.match(e.message, field);
        assert.match(e.message, /^entry/);
        return true;
      },
      JSON.stringify(json),
    );
  }
  assert.throws(() => parseDescriptor([], 'entry'), { code: ErrorCode.InvalidManifest });
});

test('descriptorToJSON writes fields in spec order with sorted annotations', () => {
  const d: Descriptor = {
    platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
    data: 'e30=',
    annotations: { z: '1', a: '2' },
    urls: ['https://example.com/x'],
    size: 2,
    digest: Digest.parse(A),
    artifactType: 'application/x.test',
    mediaType: 'application/vnd.oci.empty.v1+json',
  };
  const json = descriptorToJSON(d);
  assert.deepEqual(Object.keys(json), [
    'mediaType',
    'artifactType',
    'digest',
    'size',
    'urls',
    'annotations',
    'data',
    'platform',
  ]);
  assert.deepEqual(Object.keys(json.annotations ?? {}), ['a', 'z']);
  assert.equal(
    JSON.stringify(json.platform),
    '{"architecture":"arm64","os":"linux","variant":"v8"}',
  );
  assert.deepEqual(parseDescriptor(JSON.parse(JSON.stringify(json)), 'round trip'), {
    ...d,
    annotations: { a: '2', z: '1' },
  });
});

test('the empty descriptor describes the two bytes {}', () => {
  assert.equal(new TextDecoder().decode(EMPTY_JSON_BYTES), '{}');
  assert.equal(EMPTY_DESCRIPTOR.mediaType, 'application/vnd.oci.empty.v1+json');
  assert.equal(EMPTY_DESCRIPTOR.size, EMPTY_JSON_BYTES.byteLength);
  assert.equal(
    Digest.of(EMPTY_JSON_BYTES).toString(),
    EMPTY_DESCRIPTOR.digest.toString(),
  );
  assert.equal(
    EMPTY_DESCRIPTOR.digest.toString(),
    'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
  );
  assert.equal(Buffer.from(EMPTY_DESCRIPTOR.data ?? '', 'base64').toString(), '{}');
  assert.equal(Object.isFrozen(EMPTY_DESCRIPTOR), true);
});

test('an attestation entry is recognised and names the manifest it describes', () => {
  const entry = parseDescriptor(
    {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: A,
      size: 839,
      annotations: {
        'vnd.docker.reference.digest': B,
        'vnd.docker.reference.type': 'attestation-manifest',
      },
      platform: { architecture: 'unknown', os: 'unknown' },
    },
    'entry',
  );
  assert.equal(isAttestation(entry), true);
  assert.equal(attestedDigest(entry)?.toString(), B);
});

test('other entries are not attestations', () => {
  const plain = parseDescriptor(
    { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: A, size: 1 },
    'entry',
  );
  const builder = {
    ...plain,
    annotations: {
      'vnd.docker.reference.type': 'builder',
      'vnd.docker.reference.digest': B,
    },
  };
  assert.equal(isAttestation(plain), false);
  assert.equal(isAttestation(builder), false);
  assert.equal(attestedDigest(builder), undefined);
});

test('an attestation with a malformed reference digest is an error, not ignored', () => {
  const entry = parseDescriptor(
    {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: A,
      size: 1,
      annotations: {
        'vnd.docker.reference.type': 'attestation-manifest',
        'vnd.docker.reference.digest': 'sha256:nope',
      },
    },
    'entry',
  );
  assert.throws(() => attestedDigest(entry), { code: ErrorCode.InvalidManifest });
});
