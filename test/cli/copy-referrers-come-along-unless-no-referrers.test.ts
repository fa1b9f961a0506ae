import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Digest } from '../../src/oci/digest.js';
import { RegistryTarget } from '../../src/store/registry-target.js';
import { type SeededImage, seedImage } from '../harness/images.js';
import { getRegistries, type TestRegistry } from '../harness/registries.js';
import { gantryOn, skopeoRaw } from './copy-support.js';
import { ref, seedingClient, uniqueRepository } from './support.js';

/**
 * A signature-like artifact whose `subject` is the image (image-spec
 * manifest.md, "subject") is copied with the image by default, and left
 * behind with `--no-referrers`. distribution 2.8 has no referrers API, so
 * the referrer is listed in the tag-schema index `sha256-<hex>`
 * (distribution-spec v1.1, "Referrers Tag Schema"), which skopeo can read.
 */

const EMPTY = 'application/vnd.oci.empty.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const SIGNATURE_TYPE = 'application/vnd.gantry.test.signature';

interface CopyJson {
  stats: { referrers: number; manifests: number };
}

describe('gantry copy and referrers', () => {
  let registry: TestRegistry;
  let seeded: SeededImage;
  let source = '';
  let referrer = '';

  before(async () => {
    registry = (await getRegistries()).plain;
    source = `${uniqueRepository(registry, 'copy-ref')}:1`;
    const client = seedingClient(registry);
    seeded = await seedImage(client, ref(source));
    referrer = await pushReferrer(new RegistryTarget(client, ref(source)), seeded);
  });

  it('copies the referrer with the image by default', async () => {
    const destination = uniqueRepository(registry, 'copy-ref-all');
    const run = await gantryOn(registry, ['--json', 'copy', source, `${destination}:1`]);

    assert.equal(run.code, 0, run.stderr);
    assert.equal((JSON.parse(run.stdout) as CopyJson).stats.referrers, 1);
    const fallback = skopeoRaw(
      `docker://${destination}:${referrersTag(seeded)}`,
      registry,
    );
    assert.match(fallback, new RegExp(referrer));
  });

  it('--no-referrers copies the image only', async () => {
    const destination = uniqueRepository(registry, 'copy-ref-none');
    const run = await gantryOn(registry, [
      '--json',
      'copy',
      '--no-referrers',
      source,
      `${destination}:1`,
    ]);

    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as CopyJson;
    assert.equal(result.stats.referrers, 0);
    // The index and its two images, nothing else.
    assert.equal(result.stats.manifests, 3);
    assert.throws(() =>
      skopeoRaw(`docker://${destination}:${referrersTag(seeded)}`, registry),
    );
  });
});

function referrersTag(image: SeededImage): string {
  return Digest.parse(image.digest).toReferrersTag();
}

/** An artifact manifest about `image`; returns its digest. */
async function pushReferrer(target: RegistryTarget, image: SeededImage): Promise<string> {
  const empty = Buffer.from('{}');
  const emptyDescriptor = { mediaType: EMPTY, digest: Digest.of(empty), size: 2 };
  await target.push(emptyDescriptor, empty);

  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: SIGNATURE_TYPE,
      config: { mediaType: EMPTY, digest: emptyDescriptor.digest.toString(), size: 2 },
      layers: [{ mediaType: EMPTY, digest: emptyDescriptor.digest.toString(), size: 2 }],
      subject: {
        mediaType: image.mediaType,
        digest: image.digest,
        size: image.bytes.length,
      },
    }),
  );
  const digest = Digest.of(bytes);
  await target.push({ mediaType: OCI_MANIFEST, digest, size: bytes.length }, bytes);
  return digest.toString();
}
