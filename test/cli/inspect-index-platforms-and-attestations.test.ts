import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { InspectDocument } from '../../src/cli/inspect-view.js';
import { Digest } from '../../src/oci/digest.js';
import { runGantry } from '../harness/cli.js';
import { type SeededImage, seedImage } from '../harness/images.js';
import { getRegistries, type TestRegistry } from '../harness/registries.js';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';
import { ARCHIVE_FILE, skipUnless } from '../oci/real-images.js';
import { ref, seedingClient, uniqueRepository } from './support.js';

/**
 * `gantry inspect` of a two-platform index with BuildKit-style attestation
 * manifests shows two platforms and marks two attestations, in text and in
 * JSON; the same for BuildKit's own output pushed as it is.
 */
const FIXTURE = ARCHIVE_FILE;

function assertTwoPlatformsTwoAttestations(text: string, json: InspectDocument): void {
  assert.match(text, /^Platforms: +2$/m);
  assert.equal(text.match(/^ {4}attestation sha256:[0-9a-f]{64}/gm)?.length, 2, text);
  assert.doesNotMatch(text, /unknown/);

  assert.deepEqual(json.platforms.map((p) => p.platform).sort(), [
    'linux/amd64',
    'linux/arm64',
  ]);
  assert.equal(json.attestations.length, 2);
  for (const platform of json.platforms) {
    const [attestation] = platform.attestations;
    assert.equal(platform.attestations.length, 1);
    assert.equal(
      json.attestations.find((a) => a.digest === attestation)?.for,
      platform.digest,
    );
  }
}

describe('inspect of a seeded index with attestations', () => {
  let registry: TestRegistry;
  let repository = '';
  let seeded: SeededImage;

  before(async () => {
    registry = (await getRegistries()).plain;
    repository = uniqueRepository(registry, 'inspect');
    seeded = await seedImage(seedingClient(registry), ref(`${repository}:1.0`), {
      attestations: true,
      layers: 2,
      annotations: { 'org.opencontainers.image.version': '1.0' },
    });
  });

  it('shows two platforms, each with its one attestation, in text and JSON', async () => {
    const text = await runGantry(['inspect', `${repository}:1.0`]);
    const json = await runGantry(['--json', 'inspect', `${repository}:1.0`]);

    assert.equal(text.code, 0, text.stderr);
    assert.equal(json.code, 0, json.stderr);
    assertTwoPlatformsTwoAttestations(text.stdout, JSON.parse(json.stdout));
  });

  it('gives each platform its manifest, config and layer count in JSON', async () => {
    const run = await runGantry(['--json', 'inspect', `${repository}:1.0`]);
    const document = JSON.parse(run.stdout) as InspectDocument;

    assert.equal(document.digest, seeded.digest);
    assert.equal(document.size, seeded.bytes.length);
    assert.deepEqual(document.annotations, { 'org.opencontainers.image.version': '1.0' });
    for (const image of seeded.manifests) {
      const platform = document.platforms.find((p) => p.platform === image.platform);
      assert.equal(platform?.digest, image.digest);
      assert.equal(platform?.config?.digest, image.configDigest);
      assert.equal(platform?.layerCount, 2);
    }
  });
});

describe('inspect of the BuildKit fixture pushed as it is', {
  skip: skipUnless(FIXTURE),
}, () => {
  let dir = '';
  let repository = '';

  before(async () => {
    const registry = (await getRegistries()).plain;
    repository = uniqueRepository(registry, 'buildkit');
    dir = makeTempDir('gantry-cli-buildkit-');
    execFileSync('tar', ['-xf', FIXTURE, '-C', dir]);
    await pushLayout(dir, repository, registry);
  });
  after(() => removeTempDir(dir));

  it('shows two platforms and two attestations, with the index annotation', async () => {
    const text = await runGantry(['inspect', `${repository}:hello`]);
    const json = await runGantry(['--json', 'inspect', `${repository}:hello`]);

    assert.equal(text.code, 0, text.stderr);
    assertTwoPlatformsTwoAttestations(text.stdout, JSON.parse(json.stdout));
  });
  it('shows an index nested in an index recursively, attestations marked inside', async () => {
    const text = await runGantry(['inspect', `${repository}:layout`]);
    const json = await runGantry(['--json', 'inspect', `${repository}:layout`]);
    const document = JSON.parse(json.stdout) as InspectDocument;

    assert.equal(text.code, 0, text.stderr);
    assert.deepEqual(document.platforms, []);
    assert.equal(document.indexes.length, 1);
    assertTwoPlatformsTwoAttestations(
      unindent(text.stdout.split('index\n')[1] ?? ''),
      document.indexes[0]!,
    );
  });
});

/** The nested part of the tree, moved two levels left. */
function unindent(text: string): string {
  return text.replace(/^ {4}/gm, '');
}

/**
 * Pushes the layout's image index under `hello` (blobs, manifests, then the
 * index) and the layout's own index.json, which holds it, under `layout`.
 */
async function pushLayout(dir: string, repository: string, registry: TestRegistry) {
  const client = seedingClient(registry);
  const read = (digest: string) => readFileSync(join(dir, 'blobs', ...digest.split(':')));
  const layoutIndex = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
  const image = layoutIndex.manifests[0];
  const imageBytes = read(image.digest);
  const repo = ref(repository);

  for (const entry of JSON.parse(imageBytes.toString()).manifests) {
    const bytes = read(entry.digest);
    const manifest = JSON.parse(bytes.toString());
    for (const blob of [manifest.config, ...manifest.layers]) {
      const descriptor = { digest: Digest.parse(blob.digest), size: blob.size };
      await client.uploadBlob(repo, descriptor, read(blob.digest));
    }
    const at = repo.withoutTag().withDigest(Digest.parse(entry.digest));
    await client.putManifest(at, { bytes, mediaType: entry.mediaType });
  }
  await client.putManifest(repo.withTag('hello'), {
    bytes: imageBytes,
    mediaType: image.mediaType,
  });
  const layoutBytes = readFileSync(join(dir, 'index.json'));
  await client.putManifest(repo.withTag('layout'), {
    bytes: layoutBytes,
    mediaType: layoutIndex.mediaType,
  });
}
