import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copyImage } from '../../src/copy/copy.js';
import { ErrorCode, isGantryError } from '../../src/errors.js';
import { Digest } from '../../src/oci/digest.js';
import { parsePlatform } from '../../src/oci/platform.js';
import { Reference } from '../../src/reference/reference.js';
import { seedImage } from '../harness/images.js';
import type { RunningRegistry } from '../harness/registries.js';
import { assertComplete, newClient, privateRegistry, repoTarget } from './support.js';

// A platform subset is a change the user asked for: a new index with only
// the chosen platforms and their attestations, its new digest reported.

const client = newClient();
const [one, two]: RunningRegistry[] = await Promise.all([
  privateRegistry(),
  privateRegistry(),
]);

test('a platform subset gives a new index with its attestations', async () => {
  const annotations = { 'org.opencontainers.image.version': '1.4.2' };
  const seeded = await seedImage(client, Reference.parse(`${one.host}/subset/app:v1`), {
    platforms: ['linux/amd64', 'linux/arm64', 'linux/arm/v7'],
    attestations: true,
    annotations,
  });
  const source = repoTarget(client, one.host, 'subset/app');
  const destination = repoTarget(client, two.host, 'subset/copy');
  const platforms = [parsePlatform('linux/arm64'), parsePlatform('linux/arm/v7')];

  const result = await copyImage(source, 'v1', destination, ['v1'], { platforms });
  assert.equal(result.changed, true);
  assert.equal(`${result.sourceDigest}`, seeded.digest);
  assert.notEqual(`${result.digest}`, seeded.digest);

  const copied = await client.getManifest(Reference.parse(`${two.host}/subset/copy:v1`));
  assert.equal(`${copied.digest}`, `${result.digest}`);
  assert.equal(copied.kind, 'index');
  if (copied.kind !== 'index') return;
  assert.deepEqual(copied.annotations, annotations);
  const [, arm64, armv7] = seeded.manifests;
  const kept = [arm64!.digest, armv7!.digest];
  const attestations = seeded.attestations.filter((a) => kept.includes(a.for));
  assert.deepEqual(
    copied.manifests.map((d) => `${d.digest}`),
    [...kept, ...attestations.map((a) => a.digest)],
  );
  await assertComplete(destination, await destination.resolve('v1'));

  const amd64 = seeded.manifests[0]!;
  const dropped = {
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    size: amd64.bytes.length,
  };
  assert.equal(
    await destination.exists({ ...dropped, digest: Digest.parse(amd64.digest) }),
    false,
  );
});

test('every platform asked for, or none found, is no subset', async () => {
  const seeded = await seedImage(client, Reference.parse(`${one.host}/subset/all:v1`));
  const source = repoTarget(client, one.host, 'subset/all');
  const destination = repoTarget(client, two.host, 'subset/all');
  const platforms = ['linux/amd64', 'linux/arm64'].map(parsePlatform);

  const result = await copyImage(source, 'v1', destination, ['v1'], { platforms });
  assert.equal(result.changed, false);
  assert.equal(`${result.digest}`, seeded.digest);

  await assert.rejects(
    copyImage(source, 'v1', destination, ['v2'], {
      platforms: [parsePlatform('linux/s390x')],
    }),
    (error) =>
      isGantryError(error, ErrorCode.PlatformNotFound) &&
      error.side === 'source' &&
      (error.hint ?? '').includes('linux/arm64'),
  );
  assert.deepEqual(await destination.tags(), ['v1']);
});
