import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ErrorCode, isGantryError } from '../../src/errors.js';
import { createIndex, createManifest } from '../../src/oci/create.js';
import type { Descriptor } from '../../src/oci/descriptor.js';
import { MediaType } from '../../src/oci/mediatype.js';
import { DockerArchiveTarget } from '../../src/store/docker-archive.js';
import type { WriteTarget } from '../../src/store/target.js';
import {
  configFor,
  gzipLayer,
  json,
  jsonOf,
  type Layer,
  tarFiles,
  tarLayer,
  writeTar,
} from './docker-archive-fixtures.js';
import { blob, tempDir } from './support.js';

// What gantry writes: manifest.json with one entry per image and its full
// RepoTags, index.json naming the same images, every blob in blobs/.

const repository = 'example.com/team/app';

async function pushImage(target: WriteTarget, seed: string) {
  const layers: Layer[] = [await tarLayer('a', seed), await gzipLayer('b', seed)];
  const config = configFor(layers, seed);
  await target.push(config.descriptor, config.bytes);
  for (const layer of layers) await target.push(layer.descriptor, layer.bytes);
  const manifest = createManifest({
    config: config.descriptor,
    layers: layers.map((l) => l.descriptor),
  });
  const descriptor = blob(manifest.bytes, manifest.mediaType);
  await target.push(descriptor, manifest.bytes);
  return { layers, config, descriptor };
}

const blobPathOf = (d: Descriptor) => `blobs/sha256/${d.digest.hex}`;

test('manifest.json lists images with full RepoTags; a retag moves a name', async () => {
  const file = join(await tempDir(), 'out.tar');
  const target = await DockerArchiveTarget.open(file, { create: true, repository });
  const one = await pushImage(target, 'one');
  const two = await pushImage(target, 'two');
  await target.tag(one.descriptor, '1.0');
  await target.tag(one.descriptor, 'latest');
  await target.tag(two.descriptor, 'example.com/other/app:2');
  await target.tag(two.descriptor, 'latest');
  await target.close();

  const files = await tarFiles(file);
  assert.deepEqual(jsonOf(files, 'manifest.json'), [
    {
      Config: blobPathOf(one.config.descriptor),
      RepoTags: [`${repository}:1.0`],
      Layers: one.layers.map((l) => blobPathOf(l.descriptor)),
      LayerSources: {
        [`${one.layers[1]!.diffId}`]: {
          mediaType: MediaType.DockerLayerGzip,
          digest: `${one.layers[1]!.descriptor.digest}`,
          size: one.layers[1]!.descriptor.size,
        },
      },
    },
    {
      Config: blobPathOf(two.config.descriptor),
      RepoTags: ['example.com/other/app:2', `${repository}:latest`],
      Layers: two.layers.map((l) => blobPathOf(l.descriptor)),
      LayerSources: {
        [`${two.layers[1]!.diffId}`]: {
          mediaType: MediaType.DockerLayerGzip,
          digest: `${two.layers[1]!.descriptor.digest}`,
          size: two.layers[1]!.descriptor.size,
        },
      },
    },
  ]);
  const index = jsonOf(files, 'index.json') as { manifests: Record<string, unknown>[] };
  assert.deepEqual(
    index.manifests.map((m) => [m.digest, m.annotations]),
    [
      [`${one.descriptor.digest}`, names(`${repository}:1.0`, '1.0')],
      [`${two.descriptor.digest}`, names('example.com/other/app:2', '2')],
      [`${two.descriptor.digest}`, names(`${repository}:latest`, 'latest')],
    ],
  );
  assert.deepEqual(jsonOf(files, 'oci-layout'), { imageLayoutVersion: '1.0.0' });
  for (const layer of [...one.layers, ...two.layers]) {
    assert.deepEqual(files.get(blobPathOf(layer.descriptor)), Buffer.from(layer.bytes));
  }
});

function names(full: string, tag: string) {
  return { 'io.containerd.image.name': full, 'org.opencontainers.image.ref.name': tag };
}

test('tagging a multi-platform index is refused, naming its platforms', async () => {
  const file = join(await tempDir(), 'index.tar');
  const target = await DockerArchiveTarget.open(file, { create: true, repository });
  // close() removes the staging folder pushes made in the system temp dir.
  try {
    const amd = await pushImage(target, 'amd');
    const arm = await pushImage(target, 'arm');
    const index = createIndex({
      manifests: [
        { ...amd.descriptor, platform: { os: 'linux', architecture: 'amd64' } },
        { ...arm.descriptor, platform: { os: 'linux', architecture: 'arm64' } },
      ],
    });
    const descriptor = blob(index.bytes, index.mediaType);
    await target.push(descriptor, index.bytes);

    await assert.rejects(
      target.tag(descriptor, '1.0'),
      (error: unknown) =>
        isGantryError(error, ErrorCode.Unsupported) &&
        error.message.includes('linux/amd64, linux/arm64') &&
        /--platform linux\/amd64/.test(error.hint ?? ''),
    );
    assert.deepEqual(await target.tags(), []);
  } finally {
    await target.close();
  }
});

test('a plain tag needs the repository; a full reference does not', async () => {
  const file = join(await tempDir(), 'norepo.tar');
  const target = await DockerArchiveTarget.open(file, { create: true });
  const image = await pushImage(target, 'norepo');
  await assert.rejects(
    target.tag(image.descriptor, '1.0'),
    (error: unknown) =>
      isGantryError(error, ErrorCode.Usage) && /repository/.test(error.message),
  );
  await target.tag(image.descriptor, 'app:1.0');
  await target.close();
  const listed = jsonOf(await tarFiles(file), 'manifest.json') as {
    RepoTags: string[];
  }[];
  assert.deepEqual(listed[0]!.RepoTags, ['docker.io/library/app:1.0']);
});

test('an image whose layer was never pushed stops close(), writing nothing', async () => {
  const file = join(await tempDir(), 'partial.tar');
  const target = await DockerArchiveTarget.open(file, { create: true, repository });
  const layer = await tarLayer('a', 'never pushed');
  const config = configFor([layer]);
  await target.push(config.descriptor, config.bytes);
  const manifest = createManifest({
    config: config.descriptor,
    layers: [layer.descriptor],
  });
  const descriptor = blob(manifest.bytes, manifest.mediaType);
  await target.push(descriptor, manifest.bytes);
  await target.tag(descriptor, '1.0');

  await assert.rejects(
    target.close(),
    (error: unknown) =>
      isGantryError(error, ErrorCode.NotFound) &&
      error.message.includes(`${layer.descriptor.digest}`),
  );
  assert.equal(existsSync(file), false);
});

test('an old-layout archive written again keeps images, digests, tags', async () => {
  const dir = await tempDir();
  const layer = await tarLayer('etc/os', 'old');
  const config = configFor([layer], 'old');
  const file = await writeTar(dir, 'old.tar', [
    { name: 'abc/layer.tar', bytes: layer.bytes },
    { name: 'cfg.json', bytes: config.bytes },
    {
      name: 'manifest.json',
      bytes: json([
        { Config: 'cfg.json', RepoTags: ['old/app:1'], Layers: ['abc/layer.tar'] },
      ]),
    },
  ]);
  const before = await DockerArchiveTarget.open(file, { readOnly: true });
  const old = await before.resolve('1');

  const target = await DockerArchiveTarget.open(file, { repository });
  const added = await pushImage(target, 'added');
  await target.tag(added.descriptor, '2');
  await target.close();

  const after = await DockerArchiveTarget.open(file, { readOnly: true });
  assert.deepEqual(await after.tags(), ['1', '2']);
  assert.equal(`${(await after.resolve('old/app:1')).digest}`, `${old.digest}`);
  assert.equal(`${(await after.resolve('2')).digest}`, `${added.descriptor.digest}`);
  const files = await tarFiles(file);
  assert.equal(files.has('abc/layer.tar'), false);
  assert.equal(files.has(blobPathOf(layer.descriptor)), true);
});
