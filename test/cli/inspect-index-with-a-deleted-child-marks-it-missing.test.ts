import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { InspectDocument } from '../../src/cli/inspect-view.js';
import { Digest } from '../../src/oci/digest.js';
import { runGantry } from '../harness/cli.js';
import { type SeededImage, seedImage } from '../harness/images.js';
import { getRegistries } from '../harness/registries.js';
import { ref, seedingClient, uniqueRepository } from './support.js';

/**
 * An index whose child manifest was deleted by digest is still shown (exit
 * 0): the child is marked missing in the tree and `"missing": true` in JSON,
 * and a warning on stderr names its digest.
 */
describe('inspect of an index with a deleted child', () => {
  let repository = '';
  let seeded: SeededImage;
  let gone = '';

  before(async () => {
    const registry = (await getRegistries()).plain;
    const client = seedingClient(registry);
    repository = uniqueRepository(registry, 'missing');
    seeded = await seedImage(client, ref(`${repository}:1.0`), { attestations: true });
    gone = seeded.manifests.find((m) => m.platform === 'linux/arm64')!.digest;
    await client.deleteManifest(ref(repository).withDigest(Digest.parse(gone)));
  });

  it('shows the index with the child marked missing, exit 0', async () => {
    const run = await runGantry(['inspect', `${repository}:1.0`]);

    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Platforms: +2$/m);
    assert.match(
      run.stdout,
      new RegExp(`^ {4}manifest: ${gone} \\(missing: not in the repository\\)$`, 'm'),
    );
    assert.match(run.stderr, new RegExp(`warning: .*does not have: ${gone}`));
  });

  it('marks only that platform "missing": true in JSON', async () => {
    const run = await runGantry(['--json', 'inspect', `${repository}:1.0`]);
    const document = JSON.parse(run.stdout) as InspectDocument;

    assert.equal(run.code, 0, run.stderr);
    assert.equal(document.digest, seeded.digest);
    const marks = document.platforms.map((p) => [p.platform, p.missing]);
    assert.deepEqual(marks.sort(), [
      ['linux/amd64', false],
      ['linux/arm64', true],
    ]);
    assert.ok(document.attestations.every((a) => a.missing === false));
  });
});
