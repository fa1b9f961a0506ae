import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { InspectDocument } from '../../src/cli/inspect-view.js';
import { runGantry } from '../harness/cli.js';
import { type SeededManifest, seedDockerImage } from '../harness/images.js';
import { getRegistries } from '../harness/registries.js';
import { ref, seedingClient, uniqueRepository } from './support.js';

/**
 * `inspect --help` tells of `--json`; `--json` with `--raw` is a usage error
 * (exit 2, before any request); a single image shows the platform its
 * config names, in the tree and in JSON.
 */
describe('inspect: --json in the help, --json --raw refused, image platform', () => {
  let repository = '';
  let image: SeededManifest;

  before(async () => {
    const registry = (await getRegistries()).plain;
    repository = uniqueRepository(registry, 'single');
    image = await seedDockerImage(seedingClient(registry), ref(`${repository}:arm`), {
      platform: 'linux/arm64',
    });
  });

  it('inspect --help mentions --json', async () => {
    const run = await runGantry(['inspect', '--help']);

    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /--json/);
  });

  for (const args of [
    ['--json', 'inspect', '--raw'],
    ['inspect', '--json', '--raw'],
  ]) {
    it(`${args.join(' ')} exits 2 with a usage error`, async () => {
      const run = await runGantry([...args, `${repository}:arm`]);

      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /GANTRY_E_USAGE/);
      assert.match(run.stderr, /--json and --raw/);
      assert.equal(run.stdout, '');
    });
  }

  it('a single image shows its config platform in the tree and JSON', async () => {
    const text = await runGantry(['inspect', `${repository}:arm`]);
    const json = await runGantry(['--json', 'inspect', `${repository}:arm`]);
    const after = await runGantry(['inspect', '--json', `${repository}:arm`]);
    const document = JSON.parse(json.stdout) as InspectDocument;

    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^Platform: +linux\/arm64$/m);
    assert.equal(document.digest, image.digest);
    assert.equal(document.platform, 'linux/arm64');
    assert.deepEqual(JSON.parse(after.stdout), document);
  });
});
