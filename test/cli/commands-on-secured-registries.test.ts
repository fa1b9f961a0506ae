import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { type GantryRun, runGantry } from '../harness/cli.js';
import { type SeededImage, seedImage } from '../harness/images.js';
import { getRegistries, type TestRegistry } from '../harness/registries.js';
import { access, ref, seedingClient, uniqueRepository } from './support.js';

/**
 * inspect, digest, tags, tag and delete against the TLS registry (with
 * `--ca-file`), the basic-auth and the token-auth registry (alice, with
 * `--username alice --password-stdin`). The steps run in order on one
 * repository: delete last.
 */
for (const kind of ['tls', 'basic', 'token'] as const) {
  describe(`commands on the ${kind} registry`, () => {
    let registry: TestRegistry;
    let repository = '';
    let seeded: SeededImage;

    function gantry(...args: string[]): Promise<GantryRun> {
      const { flags, input } = access(registry);
      return runGantry([...flags, ...args], input === undefined ? {} : { input });
    }

    before(async () => {
      registry = (await getRegistries())[kind];
      repository = uniqueRepository(registry, kind);
      seeded = await seedImage(seedingClient(registry), ref(`${repository}:1.0`), {
        attestations: true,
      });
    });

    it('inspect shows the index with its two platforms', async () => {
      const run = await gantry('inspect', `${repository}:1.0`);

      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, new RegExp(`^Digest: +${seeded.digest}$`, 'm'));
      assert.match(run.stdout, /^Platforms: +2$/m);
      assert.match(run.stdout, /^ {2}linux\/amd64$/m);
      assert.match(run.stdout, /^ {2}linux\/arm64$/m);
    });

    it('digest prints the index digest alone', async () => {
      const run = await gantry('digest', `${repository}:1.0`);

      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, `${seeded.digest}\n`);
    });

    it('tag adds a tag that resolves to the same digest', async () => {
      const tagged = await gantry('tag', `${repository}:1.0`, 'latest');
      const digest = await gantry('digest', `${repository}:latest`);

      assert.equal(tagged.code, 0, tagged.stderr);
      assert.equal(tagged.stdout, `${repository}:latest@${seeded.digest}\n`);
      assert.equal(digest.stdout, `${seeded.digest}\n`);
    });

    it('tags lists both tags, one per line, and --json as an array', async () => {
      const run = await gantry('tags', repository);
      const json = await gantry('--json', 'tags', repository);

      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(run.stdout.trim().split('\n').sort(), ['1.0', 'latest']);
      assert.deepEqual((JSON.parse(json.stdout) as string[]).sort(), ['1.0', 'latest']);
    });

    it('delete of a tag on a digest-only registry removes both tags', async () => {
      const run = await gantry('delete', `${repository}:latest`);
      const gone = await gantry('digest', `${repository}:1.0`);

      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, `deleted ${repository}@${seeded.digest}\n`);
      assert.match(run.stderr, /every tag pointing at that digest is gone/);
      assert.match(run.stderr, /tags removed with it: latest, 1\.0$/m);
      assert.equal(gone.code, 3, gone.stderr);
      assert.match(gone.stderr, /GANTRY_E_NOT_FOUND/);
    });
  });
}
