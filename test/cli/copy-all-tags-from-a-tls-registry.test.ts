import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { type SeededImage, seedDockerImage, seedImage } from '../harness/images.js';
import { getRegistries, type TestRegistry } from '../harness/registries.js';
import { gantryOn, skopeoRaw } from './copy-support.js';
import { ref, seedingClient, uniqueRepository } from './support.js';

/**
 * `gantry copy --all-tags REPO REPO` copies every tag of a repository under
 * the same names, each with its own digest unchanged; here from the TLS
 * registry (trusted with `--ca-file`) to the plain one. An index and a
 * single Docker manifest side by side: neither is converted (BR-11).
 */

interface AllTagsJson {
  images: { digest: string; tags: string[] }[];
}

describe('gantry copy --all-tags', () => {
  let tls: TestRegistry;
  let plain: TestRegistry;
  let source = '';
  let index: SeededImage;
  let docker = '';

  before(async () => {
    ({ tls, plain } = await getRegistries());
    source = uniqueRepository(tls, 'copy-all');
    const client = seedingClient(tls);
    index = await seedImage(client, ref(`${source}:1.0`), { attestations: true });
    docker = (await seedDockerImage(client, ref(`${source}:legacy`))).digest;
  });

  it('copies every tag with its own digest, printing one line per tag', async () => {
    const destination = uniqueRepository(plain, 'copy-all-dst');
    const run = await gantryOn(tls, ['copy', '--all-tags', source, destination]);

    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(
      run.stdout.trim().split('\n').sort(),
      [`${destination}:1.0@${index.digest}`, `${destination}:legacy@${docker}`].sort(),
    );
    assert.equal(skopeoRaw(`docker://${destination}:1.0`, plain), index.bytes.toString());
    const tags = await gantryOn(plain, ['tags', destination]);
    assert.deepEqual(tags.stdout.trim().split('\n').sort(), ['1.0', 'legacy']);
  });

  it('--json lists each image with its tags', async () => {
    const destination = uniqueRepository(plain, 'copy-all-json');
    const run = await gantryOn(tls, [
      '--json',
      'copy',
      '--all-tags',
      source,
      destination,
    ]);

    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as AllTagsJson;
    const byTag = Object.fromEntries(result.images.map((i) => [i.tags.join(), i.digest]));
    assert.deepEqual(byTag, { '1.0': index.digest, legacy: docker });
  });
});
