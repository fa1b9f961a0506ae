import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { createManifest } from '../../src/oci/create.js';
import { Digest } from '../../src/oci/digest.js';
import { type ImageManifest, parseManifest } from '../../src/oci/manifest.js';
import { MediaType } from '../../src/oci/mediatype.js';
import { DockerArchiveTarget } from '../../src/store/docker-archive.js';
import { OciLayoutTarget } from '../../src/store/oci-layout.js';
import type { WriteTarget } from '../../src/store/target.js';
import { configFor, gzipLayer, type Layer, tarLayer } from './docker-archive-fixtures.js';
import { blob, readAll, tempDir } from './support.js';

// skopeo (containers/image, as podman load uses it) reads the docker-save
// archives gantry writes, and gantry reads the ones skopeo writes.

const SKOPEO = '/usr/bin/skopeo';
const run = promisify(execFile);
const skip = existsSync(SKOPEO) ? false : `${SKOPEO} is absent`;

async function skopeo(...args: string[]): Promise<string> {
  const options = { maxBuffer: 16 * 1024 * 1024 };
  return (await run(SKOPEO, ['--insecure-policy', ...args], options)).stdout;
}

/**
 * An image of an uncompressed and a gzip layer, pushed children first.
 * skopeo 1.9 finds only OCI-typed manifests in an OCI layout's index.json,
 * so images meant for its `oci:` and `oci-archive:` transports are OCI ones.
 */
async function pushImage(target: WriteTarget, family: 'docker' | 'oci', seed: string) {
  const layers: Layer[] = [
    await tarLayer('bin/tool', seed),
    await gzipLayer('etc/x', seed),
  ];
  const config = configFor(layers, seed);
  if (family === 'oci') {
    config.descriptor.mediaType = MediaType.OciConfig;
    layers[0]!.descriptor.mediaType = MediaType.OciLayer;
    layers[1]!.descriptor.mediaType = MediaType.OciLayerGzip;
  }
  await target.push(config.descriptor, config.bytes);
  for (const layer of layers) await target.push(layer.descriptor, layer.bytes);
  const manifest = createManifest({
    config: config.descriptor,
    layers: layers.map((l) => l.descriptor),
  });
  const descriptor = blob(manifest.bytes, manifest.mediaType);
  await target.push(descriptor, manifest.bytes);
  return { layers, config, manifest, descriptor };
}

test('skopeo inspects and copies an archive gantry wrote', { skip }, async () => {
  const dir = await tempDir();
  const file = join(dir, 'gantry.tar');
  const target = await DockerArchiveTarget.open(file, {
    create: true,
    repository: 'example.com/gantry/app',
  });
  const image = await pushImage(target, 'docker', 'docker');
  const oci = await pushImage(target, 'oci', 'oci');
  await target.tag(image.descriptor, '1.0');
  await target.tag(oci.descriptor, 'oci');
  await target.close();

  // containers/image reports docker-archive layers by diff ID.
  const name = `docker-archive:${file}:example.com/gantry/app:1.0`;
  const inspected = JSON.parse(await skopeo('inspect', name));
  assert.deepEqual(
    inspected.Layers,
    image.layers.map((l) => `${l.diffId}`),
  );
  assert.equal(inspected.Labels.seed, 'docker');

  await skopeo('copy', name, `oci:${join(dir, 'copied')}:1.0`);
  const copied = await OciLayoutTarget.open(join(dir, 'copied'), { readOnly: true });
  const manifest = parseManifest(
    await copied.fetchBytes(await copied.resolve('1.0')),
  ) as ImageManifest;
  assert.equal(`${manifest.config.digest}`, `${image.config.descriptor.digest}`);
  assert.deepEqual(await copied.fetchBytes(manifest.config), image.config.bytes);

  // The same file is an OCI layout: its index.json names the exact manifest.
  const raw = await skopeo('inspect', '--raw', `oci-archive:${file}:oci`);
  assert.equal(`${Digest.of(new TextEncoder().encode(raw))}`, `${oci.descriptor.digest}`);
  const other = `docker-archive:${file}:example.com/gantry/app:oci`;
  assert.equal(JSON.parse(await skopeo('inspect', other)).Labels.seed, 'oci');
});

test('gantry reads an archive skopeo wrote, every blob verifying', { skip }, async () => {
  const dir = await tempDir();
  const source = join(dir, 'source');
  const layout = await OciLayoutTarget.open(source, { create: true });
  const image = await pushImage(layout, 'oci', 'source');
  await layout.tag(image.descriptor, '1.0');
  const file = join(dir, 'skopeo.tar');
  await skopeo(
    'copy',
    `oci:${source}:1.0`,
    `docker-archive:${file}:example.com/sk/app:1.0`,
  );

  const target = await DockerArchiveTarget.open(file, { readOnly: true });
  assert.deepEqual(await target.tags(), ['1.0']);
  const descriptor = await target.resolve('example.com/sk/app:1.0');
  const manifest = parseManifest(await target.fetchBytes(descriptor)) as ImageManifest;
  assert.equal(manifest.mediaType, MediaType.DockerManifest);
  assert.deepEqual(await target.fetchBytes(manifest.config), image.config.bytes);
  // skopeo stores layers uncompressed, so each layer's digest is its diff ID.
  assert.deepEqual(
    manifest.layers.map((l) => `${l.digest}`),
    image.layers.map((l) => `${l.diffId}`),
  );
  for (const layer of manifest.layers) {
    const bytes = await readAll(await target.fetch(layer));
    assert.equal(`${Digest.of(bytes)}`, `${layer.digest}`);
  }
});
