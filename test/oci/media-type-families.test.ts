import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode } from '../../src/errors.js';
import {
  assertMediaType,
  baseMediaType,
  familyOf,
  isImageManifestType,
  isIndexType,
  isManifestType,
  isNondistributableType,
  isSchema1Type,
  MANIFEST_ACCEPT,
  MediaType,
} from '../../src/oci/mediatype.js';

test('the manifest Accept list puts OCI types before Docker types', () => {
  assert.deepEqual(
    [...MANIFEST_ACCEPT],
    [
      'application/vnd.oci.image.index.v1+json',
      'application/vnd.oci.image.manifest.v1+json',
      'application/vnd.docker.distribution.manifest.list.v2+json',
      'application/vnd.docker.distribution.manifest.v2+json',
    ],
  );
  assert.equal(Object.isFrozen(MANIFEST_ACCEPT), true);
});

test('the Accept list leaves out schema 1 and the 1.1-rc artifact manifest', () => {
  assert.equal(MANIFEST_ACCEPT.includes(MediaType.DockerManifestSchema1Signed), false);
  assert.equal(MANIFEST_ACCEPT.includes(MediaType.OciArtifactManifest), false);
});

test('indexes and image manifests of both families are told apart', () => {
  assert.equal(isIndexType(MediaType.OciIndex), true);
  assert.equal(isIndexType(MediaType.DockerManifestList), true);
  assert.equal(isIndexType(MediaType.OciManifest), false);
  assert.equal(isImageManifestType(MediaType.OciManifest), true);
  assert.equal(isImageManifestType(MediaType.DockerManifest), true);
  assert.equal(isImageManifestType(MediaType.OciIndex), false);
  for (const type of MANIFEST_ACCEPT) assert.equal(isManifestType(type), true, type);
});

test('schema 1, the artifact manifest and other types are not manifest types', () => {
  for (const type of [
    MediaType.DockerManifestSchema1,
    MediaType.DockerManifestSchema1Signed,
    MediaType.OciArtifactManifest,
    MediaType.OciConfig,
    MediaType.OciEmpty,
    MediaType.InToto,
    'application/json',
  ]) {
    assert.equal(isManifestType(type), false, type);
  }
  assert.equal(isSchema1Type(MediaType.DockerManifestSchema1Signed), true);
  assert.equal(isSchema1Type(MediaType.DockerManifest), false);
});

test('media types are compared without parameters and case', () => {
  assert.equal(baseMediaType(' Application/JSON ; charset=utf-8'), 'application/json');
  assert.equal(isIndexType(`${MediaType.OciIndex}; charset=utf-8`), true);
  assert.equal(isImageManifestType(MediaType.DockerManifest.toUpperCase()), true);
});

test('familyOf names the family of each known type', () => {
  for (const [key, type] of Object.entries(MediaType)) {
    const expected = key.startsWith('Oci')
      ? 'oci'
      : key.startsWith('Docker')
        ? 'docker'
        : undefined;
    assert.equal(familyOf(type), expected, type);
  }
  assert.equal(familyOf('application/spdx+json'), undefined);
});

test('nondistributable and foreign layers are recognised', () => {
  assert.equal(isNondistributableType(MediaType.OciLayerNondistributableGzip), true);
  assert.equal(isNondistributableType(MediaType.DockerForeignLayer), true);
  assert.equal(isNondistributableType(MediaType.OciLayerGzip), false);
});

test('assertMediaType follows the RFC 6838 grammar of the image-spec schema', () => {
  assertMediaType('application/vnd.example+json', 'test');
  for (const bad of [
    '',
    'application',
    'application/',
    '/json',
    'a b/c',
    'text/plain; x=1',
  ]) {
    assert.throws(
      () => assertMediaType(bad, 'test'),
      { code: ErrorCode.InvalidMediaType },
      bad,
    );
  }
});
