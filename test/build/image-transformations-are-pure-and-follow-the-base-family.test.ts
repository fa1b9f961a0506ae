import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import * as ajvFormats from 'ajv-formats';
import { scratchBase } from '../../src/build/base.js';
import {
  addHistory,
  annotate,
  appendLayers,
  type BuiltImage,
  setConfig,
  setCreated,
  startImage,
} from '../../src/build/image.js';
import { platformArgs, substituteArgs } from '../../src/build/platform-args.js';
import { isGantryError } from '../../src/errors.js';
import { parseImageConfig } from '../../src/oci/config.js';
import { Digest } from '../../src/oci/digest.js';
import { type ImageManifest, parseManifest } from '../../src/oci/manifest.js';
import { MediaType } from '../../src/oci/mediatype.js';
import { SCHEMA_DIR, skipUnless } from '../oci/real-images.js';

// Pure transformations of an image in memory: every function returns a new
// image and leaves its input as it was; new layers follow the base's media
// type family (BR-08); config bytes are deterministic and keep what gantry
// does not know.

/** `${NAME}`, as a Dockerfile writes it. */
const arg = (name: string) => `\${${name}}`;

const json = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes));
const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

const LAYER_A = fakeLayer('a', MediaType.OciLayerGzip);

function fakeLayer(seed: string, mediaType: string) {
  const bytes = encode({ seed });
  return {
    mediaType,
    digest: Digest.of(bytes),
    size: bytes.length,
    diffId: Digest.of(encode({ seed, tar: true })),
    uncompressedSize: 100,
    path: `/nonexistent/${seed}`,
  };
}

/** A Docker schema 2 base with one layer and fields gantry does not model. */
function dockerBase(): BuiltImage {
  const baseLayerDiff = Digest.of(encode('base-tar'));
  const configBytes = encode({
    architecture: 'amd64',
    os: 'linux',
    docker_version: '24.0.7',
    config: { Env: ['PATH=/usr/bin', 'LANG=C'], Cmd: ['/bin/sh'], OnBuild: null },
    container_config: { Hostname: 'abc' },
    rootfs: { type: 'layers', diff_ids: [`${baseLayerDiff}`] },
    history: [{ created_by: 'ADD rootfs' }],
  });
  const config = parseImageConfig(configBytes);
  const layerBytes = encode('base-gz');
  const manifest = parseManifest(
    encode({
      schemaVersion: 2,
      mediaType: MediaType.DockerManifest,
      config: {
        mediaType: MediaType.DockerConfig,
        digest: `${config.digest}`,
        size: config.size,
      },
      layers: [
        {
          mediaType: MediaType.DockerLayerGzip,
          digest: `${Digest.of(layerBytes)}`,
          size: layerBytes.length,
        },
      ],
    }),
  ) as ImageManifest;
  return startImage(manifest, config, 'docker');
}

function scratch(): BuiltImage {
  const base = scratchBase({ os: 'linux', architecture: 'arm64' });
  return startImage(base.manifest, base.config, base.family);
}

test('an OCI image gets OCI layer types, a Docker image Docker ones (BR-08)', () => {
  const oci = appendLayers(scratch(), [LAYER_A], [{ createdBy: 'COPY a' }]);
  assert.equal(oci.manifest.mediaType, MediaType.OciManifest);
  assert.deepEqual(
    oci.manifest.layers.map((l) => l.mediaType),
    [MediaType.OciLayerGzip],
  );

  const docker = appendLayers(dockerBase(), [LAYER_A], [{ createdBy: 'COPY a' }]);
  assert.equal(docker.manifest.mediaType, MediaType.DockerManifest);
  assert.deepEqual(
    docker.manifest.layers.map((l) => l.mediaType),
    [MediaType.DockerLayerGzip, MediaType.DockerLayerGzip],
  );
  assert.equal(docker.manifest.config.mediaType, MediaType.DockerConfig);

  const zstd = fakeLayer('z', MediaType.OciLayerZstd);
  assert.throws(
    () => appendLayers(dockerBase(), [zstd], [{ createdBy: 'COPY z' }]),
    (error) => isGantryError(error, 'GANTRY_E_UNSUPPORTED'),
  );
});

test('base layers stay first and unchanged; diff IDs and history are appended', () => {
  const base = dockerBase();
  const next = appendLayers(base, [LAYER_A], [{ createdBy: 'COPY a', created: 'T' }]);
  assert.deepEqual(next.manifest.layers[0], base.manifest.layers[0]);
  assert.equal(`${next.manifest.layers[1]!.digest}`, `${LAYER_A.digest}`);
  assert.deepEqual(next.config.rootfs.diffIds.map(String), [
    ...base.config.rootfs.diffIds.map(String),
    `${LAYER_A.diffId}`,
  ]);
  assert.deepEqual(next.config.history.at(-1), { createdBy: 'COPY a', created: 'T' });
  assert.equal(next.layers.length, 1);
  assert.equal(next.layers[0]!.path, LAYER_A.path);
});

test('inputs are never changed: every function returns a new image', () => {
  const base = dockerBase();
  const before = {
    manifest: base.manifest.bytes.slice(),
    config: base.config.bytes.slice(),
  };
  const steps: ((image: BuiltImage) => BuiltImage)[] = [
    (i) => appendLayers(i, [LAYER_A], [{ createdBy: 'COPY' }]),
    (i) => setConfig(i, { Env: { A: '1' }, Labels: { x: 'y' } }, { createdBy: 'ENV' }),
    (i) => setCreated(i, new Date(0)),
    (i) => addHistory(i, { createdBy: 'ARG' }),
  ];
  for (const step of steps) {
    const next = step(base);
    assert.notEqual(`${next.config.digest}`, `${base.config.digest}`);
    assert.deepEqual(base.manifest.bytes, before.manifest);
    assert.deepEqual(base.config.bytes, before.config);
    assert.equal(base.layers.length, 0);
  }
  const oci = scratch();
  const annotated = annotate(oci, { 'org.example': '1' });
  assert.equal(oci.manifest.annotations, undefined);
  assert.deepEqual(annotated.manifest.annotations, { 'org.example': '1' });
});

test('config changes behave like the Dockerfile instructions', () => {
  const base = dockerBase();
  const image = setConfig(base, {
    Env: { LANG: 'C.UTF-8', APP: '1' },
    Entrypoint: ['/app'],
    WorkingDir: '/srv',
    Labels: { b: '2', a: '1' },
    ExposedPorts: ['8080', '53/udp'],
    Volumes: ['/data'],
    User: '65532:65532',
    StopSignal: 'SIGTERM',
    Healthcheck: { Test: ['CMD', '/app', 'health'], Retries: 3 },
  });
  const config = json(image.config.bytes).config;
  // Env merged by name in place; ENTRYPOINT dropped the base's CMD (docker's rule).
  assert.deepEqual(config.Env, ['PATH=/usr/bin', 'LANG=C.UTF-8', 'APP=1']);
  assert.deepEqual(config.Entrypoint, ['/app']);
  assert.equal(config.Cmd, undefined);
  assert.deepEqual(config.ExposedPorts, { '53/udp': {}, '8080/tcp': {} });
  assert.deepEqual(Object.keys(config.Labels), ['a', 'b']);

  const relative = setConfig(image, { WorkingDir: 'sub', Cmd: ['--serve'] });
  assert.equal(relative.config.config.WorkingDir, '/srv/sub');
  // A CMD this build set survives a later ENTRYPOINT.
  const again = setConfig(relative, { Entrypoint: ['/other'] });
  assert.deepEqual(again.config.config.Cmd, ['--serve']);
});

test('config bytes are deterministic and keep fields gantry does not know', () => {
  const a = setConfig(dockerBase(), { Env: { X: '1' } }, { createdBy: 'ENV X=1' });
  const b = setConfig(dockerBase(), { Env: { X: '1' } }, { createdBy: 'ENV X=1' });
  assert.deepEqual(a.config.bytes, b.config.bytes);
  assert.equal(`${a.manifest.digest}`, `${b.manifest.digest}`);

  const raw = json(a.config.bytes);
  assert.equal(raw.docker_version, '24.0.7');
  assert.deepEqual(raw.container_config, { Hostname: 'abc' });
  assert.ok('OnBuild' in raw.config);
  assert.deepEqual(raw.history.at(-1), { created_by: 'ENV X=1', empty_layer: true });
  // The manifest names exactly these config bytes.
  assert.equal(`${a.manifest.config.digest}`, `${Digest.of(a.config.bytes)}`);
});

test('a scratch image of config steps only has a manifest with no layers', () => {
  const image = setCreated(setConfig(scratch(), { Cmd: ['x'] }), new Date(86_400_000));
  assert.equal(image.manifest.layers.length, 0);
  assert.equal(image.config.created, '1970-01-02T00:00:00Z');
  assert.deepEqual(image.config.platform, { os: 'linux', architecture: 'arm64' });
});

test('platform arguments are substituted in both forms BuildKit users write', () => {
  const args = platformArgs(
    { os: 'linux', architecture: 'arm', variant: 'v7' },
    { os: 'linux', architecture: 'amd64' },
  );
  assert.equal(
    substituteArgs(`./dist/${arg('TARGETOS')}-$TARGETARCH$TARGETVARIANT/tool`, args),
    './dist/linux-armv7/tool',
  );
  assert.equal(
    substituteArgs(`$TARGETPLATFORM on ${arg('BUILDPLATFORM')}`, args),
    'linux/arm/v7 on linux/amd64',
  );
  const other = `$HOME/${arg('OTHER')}`;
  assert.equal(substituteArgs(other, args), other);
});

const skip = skipUnless(SCHEMA_DIR);

test('built configs validate against the image-spec config schema', { skip }, () => {
  const validate = configValidator();
  const image = setCreated(
    setConfig(
      appendLayers(scratch(), [LAYER_A], [{ createdBy: 'COPY a' }]),
      { Env: { A: '1' }, Entrypoint: ['/a'], Labels: { l: 'v' }, ExposedPorts: ['80'] },
      { createdBy: 'ENV' },
    ),
    new Date(0),
  );
  for (const bytes of [image.config.bytes, dockerBase().config.bytes]) {
    assert.ok(validate(json(bytes)), JSON.stringify(validate.errors));
  }
  assert.equal(validate({ architecture: 'amd64', os: 'linux' }), false);
});

/** The image-spec schemas under one base URI (see schema-conformance.test.ts). */
function configValidator() {
  const base = 'https://schemas.gantry.test/image-spec/';
  const ajv = new Ajv({ strict: false, allErrors: true });
  const addFormats = (ajvFormats.default ?? ajvFormats) as unknown as (a: Ajv) => void;
  addFormats(ajv);
  for (const file of readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.json'))) {
    const schema = stripIds(JSON.parse(readFileSync(join(SCHEMA_DIR, file), 'utf8')));
    ajv.addSchema({ ...(schema as object), $id: base + file });
  }
  return ajv.getSchema(`${base}config-schema.json`)!;
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
