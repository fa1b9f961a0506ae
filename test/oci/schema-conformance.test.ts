import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Ajv, type ValidateFunction } from 'ajv';
import * as ajvFormats from 'ajv-formats';
import { createIndex, createManifest } from '../../src/oci/create.js';
import {
  type Descriptor,
  descriptorToJSON,
  EMPTY_DESCRIPTOR,
  parseDescriptor,
} from '../../src/oci/descriptor.js';
import { Digest } from '../../src/oci/digest.js';
import type { Manifest } from '../../src/oci/manifest.js';
import { MediaType } from '../../src/oci/mediatype.js';
import {
  ARCHIVE_FILE,
  LAYOUT_DIR,
  layoutFromDir,
  layoutFromTar,
  SCHEMA_DIR,
  skipUnless,
  walkLayout,
} from './real-images.js';

// What gantry writes, and what it reads and passes on, checked against the
// official image-spec v1.1.1 JSON schemas (../shared/conformance), which the
// library itself must not depend on.

const skip = skipUnless(SCHEMA_DIR);
const validators = skip === false ? loadSchemas(SCHEMA_DIR) : undefined;

/**
 * The schemas are draft-04 with `id` base URIs that do not resolve to one
 * another (`defs.json` is referenced from three different bases). As the
 * image-spec's own Go test loader does, serve every file under one base:
 * top-level `id` replaced by `$id: <base>/<file>`, nested `id`s (labels
 * only) dropped, `$schema` dropped so ajv's default draft applies. No
 * draft-04 keyword that differs in later drafts is used by these files.
 */
function loadSchemas(dir: string): Record<string, ValidateFunction> {
  const base = 'https://schemas.gantry.test/image-spec/';
  const ajv = new Ajv({ strict: false, allErrors: true });
  const addFormats = (ajvFormats.default ?? ajvFormats) as unknown as (a: Ajv) => void;
  addFormats(ajv);

  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const schema = stripIds(JSON.parse(readFileSync(join(dir, file), 'utf8')));
    ajv.addSchema({ ...(schema as object), $id: base + file });
  }
  const get = (file: string) => ajv.getSchema(base + file)!;
  return {
    manifest: get('image-manifest-schema.json'),
    index: get('image-index-schema.json'),
    config: get('config-schema.json'),
    descriptor: get('content-descriptor.json'),
  };
}

function stripIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripIds);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if ((key === 'id' && typeof item === 'string') || key === '$schema') continue;
    out[key] = stripIds(item);
  }
  return out;
}

function assertConforms(kind: string, json: unknown, what: string): void {
  const validate = validators![kind]!;
  const ok = validate(json);
  assert.ok(ok, `${what}: ${JSON.stringify(validate.errors)}`);
}

function assertManifestConforms(m: Manifest, what: string): void {
  assertConforms(m.kind, JSON.parse(new TextDecoder().decode(m.bytes)), what);
}

const blob = (text: string, mediaType: string): Descriptor => {
  const bytes = new TextEncoder().encode(text);
  return { mediaType, digest: Digest.of(bytes), size: bytes.byteLength };
};

test('the schema validators reject what they should (control)', { skip }, () => {
  assert.equal(
    validators!.manifest!({ schemaVersion: 3, config: {}, layers: [] }),
    false,
  );
  assert.equal(validators!.index!({ schemaVersion: 2 }), false);
  const d = { mediaType: 'a/b', digest: `sha256:${'0'.repeat(64)}`, size: 1 };
  const good = { schemaVersion: 2, config: d, layers: [d] };
  assert.equal(validators!.manifest!(good), true);
  assert.equal(
    validators!.manifest!({ ...good, layers: [{ ...d, digest: 'bad' }] }),
    false,
  );
  assert.equal(
    validators!.manifest!({ ...good, config: { ...d, urls: ['a b'] } }),
    false,
  );
  assert.equal(validators!.descriptor!({ mediaType: 'x', digest: 'y', size: 1 }), false);
  assert.equal(validators!.config!({ architecture: 'amd64', os: 'linux' }), false);
  assert.equal(
    validators!.index!({
      schemaVersion: 2,
      manifests: [
        { mediaType: 'a/b', digest: 'sha256:00', size: 1, annotations: { k: 1 } },
      ],
    }),
    false,
  );
});

test('every builder output conforms to the image-spec schemas', { skip }, () => {
  const config = blob('{"architecture":"amd64"}', MediaType.OciConfig);
  const layer = {
    ...blob('layer', MediaType.OciLayerGzip),
    urls: ['https://example.com/l'],
  };
  const image = createManifest({ config, layers: [layer], annotations: { a: 'b' } });
  const artifact = createManifest({
    artifactType: 'application/spdx+json',
    config: EMPTY_DESCRIPTOR,
    layers: [{ ...blob('{}', 'application/spdx+json'), annotations: { t: 'sbom' } }],
    subject: { mediaType: image.mediaType, digest: image.digest, size: image.size },
  });
  const docker = createManifest({
    config: blob('{}', MediaType.DockerConfig),
    layers: [blob('l', MediaType.DockerLayerGzip)],
  });
  const index = createIndex({
    manifests: [
      {
        mediaType: image.mediaType,
        digest: image.digest,
        size: image.size,
        platform: { os: 'linux', architecture: 'arm', variant: 'v7', osFeatures: ['x'] },
      },
      {
        mediaType: artifact.mediaType,
        digest: artifact.digest,
        size: artifact.size,
        artifactType: 'application/spdx+json',
        annotations: { 'vnd.docker.reference.type': 'attestation-manifest' },
        platform: { os: 'unknown', architecture: 'unknown' },
      },
    ],
    annotations: { 'org.opencontainers.image.description': 'Demo' },
    artifactType: 'application/x.bundle',
    subject: { mediaType: image.mediaType, digest: image.digest, size: image.size },
  });
  const list = createIndex({
    mediaType: MediaType.DockerManifestList,
    manifests: [
      { mediaType: docker.mediaType, digest: docker.digest, size: docker.size },
    ],
  });

  for (const [what, m] of Object.entries({ image, artifact, docker, index, list })) {
    assertManifestConforms(m, what);
  }
  assertConforms('descriptor', descriptorToJSON(EMPTY_DESCRIPTOR), 'empty descriptor');
});

test('descriptors round-tripped through parse and toJSON conform', { skip }, () => {
  const inputs = [
    {
      mediaType: 'application/octet-stream',
      digest: EMPTY_DESCRIPTOR.digest.toString(),
      size: 2,
    },
    {
      mediaType: MediaType.OciLayerNondistributableGzip,
      digest: `sha512:${'a'.repeat(128)}`,
      size: 0,
      urls: ['https://example.com/a', 'http://10.0.0.1:5000/b'],
      annotations: { 'org.opencontainers.image.title': 'a' },
      artifactType: 'application/vnd.example+type',
      data: 'e30=',
    },
  ];
  for (const input of inputs) {
    const json = descriptorToJSON(parseDescriptor(input, 'input'));
    assert.deepEqual(json, input);
    assertConforms('descriptor', json, input.mediaType);
  }
});

test('the real images read and passed on conform', {
  skip: skip || skipUnless(LAYOUT_DIR) || skipUnless(ARCHIVE_FILE),
}, () => {
  let checked = 0;
  for (const layout of [layoutFromDir(LAYOUT_DIR), layoutFromTar(ARCHIVE_FILE)]) {
    const walked = walkLayout(layout);
    for (const m of walked.manifests) {
      assertManifestConforms(m, `${m.digest}`);
      const entries = m.kind === 'index' ? m.manifests : [m.config, ...m.layers];
      for (const d of entries)
        assertConforms('descriptor', descriptorToJSON(d), `${m.digest} entry`);
      checked++;
    }
    for (const { descriptor, bytes } of walked.configs) {
      if (descriptor.digest.equals(EMPTY_DESCRIPTOR.digest)) continue;
      assertConforms(
        'config',
        JSON.parse(new TextDecoder().decode(bytes)),
        `${descriptor.digest}`,
      );
    }
  }
  assert.ok(checked >= 30, `checked ${checked}`);
});
