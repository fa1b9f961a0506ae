import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode, isGantryError } from '../../src/errors.js';
import { createIndex, createManifest } from '../../src/oci/create.js';
import type { Descriptor } from '../../src/oci/descriptor.js';
import { Digest } from '../../src/oci/digest.js';
import { type ImageManifest, parseManifest } from '../../src/oci/manifest.js';
import { MediaType } from '../../src/oci/mediatype.js';
import { DockerArchiveTarget } from '../../src/store/docker-archive.js';
import {
  configFor,
  gzipLayer,
  json,
  tarLayer,
  writeTar,
} from './docker-archive-fixtures.js';
import { blob, readAll, tempDir } from './support.js';

// Both docker-save layouts read into images gantry can copy: every
// descriptor of every presented manifest names a blob the archive serves.

/** The manifest `name` resolves to, after checking every blob it names reads back. */
async function servedImage(target: DockerArchiveTarget, name: string) {
  const descriptor = await target.resolve(name);
  const manifest = parseManifest(await target.fetchBytes(descriptor), {
    expectedDigest: descriptor.digest,
  }) as ImageManifest;
  assert.equal(manifest.kind, 'manifest');
  for (const part of [manifest.config, ...manifest.layers]) {
    assert.equal(await target.exists(part), true, `${part.digest} is served`);
    const bytes = await readAll(await target.fetch(part));
    assert.equal(Digest.of(bytes).toString(), part.digest.toString());
  }
  return { descriptor, manifest };
}

const sha = (d: Descriptor) => d.digest.hex;
const amd64 = { os: 'linux', architecture: 'amd64' };
const arm64 = { os: 'linux', architecture: 'arm64' };

test('BR-28: Docker 25 archive, LayerSources, RepoTags null, no manifests', async () => {
  // One file of 9216 bytes: 512 header + 9216 data + 1024 end = 10752 bytes.
  const layer = await tarLayer('hello', new Uint8Array(9216).fill(0x68));
  assert.equal(layer.bytes.byteLength, 10752);
  const config = configFor([layer]);
  const layerSource = { ...layer.descriptor, mediaType: MediaType.OciLayer };
  const dir = await tempDir();
  const file = await writeTar(dir, 'hello-world-v25.tar', [
    { name: `blobs/sha256/${sha(config.descriptor)}`, bytes: config.bytes },
    { name: `blobs/sha256/${sha(layer.descriptor)}`, bytes: layer.bytes },
    {
      name: 'index.json',
      bytes: json({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: null }),
    },
    {
      name: 'manifest.json',
      bytes: json([
        {
          Config: `blobs/sha256/${sha(config.descriptor)}`,
          RepoTags: null,
          Layers: [`blobs/sha256/${sha(layer.descriptor)}`],
          LayerSources: {
            [layer.diffId.toString()]: {
              ...layerSource,
              digest: `${layer.descriptor.digest}`,
            },
          },
        },
      ]),
    },
    { name: 'oci-layout', bytes: json({ imageLayoutVersion: '1.0.0' }) },
  ]);

  const target = await DockerArchiveTarget.open(file, { readOnly: true });
  assert.deepEqual(await target.tags(), []);
  const { descriptor, manifest } = await servedImage(target, '@0');
  assert.equal(manifest.mediaType, MediaType.OciManifest);
  assert.deepEqual(
    manifest.layers.map((l) => [l.mediaType, l.size, `${l.digest}`]),
    [[MediaType.OciLayer, 10752, `${layer.descriptor.digest}`]],
  );
  assert.equal(`${manifest.config.digest}`, `${config.descriptor.digest}`);
  const byDigest = await target.resolve(`${descriptor.digest}`);
  assert.equal(`${byDigest.digest}`, `${descriptor.digest}`);

  await assert.rejects(
    target.resolve('latest'),
    (error: unknown) =>
      isGantryError(error, ErrorCode.NotFound) && /no RepoTags/.test(error.hint ?? ''),
  );
});

test('before Docker 25: <id>/layer.tar, a linked repeat, a gzip layer', async () => {
  const base = await tarLayer('etc/base', 'base');
  const zipped = await gzipLayer('app/run', 'app');
  // docker save links a layer that repeats to its first copy.
  const layers = [base, zipped, base];
  const config = configFor(layers, 'old');
  const dir = await tempDir();
  const file = await writeTar(dir, 'old.tar', [
    { name: 'a1/layer.tar', bytes: base.bytes },
    { name: 'a1/VERSION', bytes: json('1.0') },
    { name: 'b2/layer.tar', bytes: zipped.bytes },
    { name: 'c3/layer.tar', type: 'symlink', linkname: '../a1/layer.tar' },
    { name: `${sha(config.descriptor)}.json`, bytes: config.bytes },
    {
      name: 'manifest.json',
      bytes: json([
        {
          Config: `${sha(config.descriptor)}.json`,
          RepoTags: ['example.com/old/app:1.0', 'example.com/old/app:latest'],
          Layers: ['a1/layer.tar', 'b2/layer.tar', 'c3/layer.tar'],
        },
      ]),
    },
    { name: 'repositories', bytes: json({ 'example.com/old/app': { '1.0': 'c3' } }) },
  ]);

  const target = await DockerArchiveTarget.open(file, { readOnly: true });
  assert.deepEqual(await target.tags(), ['1.0', 'latest']);
  const { descriptor, manifest } = await servedImage(target, '1.0');
  assert.equal(manifest.mediaType, MediaType.DockerManifest);
  assert.equal(manifest.config.mediaType, MediaType.DockerConfig);
  assert.deepEqual(
    manifest.layers.map((l) => [l.mediaType, `${l.digest}`, l.size]),
    layers.map((l) => [l.descriptor.mediaType, `${l.descriptor.digest}`, l.bytes.length]),
  );
  for (const name of ['latest', 'example.com/old/app:1.0', '@0']) {
    assert.equal(`${(await target.resolve(name)).digest}`, `${descriptor.digest}`);
  }
});

test('a tag part two images share is ambiguous; the full name is not', async () => {
  const one = await tarLayer('one', 'one');
  const two = await tarLayer('two', 'two');
  const [c1, c2] = [configFor([one], '1'), configFor([two], '2')];
  const dir = await tempDir();
  const file = await writeTar(dir, 'two.tar', [
    { name: 'one.tar', bytes: one.bytes },
    { name: 'two.tar', bytes: two.bytes },
    { name: 'c1.json', bytes: c1.bytes },
    { name: 'c2.json', bytes: c2.bytes },
    {
      name: 'manifest.json',
      bytes: json([
        { Config: 'c1.json', RepoTags: ['a/x:1'], Layers: ['one.tar'] },
        { Config: 'c2.json', RepoTags: ['b/y:1', 'b/y:2'], Layers: ['two.tar'] },
      ]),
    },
  ]);

  const target = await DockerArchiveTarget.open(file, { readOnly: true });
  assert.deepEqual(await target.tags(), ['a/x:1', 'b/y:1', '2']);
  await assert.rejects(target.resolve('1'), (e: unknown) =>
    isGantryError(e, ErrorCode.Usage),
  );
  const first = await servedImage(target, 'a/x:1');
  const second = await servedImage(target, 'docker.io/b/y:1');
  assert.equal(`${first.manifest.config.digest}`, `${c1.descriptor.digest}`);
  assert.equal(`${second.manifest.config.digest}`, `${c2.descriptor.digest}`);
  assert.equal(`${(await target.resolve('2')).digest}`, `${second.descriptor.digest}`);
  const inB = await DockerArchiveTarget.open(file, { readOnly: true, repository: 'b/y' });
  assert.equal(`${(await inB.resolve('1')).digest}`, `${second.descriptor.digest}`);
  await assert.rejects(target.resolve('3'), (e: unknown) =>
    isGantryError(e, ErrorCode.NotFound),
  );
});

test('Docker 25 with an index.json image: its exact manifest is the image', async () => {
  // containerd's image store saves an image as its index; only the
  // platform that was pulled is in the archive.
  const layer = await tarLayer('bin/hello', 'hello');
  const config = configFor([layer], 'v25');
  const ociLayer = { ...layer.descriptor, mediaType: MediaType.OciLayer };
  const manifest = createManifest({
    config: { ...config.descriptor, mediaType: MediaType.OciConfig },
    layers: [ociLayer],
  });
  const absent = Digest.of(new TextEncoder().encode('arm64 manifest, not saved'));
  const index = createIndex({
    manifests: [
      { ...blob(manifest.bytes, manifest.mediaType), platform: amd64 },
      { mediaType: MediaType.OciManifest, digest: absent, size: 500, platform: arm64 },
    ],
  });
  const named = {
    ...blob(index.bytes, index.mediaType),
    annotations: { 'io.containerd.image.name': 'docker.io/library/hello:latest' },
  };
  const file = await writeTar(await tempDir(), 'v25.tar', [
    { name: `blobs/sha256/${sha(config.descriptor)}`, bytes: config.bytes },
    { name: `blobs/sha256/${sha(layer.descriptor)}`, bytes: layer.bytes },
    { name: `blobs/sha256/${manifest.digest.hex}`, bytes: manifest.bytes },
    { name: `blobs/sha256/${index.digest.hex}`, bytes: index.bytes },
    { name: 'index.json', bytes: createIndex({ manifests: [named] }).bytes },
    {
      name: 'manifest.json',
      bytes: json([
        {
          Config: `blobs/sha256/${sha(config.descriptor)}`,
          RepoTags: ['hello:latest'],
          Layers: [`blobs/sha256/${sha(layer.descriptor)}`],
        },
      ]),
    },
  ]);

  const target = await DockerArchiveTarget.open(file, { readOnly: true });
  const { descriptor } = await servedImage(target, 'latest');
  assert.equal(`${descriptor.digest}`, `${manifest.digest}`);
  assert.deepEqual(await target.fetchBytes(descriptor), manifest.bytes);
});
