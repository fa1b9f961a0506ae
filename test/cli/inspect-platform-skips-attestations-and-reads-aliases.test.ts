import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { runGantry } from '../harness/cli.js';
import { type SeededImage, seedImage } from '../harness/images.js';
import { getRegistries } from '../harness/registries.js';
import { ref, seedingClient, uniqueRepository } from './support.js';

/**
 * `inspect --platform` never treats a BuildKit attestation manifest (platform
 * `unknown/unknown`) as a platform: it is not offered as available and not
 * selected. A real `unknown/unknown` image still is. Aliases typed by users
 * (`uname -m` names) select the platform they stand for.
 */
describe('inspect --platform: attestations are not platforms, aliases are', () => {
  let repository = '';
  let attested: SeededImage;
  let odd: SeededImage;

  before(async () => {
    const registry = (await getRegistries()).plain;
    const client = seedingClient(registry);
    repository = uniqueRepository(registry, 'platforms');
    attested = await seedImage(client, ref(`${repository}:attested`), {
      attestations: true,
    });
    odd = await seedImage(client, ref(`${repository}:odd`), {
      platforms: ['linux/amd64', 'unknown/unknown'],
    });
  });

  function inspect(...args: string[]) {
    return runGantry(['inspect', ...args]);
  }

  it('a missing platform lists only the real platforms as available', async () => {
    const text = await inspect('--platform', 'linux/s390x', `${repository}:attested`);
    const json = await runGantry([
      '--json',
      'inspect',
      '--platform',
      'linux/s390x',
      `${repository}:attested`,
    ]);

    assert.equal(text.code, 3, text.stderr);
    assert.match(text.stderr, /^hint: available: linux\/amd64, linux\/arm64$/m);
    assert.doesNotMatch(text.stderr, /unknown/);
    const error = JSON.parse(json.stderr).error;
    assert.deepEqual(error.details.available, ['linux/amd64', 'linux/arm64']);
  });

  it('unknown/unknown on an index with attestations is not found (exit 3)', async () => {
    const run = await inspect('--platform', 'unknown/unknown', `${repository}:attested`);

    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /GANTRY_E_PLATFORM_NOT_FOUND/);
    assert.equal(run.stdout, '');
  });

  it('unknown/unknown selects a real unknown/unknown image', async () => {
    const image = odd.manifests.find((m) => m.platform === 'unknown/unknown')!;
    const run = await inspect(
      '--raw',
      '--platform',
      'unknown/unknown',
      `${repository}:odd`,
    );

    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, image.bytes.toString('utf8'));
  });

  for (const [alias, platform] of [
    ['linux/aarch64', 'linux/arm64'],
    ['linux/x86_64', 'linux/amd64'],
  ] as const) {
    it(`--platform ${alias} selects ${platform}`, async () => {
      const image = attested.manifests.find((m) => m.platform === platform)!;
      const run = await inspect('--raw', '--platform', alias, `${repository}:attested`);

      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, image.bytes.toString('utf8'));
    });
  }
});
