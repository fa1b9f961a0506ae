import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { copyImage } from '../../src/copy/copy.js';
import { Digest } from '../../src/oci/digest.js';
import { Reference } from '../../src/reference/reference.js';
import type { RegistryClient } from '../../src/registry/client.js';
import { MemoryTarget } from '../../src/store/memory.js';
import {
  DOCKER_CONFIG,
  DOCKER_MANIFEST,
  OCI_INDEX,
  seedDockerImage,
  seedImage,
} from '../harness/images.js';
import type { RunningRegistry } from '../harness/registries.js';
import { assertComplete, newClient, privateRegistry, repoTarget } from './support.js';

/**
 * Field cases BR-10, BR-11 and BR-13, registry to registry: the copy moves
 * bytes, never a re-serialised or recompressed form, so every digest stays.
 * Manifests are written by hand here, independently of gantry's builders.
 */

/** BR-13: 1024 zero bytes, an empty tar, uncompressed. */
const EMPTY_TAR_DIGEST =
  'sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef';
const DOCKER_LAYER_TAR = 'application/vnd.docker.image.rootfs.diff.tar';

// Started at the top so they stop when the file ends, not after a hook.
const client: RegistryClient = newClient();
const [one, two]: RunningRegistry[] = await Promise.all([
  privateRegistry(),
  privateRegistry(),
]);

describe('registry to registry copies keep exact bytes', () => {
  test('BR-10: an index of indexes copies children first, digest kept', async () => {
    const inner = await seedImage(client, Reference.parse(`${one.host}/br10/app:inner`));
    const single = inner.manifests[0]!;
    const outer = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [
          { mediaType: OCI_INDEX, digest: inner.digest, size: inner.bytes.length },
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest: single.digest,
            size: single.bytes.length,
            platform: { architecture: 'amd64', os: 'linux' },
          },
        ],
      }),
    );
    const ref = Reference.parse(`${one.host}/br10/app:bundle`);
    await client.putManifest(ref, { bytes: outer, mediaType: OCI_INDEX });

    const source = repoTarget(client, one.host, 'br10/app');
    const destination = repoTarget(client, two.host, 'br10/copy');
    const result = await copyImage(source, 'bundle', destination, ['bundle']);
    assert.equal(`${result.digest}`, `${Digest.of(outer)}`);
    assert.equal(result.stats.manifests, 4);

    const copied = await client.getManifest(
      Reference.parse(`${two.host}/br10/copy:bundle`),
    );
    assert.deepEqual(Buffer.from(copied.bytes), outer);
    const graph = await assertComplete(destination, await destination.resolve('bundle'));
    assert.ok(graph.manifests.includes(inner.digest));
  });

  test('BR-11: a single Docker schema 2 manifest stays one, same bytes', async () => {
    const ref = Reference.parse(`${one.host}/br11/app:1.0`);
    const seeded = await seedDockerImage(client, ref);
    const source = repoTarget(client, one.host, 'br11/app');
    const destination = repoTarget(client, two.host, 'br11/copy');

    const result = await copyImage(source, '1.0', destination, ['1.0']);
    assert.equal(`${result.digest}`, seeded.digest);
    assert.equal(result.mediaType, DOCKER_MANIFEST);
    assert.equal(result.changed, false);
    const copied = await client.getManifest(Reference.parse(`${two.host}/br11/copy:1.0`));
    assert.equal(copied.kind, 'manifest');
    assert.equal(copied.mediaType, DOCKER_MANIFEST);
    assert.deepEqual(Buffer.from(copied.bytes), seeded.bytes);
  });

  test('BR-13: an uncompressed empty layer is copied as it is', async () => {
    const layer = Buffer.alloc(1024);
    assert.equal(`${Digest.of(layer)}`, EMPTY_TAR_DIGEST);
    const config = Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        config: {},
        rootfs: { type: 'layers', diff_ids: [EMPTY_TAR_DIGEST] },
      }),
    );
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: DOCKER_MANIFEST,
        config: {
          mediaType: DOCKER_CONFIG,
          size: config.length,
          digest: `${Digest.of(config)}`,
        },
        layers: [{ mediaType: DOCKER_LAYER_TAR, size: 1024, digest: EMPTY_TAR_DIGEST }],
      }),
    );
    const staged = new MemoryTarget();
    const describe = (bytes: Buffer, mediaType: string) => ({
      mediaType,
      digest: Digest.of(bytes),
      size: bytes.length,
    });
    await staged.push(describe(layer, DOCKER_LAYER_TAR), layer);
    await staged.push(describe(config, DOCKER_CONFIG), config);
    await staged.push(describe(manifest, DOCKER_MANIFEST), manifest);
    await staged.tag(describe(manifest, DOCKER_MANIFEST), 'empty');

    const middle = repoTarget(client, one.host, 'br13/app');
    await copyImage(staged, 'empty', middle, ['empty']);
    const destination = repoTarget(client, two.host, 'br13/copy');
    const result = await copyImage(middle, 'empty', destination, ['empty']);

    assert.equal(`${result.digest}`, `${Digest.of(manifest)}`);
    const blob = await destination.fetchBytes(describe(layer, DOCKER_LAYER_TAR));
    assert.deepEqual(Buffer.from(blob), layer);
    const copied = await client.getManifest(
      Reference.parse(`${two.host}/br13/copy:empty`),
    );
    assert.deepEqual(Buffer.from(copied.bytes), manifest);
  });
});
