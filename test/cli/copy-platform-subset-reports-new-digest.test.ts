import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { type SeededImage, seedImage } from '../harness/images.js';
import { getRegistries, type TestRegistry } from '../harness/registries.js';
import { gantryOn, printedDigest, sha256, skopeoRaw } from './copy-support.js';
import { ref, seedingClient, uniqueRepository } from './support.js';

/**
 * `gantry copy --platform` writes a new index with the chosen platform and
 * its attestation; it prints the new digest and says that it differs from
 * the source's (BR-11: a changed digest is never silent).
 */

interface IndexJson {
  manifests: { digest: string; platform?: { architecture: string } }[];
}

describe('gantry copy --platform', () => {
  let registry: TestRegistry;
  let seeded: SeededImage;
  let source = '';

  before(async () => {
    registry = (await getRegistries()).plain;
    source = `${uniqueRepository(registry, 'copy-platform')}:1`;
    seeded = await seedImage(seedingClient(registry), ref(source), {
      attestations: true,
    });
  });

  it('prints the new index digest and a note that it differs from the source', async () => {
    const destination = `${uniqueRepository(registry, 'copy-arm64')}:1`;
    const run = await gantryOn(registry, [
      'copy',
      '--platform',
      'linux/arm64',
      source,
      destination,
    ]);

    assert.equal(run.code, 0, run.stderr);
    const digest = printedDigest(run);
    assert.notEqual(digest, seeded.digest);
    assert.equal(run.stdout, `${destination}@${digest}\n`);
    assert.match(run.stderr, new RegExp(`new index ${digest}`));
    assert.match(run.stderr, new RegExp(`differs from the source ${seeded.digest}`));

    const raw = skopeoRaw(`docker://${destination}`, registry);
    assert.equal(sha256(raw), digest, 'the printed digest is that of the bytes written');
    const arm64 = seeded.manifests.find((m) => m.platform === 'linux/arm64')!;
    const attestation = seeded.attestations.find((a) => a.for === arm64.digest)!;
    const index = JSON.parse(raw) as IndexJson;
    assert.deepEqual(
      index.manifests.map((m) => m.digest),
      [arm64.digest, attestation.digest],
    );
  });

  it('keeps the source digest and prints no note when every platform is asked for', async () => {
    const destination = `${uniqueRepository(registry, 'copy-both')}:1`;
    const run = await gantryOn(registry, ['copy', source, destination]);

    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `${destination}@${seeded.digest}\n`);
    assert.doesNotMatch(run.stderr, /differs/);
  });

  it('refuses a platform that is not a platform, with exit 2', async () => {
    const destination = `${uniqueRepository(registry, 'copy-bad')}:1`;
    const run = await gantryOn(registry, [
      'copy',
      '--platform',
      'linux',
      source,
      destination,
    ]);

    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /GANTRY_E_PLATFORM/);
    assert.equal(run.stdout, '');
  });
});
