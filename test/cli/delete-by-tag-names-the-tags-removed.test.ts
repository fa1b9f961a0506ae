import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { MAX_TAGS_CHECKED } from '../../src/cli/delete-run.js';
import type { RegistryClient } from '../../src/registry/client.js';
import { runGantry } from '../harness/cli.js';
import { DOCKER_MANIFEST, seedDockerImage, seedImage } from '../harness/images.js';
import { getRegistries, type TestRegistry } from '../harness/registries.js';
import { ref, seedingClient, uniqueRepository } from './support.js';

/**
 * The test registry (distribution) cannot delete a tag alone, so a delete by
 * tag removes the manifest by digest. gantry names, in the same message,
 * every other tag that pointed at that digest (checking at most
 * MAX_TAGS_CHECKED tags; beyond that "and possibly others"), prints the
 * deleted reference with its registry, and says so in explicit JSON fields.
 */
describe('delete by tag on a registry that deletes only by digest', () => {
  let registry: TestRegistry;
  let client: RegistryClient;

  before(async () => {
    registry = (await getRegistries()).plain;
    client = seedingClient(registry);
  });

  /** An index under 1.0 and latest, an unrelated image under `unrelated`. */
  async function seedRepository(label: string) {
    const repository = uniqueRepository(registry, label);
    const seeded = await seedImage(client, ref(`${repository}:1.0`));
    await client.putManifest(ref(`${repository}:latest`), {
      bytes: seeded.bytes,
      mediaType: seeded.mediaType,
    });
    const unrelated = await seedDockerImage(client, ref(`${repository}:unrelated`));
    return { repository, digest: seeded.digest, unrelated };
  }

  it('names the other tag that went with the digest, with the registry', async () => {
    const { repository, digest } = await seedRepository('del-text');
    const run = await runGantry(['delete', `${repository}:latest`]);
    const left = await runGantry(['tags', repository]);

    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `deleted ${repository}@${digest}\n`);
    assert.ok(repository.startsWith(`${registry.host}/`));
    assert.match(run.stderr, /deleted by digest .*tags removed with it: latest, 1\.0$/m);
    assert.doesNotMatch(run.stderr, /unrelated|possibly/);
    assert.equal(left.stdout, 'unrelated\n');
  });

  it('--json says deleted, method and tagsRemoved, not deletedByTag', async () => {
    const { repository, digest } = await seedRepository('del-json');
    const run = await runGantry(['--json', 'delete', `${repository}:1.0`]);
    const result = JSON.parse(run.stdout);

    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(result, {
      reference: `${repository}:1.0`,
      deleted: digest,
      method: 'digest',
      tagsRemoved: ['1.0', 'latest'],
      possiblyOtherTags: false,
    });
  });

  it(`past ${MAX_TAGS_CHECKED} tags it allows for others, in text and JSON`, async () => {
    const { repository, unrelated } = await seedRepository('del-many');
    // 103 tags in all: some go unchecked, whatever order the registry lists.
    for (let i = 0; i < MAX_TAGS_CHECKED; i++) {
      const tag = `0-${String(i).padStart(3, '0')}`;
      await client.putManifest(ref(`${repository}:${tag}`), {
        bytes: unrelated.bytes,
        mediaType: DOCKER_MANIFEST,
      });
    }
    await seedImage(client, ref(`${repository}:second`));
    const run = await runGantry(['--json', 'delete', `${repository}:latest`]);
    const text = await runGantry(['delete', `${repository}:second`]);
    const result = JSON.parse(run.stdout);

    assert.equal(run.code, 0, run.stderr);
    assert.equal(result.tagsRemoved[0], 'latest');
    assert.ok(result.tagsRemoved.every((t: string) => ['latest', '1.0'].includes(t)));
    assert.equal(result.possiblyOtherTags, true);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stderr, /tags removed with it: second and possibly others$/m);
  });
});
