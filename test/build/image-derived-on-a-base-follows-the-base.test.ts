import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { resolveBase } from '../../src/build/base.js';
import {
  type BuildResult,
  buildImages,
  type PlatformBuild,
} from '../../src/build/build-image.js';
import { copyImage } from '../../src/copy/copy.js';
import { isGantryError } from '../../src/errors.js';
import { MediaType } from '../../src/oci/mediatype.js';
import { Reference } from '../../src/reference/reference.js';
import { RegistryClient } from '../../src/registry/client.js';
import { openTarget } from '../../src/store/open-target.js';
import {
  type SeededImage,
  type SeededManifest,
  seedDockerImage,
  seedImage,
} from '../harness/images.js';
import { getRegistries } from '../harness/registries.js';
import { tempDir } from './support.js';

// An image derived from a two-platform OCI base and from a Docker schema 2
// base: the base's layers come first and unchanged, new layers and the
// manifest keep the base's family (BR-08), diff IDs are extended, and only
// the base's manifest and config are ever read.

const client = new RegistryClient();
after(() => client.close());

let ociBase: string;
let dockerBase: string;
let seededOci: SeededImage;
let seededDocker: SeededManifest;

before(async () => {
  const { plain } = await getRegistries();
  ociBase = `${plain.host}/build/derived-oci-base-${process.pid}:1`;
  dockerBase = `${plain.host}/build/derived-docker-base-${process.pid}:1`;
  seededOci = await seedImage(client, Reference.parse(ociBase), { layers: 2 });
  seededDocker = await seedDockerImage(client, Reference.parse(dockerBase));
});

function derived(base: string, architectures: string[]): PlatformBuild[] {
  return architectures.map((architecture) => ({
    platform: { os: 'linux', architecture },
    base,
    steps: [
      {
        kind: 'layer',
        createdBy: 'COPY app /app',
        inputs: [
          { content: `app for ${architecture}\n`, destination: '/app', mode: 0o755 },
        ],
      },
      {
        kind: 'config',
        createdBy: 'ENV MODE=prod',
        changes: { Env: { MODE: 'prod' }, Entrypoint: ['/app'] },
      },
    ],
  }));
}

async function build(builds: PlatformBuild[], index?: boolean): Promise<BuildResult> {
  const result = await buildImages(builds, {
    client,
    cacheDir: false,
    epoch: 0,
    labels: { 'org.example.base': 'yes' },
    ...(index === undefined ? {} : { index }),
  });
  after(() => result.dispose());
  return result;
}

test('OCI base: its layers first, unchanged; OCI types; diff IDs extended', async () => {
  const result = await build(derived(ociBase, ['amd64', 'arm64']));
  assert.equal(result.index?.mediaType, MediaType.OciIndex);
  assert.equal(result.manifests.length, 2);

  for (const [i, built] of result.manifests.entries()) {
    const base = seededOci.manifests[i]!;
    const { manifest, config } = built;
    assert.equal(manifest.mediaType, MediaType.OciManifest);
    assert.equal(manifest.layers.length, 3);
    assert.deepEqual(
      manifest.layers.slice(0, 2).map((l) => `${l.digest}`),
      base.layerDigests,
    );
    assert.ok(manifest.layers.every((l) => l.mediaType === MediaType.OciLayerGzip));

    const platform = { os: 'linux', architecture: base.platform.split('/')[1]! };
    const baseConfig = (await resolveBase(ociBase, platform, { client })).config;
    assert.deepEqual(
      config.rootfs.diffIds.slice(0, 2).map(String),
      baseConfig.rootfs.diffIds.map(String),
    );
    assert.equal(config.rootfs.diffIds.length, 3);
    assert.equal(config.config.Env?.includes('MODE=prod'), true);
    assert.deepEqual(config.config.Entrypoint, ['/app']);
    assert.equal(config.config.Labels?.['org.example.base'], 'yes');
    assert.equal(config.platform.architecture, base.platform.split('/')[1]);
  }
});

test('on a Docker base: a Docker manifest with Docker layer types (BR-08)', async () => {
  const single = await build(derived(dockerBase, ['amd64']));
  assert.equal(single.index, undefined);
  const { manifest, config } = single.manifests[0]!;
  assert.equal(`${single.root.digest}`, `${manifest.digest}`);
  assert.equal(manifest.mediaType, MediaType.DockerManifest);
  assert.equal(manifest.config.mediaType, MediaType.DockerConfig);
  assert.deepEqual(`${manifest.layers[0]!.digest}`, seededDocker.layerDigests[0]);
  assert.deepEqual(
    manifest.layers.map((l) => l.mediaType),
    [MediaType.DockerLayerGzip, MediaType.DockerLayerGzip],
  );
  assert.equal(config.rootfs.diffIds.length, 2);

  // Platforms given as a list: an index even for one, a Docker list for Docker images.
  const listed = await build(derived(dockerBase, ['amd64']), true);
  assert.equal(listed.index?.mediaType, MediaType.DockerManifestList);
  assert.equal(`${listed.root.digest}`, `${listed.index?.digest}`);
});

test('a base is read by manifest and config only: its layers may be absent', async () => {
  const dir = await tempDir('gantry-image-base-layout-');
  const layout = await openTarget(`oci:${join(dir, 'base')}`, { client, create: true });
  const source = await openTarget(ociBase, { client });
  await copyImage(source.target, source.ref!, layout.target, ['1']);
  for (const digest of seededOci.manifests.flatMap((m) => m.layerDigests)) {
    await rm(join(dir, 'base', 'blobs', 'sha256', digest.slice('sha256:'.length)));
  }

  const result = await build(derived(`oci:${join(dir, 'base')}:1`, ['arm64']));
  assert.equal(result.manifests[0]!.manifest.layers.length, 3);
});

test('a platform the base does not have is refused, naming what there is', async () => {
  await assert.rejects(build(derived(ociBase, ['s390x'])), (error) => {
    assert.ok(isGantryError(error, 'GANTRY_E_PLATFORM_NOT_FOUND'));
    assert.match(error.message, /s390x/);
    assert.match(error.hint ?? '', /linux\/amd64/);
    return true;
  });
});

test('a build of no platform, or of one platform twice, is refused', async () => {
  const usage = (error: unknown) => isGantryError(error, 'GANTRY_E_USAGE');
  await assert.rejects(build([]), usage);
  const twice = derived('scratch', ['arm64', 'arm64']);
  await assert.rejects(build(twice), (error) => usage(error) && /arm64/.test(`${error}`));
});
