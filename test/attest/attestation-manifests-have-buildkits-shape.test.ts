import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PREDICATE_TYPE_ANNOTATION } from '../../src/attest/manifest.js';
import type { BuildResult } from '../../src/build/build-image.js';
import { AnnotationKey, isAttestation } from '../../src/oci/descriptor.js';
import { Digest } from '../../src/oci/digest.js';
import type { ImageIndex, ImageManifest, Manifest } from '../../src/oci/manifest.js';
import { parseManifest } from '../../src/oci/manifest.js';
import { RegistryClient } from '../../src/registry/client.js';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';
import {
  ARCHIVE_FILE,
  layoutFromTar,
  SCHEMA_DIR,
  skipUnless,
} from '../oci/real-images.js';
import {
  buildAttested,
  loadSchemas,
  readJson,
  readManifest,
  writeTools,
} from './support.js';

// gantry's attestation manifests against BuildKit's, field by field: the
// fixture (../shared/fixtures/buildkit, an OCI archive BuildKit wrote) is
// the reference for the shape, never for the content.

const skip = skipUnless(ARCHIVE_FILE) || skipUnless(SCHEMA_DIR);
const client = new RegistryClient();
let dir = '';
let result: BuildResult;
let index: ImageIndex;
let reference: { index: ImageIndex; manifest: ImageManifest; config: unknown };

before(async () => {
  if (skip !== false) return;
  dir = makeTempDir('gantry-attest-shape-');
  writeTools(dir);
  result = await buildAttested(client, dir, {
    provenance: true,
    sbom: false,
    mode: 'index',
  });
  index = result.index!;
  reference = buildKitReference();
});

after(async () => {
  await result?.dispose();
  await client.close();
  removeTempDir(dir);
});

function buildKitReference() {
  const files = layoutFromTar(ARCHIVE_FILE);
  const parse = (bytes: Uint8Array, mediaType: string): Manifest =>
    parseManifest(bytes, { descriptorMediaType: mediaType });
  const top = parse(files.index, 'application/vnd.oci.image.index.v1+json') as ImageIndex;
  const nested = top.manifests[0]!;
  const inner = parse(files.blob(nested.digest), nested.mediaType) as ImageIndex;
  const entry = inner.manifests.find(isAttestation)!;
  const manifest = parse(files.blob(entry.digest), entry.mediaType) as ImageManifest;
  const config = JSON.parse(new TextDecoder().decode(files.blob(manifest.config.digest)));
  return { index: inner, manifest, config };
}

describe('attestation manifests in the index, as BuildKit lays them out', {
  skip,
}, () => {
  it('one attestation entry per platform, after the platforms, like the fixture', () => {
    const kinds = (i: ImageIndex) => i.manifests.map((m) => isAttestation(m));
    assert.deepEqual(kinds(index), kinds(reference.index));
    assert.equal(index.manifests.length, 4);
  });

  it('entries carry the fixture media type, platform and annotation keys', () => {
    const theirs = reference.index.manifests.find(isAttestation)!;
    for (const ours of index.manifests.filter(isAttestation)) {
      assert.equal(ours.mediaType, theirs.mediaType);
      assert.deepEqual(ours.platform, theirs.platform);
      assert.deepEqual(ours.platform, { architecture: 'unknown', os: 'unknown' });
      assert.deepEqual(
        Object.keys(ours.annotations!).sort(),
        Object.keys(theirs.annotations!).sort(),
      );
      assert.equal(
        ours.annotations![AnnotationKey.ReferenceType],
        theirs.annotations![AnnotationKey.ReferenceType],
      );
    }
  });

  it('each reference digest names a platform manifest of the same index', () => {
    const platforms = index.manifests.filter((m) => !isAttestation(m));
    const named = index.manifests
      .filter(isAttestation)
      .map((m) => m.annotations![AnnotationKey.ReferenceDigest]);
    assert.deepEqual(
      named,
      platforms.map((m) => `${m.digest}`),
    );
    assert.deepEqual(
      platforms.map((m) => `${m.digest}`),
      result.manifests.map((m) => `${m.manifest.digest}`),
    );
  });

  it('the attestation manifest has the fixture config and layer shape', async () => {
    const theirs = reference.manifest;
    for (const entry of index.manifests.filter(isAttestation)) {
      const ours = (await readManifest(result.staging, entry)) as ImageManifest;
      assert.equal(ours.mediaType, theirs.mediaType);
      assert.equal(ours.config.mediaType, theirs.config.mediaType);
      assert.equal(ours.layers.length, theirs.layers.length);
      const [layer] = ours.layers;
      assert.equal(layer!.mediaType, theirs.layers[0]!.mediaType);
      assert.deepEqual(
        Object.keys(layer!.annotations!),
        Object.keys(theirs.layers[0]!.annotations!),
      );
      assert.equal(
        layer!.annotations![PREDICATE_TYPE_ANNOTATION],
        'https://slsa.dev/provenance/v1',
      );

      const config = (await readJson(result.staging, ours.config)) as Record<
        string,
        unknown
      >;
      const their = reference.config as Record<string, unknown>;
      assert.deepEqual(Object.keys(config), Object.keys(their));
      assert.equal(config.architecture, their.architecture);
      assert.equal(config.os, their.os);
      assert.deepEqual(config.config, their.config);
      assert.deepEqual(config.rootfs, { type: 'layers', diff_ids: [`${layer!.digest}`] });
    }
  });

  it('the statement has the fixture envelope with an empty subject', async () => {
    const entry = index.manifests.find(isAttestation)!;
    const manifest = (await readManifest(result.staging, entry)) as ImageManifest;
    const bytes = await result.staging.fetchBytes(manifest.layers[0]!);
    assert.equal(`${Digest.of(bytes)}`, `${manifest.layers[0]!.digest}`);
    const statement = JSON.parse(new TextDecoder().decode(bytes));
    assert.deepEqual(Object.keys(statement).sort(), [
      '_type',
      'predicate',
      'predicateType',
      'subject',
    ]);
    assert.equal(statement._type, 'https://in-toto.io/Statement/v1');
    assert.deepEqual(statement.subject, []);
  });

  it('index, manifests and config validate against the image-spec schemas', async () => {
    const schemas = loadSchemas(SCHEMA_DIR);
    const check = (kind: string, json: unknown, what: string) => {
      const validate = schemas[kind]!;
      assert.ok(validate(json), `${what}: ${JSON.stringify(validate.errors)}`);
    };
    check('index', JSON.parse(new TextDecoder().decode(index.bytes)), 'index');
    for (const entry of index.manifests.filter(isAttestation)) {
      const manifest = (await readManifest(result.staging, entry)) as ImageManifest;
      check('manifest', JSON.parse(new TextDecoder().decode(manifest.bytes)), 'manifest');
      check('config', await readJson(result.staging, manifest.config), 'config');
    }
  });
});
