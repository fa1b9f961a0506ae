import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  type SeededImage,
  type SeededManifest,
  seedDockerImage,
  seedImage,
} from '../harness/images.js';
import { getRegistries, type TestRegistry } from '../harness/registries.js';
import {
  gantryOn,
  printedDigest,
  sha256,
  skopeoConfig,
  skopeoInspect,
  skopeoRaw,
} from './copy-support.js';
import { ref, seedingClient, uniqueRepository } from './support.js';

/**
 * `gantry copy` between every kind of reference keeps the bytes, so the
 * digest at the end of a chain registry → registry → layout → archive →
 * registry is the digest at its start (DESIGN.md, "Bytes are the truth";
 * BR-13). Each hop is checked by gantry (`gantry digest`) where gantry can
 * name it and by skopeo (`inspect --raw`) everywhere.
 */

describe('gantry copy across registries, layouts and archives', () => {
  let plain: TestRegistry;
  let token: TestRegistry;
  let seeded: SeededImage;
  let source = '';
  let dir = '';

  before(async () => {
    ({ plain, token } = await getRegistries());
    source = `${uniqueRepository(plain, 'copy-src')}:1`;
    seeded = await seedImage(seedingClient(plain), ref(source), {
      attestations: true,
      layers: 2,
    });
    dir = mkdtempSync(join(tmpdir(), 'gantry-cli-copy-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('registry → registry (another registry, with a token) keeps the digest', async () => {
    const destination = `${uniqueRepository(token, 'copy-dst')}:1`;
    const run = await gantryOn(token, ['copy', source, destination]);

    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `${destination}@${seeded.digest}\n`);
    const digest = await gantryOn(token, ['digest', destination]);
    assert.equal(digest.stdout.trim(), seeded.digest);
    assert.equal(skopeoRaw(`docker://${destination}`, token), seeded.bytes.toString());
    for (const manifest of seeded.manifests) {
      const child = `docker://${destination.replace(/:1$/, '')}@${manifest.digest}`;
      assert.equal(sha256(skopeoRaw(child, token)), manifest.digest);
    }
  });

  it('registry → oci: → oci-archive: → registry keeps the digest at every hop', async () => {
    const layout = `oci:${join(dir, 'layout')}:1`;
    const archive = `oci-archive:${join(dir, 'image.tar')}:1`;
    const back = `${uniqueRepository(plain, 'copy-back')}:1`;

    const toLayout = await gantryOn(plain, ['copy', source, layout]);
    assert.equal(toLayout.code, 0, toLayout.stderr);
    assert.equal(printedDigest(toLayout), seeded.digest);
    assert.equal(skopeoRaw(layout), seeded.bytes.toString());

    const toArchive = await gantryOn(undefined, ['copy', layout, archive]);
    assert.equal(toArchive.code, 0, toArchive.stderr);
    assert.equal(printedDigest(toArchive), seeded.digest);
    assert.equal(skopeoRaw(archive), seeded.bytes.toString());

    const toRegistry = await gantryOn(plain, ['copy', archive, back]);
    assert.equal(toRegistry.code, 0, toRegistry.stderr);
    assert.equal(toRegistry.stdout, `${back}@${seeded.digest}\n`);
    const digest = await gantryOn(plain, ['digest', back]);
    assert.equal(digest.stdout.trim(), seeded.digest);
    assert.equal(skopeoRaw(`docker://${back}`, plain), seeded.bytes.toString());
  });

  it('registry → docker-archive: writes an archive skopeo reads as the image', async () => {
    const image = `${uniqueRepository(plain, 'copy-docker')}:1`;
    const manifest: SeededManifest = await seedDockerImage(
      seedingClient(plain),
      ref(image),
      {
        layers: 2,
      },
    );
    const file = join(dir, 'docker.tar');

    const run = await gantryOn(plain, ['copy', image, `docker-archive:${file}`]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(printedDigest(run), manifest.digest);

    const inspected = skopeoInspect(`docker-archive:${file}`);
    assert.equal(inspected.Architecture, 'amd64');
    assert.equal(inspected.Os, 'linux');
    assert.equal((inspected.Layers as string[]).length, manifest.layerDigests.length);
    const config = skopeoConfig(`docker-archive:${file}`);
    assert.equal(
      sha256(config),
      manifest.configDigest,
      'the config is copied byte for byte',
    );

    // And back out: the archive's one image, to a layout, with the same bytes.
    // Read from the files: skopeo 1.9's oci: reader skips Docker media types.
    const folder = join(dir, 'from-docker');
    const out = await gantryOn(undefined, [
      'copy',
      `docker-archive:${file}`,
      `oci:${folder}:1`,
    ]);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(printedDigest(out), manifest.digest);
    const index = JSON.parse(readFileSync(join(folder, 'index.json'), 'utf8')) as {
      manifests: { digest: string; annotations?: Record<string, string> }[];
    };
    assert.deepEqual(
      index.manifests.map((m) => [
        m.digest,
        m.annotations?.['org.opencontainers.image.ref.name'],
      ]),
      [[manifest.digest, '1']],
    );
    const blob = readFileSync(join(folder, 'blobs', 'sha256', manifest.digest.slice(7)));
    assert.deepEqual(blob, manifest.bytes);
  });

  it('an index → docker-archive: needs --platform, then writes that one image', async () => {
    const file = join(dir, 'platform.tar');
    const refused = await gantryOn(plain, ['copy', source, `docker-archive:${file}`]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /--platform/);

    const run = await gantryOn(plain, [
      'copy',
      '--platform',
      'linux/arm64',
      source,
      `docker-archive:${file}`,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const arm64 = seeded.manifests.find((m) => m.platform === 'linux/arm64')!;
    assert.equal(printedDigest(run), arm64.digest, 'the image is copied as it is');
    assert.match(run.stderr, new RegExp(`differs from the source ${seeded.digest}`));
    const inspected = skopeoInspect(`docker-archive:${file}`);
    assert.equal(inspected.Architecture, 'arm64');
    assert.equal(sha256(skopeoConfig(`docker-archive:${file}`)), arm64.configDigest);
  });
});
