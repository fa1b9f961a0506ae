import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { InspectDocument } from '../../src/cli/inspect-view.js';
import { runGantry } from '../harness/cli.js';
import {
  DOCKER_CONFIG,
  DOCKER_MANIFEST,
  type SeededImage,
  type SeededManifest,
  seedDockerImage,
  seedImage,
} from '../harness/images.js';
import { getRegistries } from '../harness/registries.js';
import { ref, seedingClient, uniqueRepository } from './support.js';

/**
 * `--raw` writes the registry's exact bytes and nothing else; `--platform`
 * picks a platform's manifest from an index, treating arm64 and arm64/v8 as
 * the same platform (field case BR-05); a single manifest shows its config
 * and layers.
 */
describe('inspect --raw and --platform', () => {
  let repository = '';
  let seeded: SeededImage;
  let docker: SeededManifest;

  before(async () => {
    const registry = (await getRegistries()).plain;
    const client = seedingClient(registry);
    repository = uniqueRepository(registry, 'raw');
    seeded = await seedImage(client, ref(`${repository}:multi`), { attestations: true });
    docker = await seedDockerImage(client, ref(`${repository}:docker`), { layers: 3 });
  });

  it('--raw writes the exact index bytes with no newline added', async () => {
    const run = await runGantry(['inspect', '--raw', `${repository}:multi`]);

    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, seeded.bytes.toString('utf8'));
    assert.equal(run.stderr, '');
  });

  it('--platform linux/arm64/v8 picks the arm64 entry that has no variant', async () => {
    const arm64 = seeded.manifests.find((m) => m.platform === 'linux/arm64')!;
    const run = await runGantry([
      'inspect',
      '--raw',
      '--platform',
      'linux/arm64/v8',
      `${repository}:multi`,
    ]);

    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, arm64.bytes.toString('utf8'));
  });

  it('--platform without --raw shows that manifest, its config and layers', async () => {
    const amd64 = seeded.manifests.find((m) => m.platform === 'linux/amd64')!;
    const run = await runGantry([
      'inspect',
      '--platform',
      'linux/amd64',
      `${repository}:multi`,
    ]);

    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`^Digest: +${amd64.digest}$`, 'm'));
    assert.match(run.stdout, new RegExp(`^Config: +${amd64.configDigest} `, 'm'));
    assert.match(run.stdout, /^Layers: +1 \(/m);
  });

  it('--platform of a platform the index lacks exits 3', async () => {
    const run = await runGantry([
      'inspect',
      '--platform',
      'linux/s390x',
      `${repository}:multi`,
    ]);

    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /GANTRY_E_PLATFORM_NOT_FOUND/);
  });

  it('--platform on a single image checks the platform in its config', async () => {
    const match = await runGantry([
      'inspect',
      '--platform',
      'linux/amd64',
      `${repository}:docker`,
    ]);
    const other = await runGantry([
      'inspect',
      '--platform',
      'linux/arm64',
      `${repository}:docker`,
    ]);

    assert.equal(match.code, 0, match.stderr);
    assert.match(match.stdout, new RegExp(`^Digest: +${docker.digest}$`, 'm'));
    assert.equal(other.code, 3, other.stderr);
    assert.match(
      other.stderr,
      /GANTRY_E_PLATFORM_NOT_FOUND: .*linux\/amd64, not linux\/arm64/,
    );
  });

  it('a Docker schema 2 manifest shows its config and every layer', async () => {
    const text = await runGantry(['inspect', `${repository}:docker`]);
    const json = await runGantry(['--json', 'inspect', `${repository}:docker`]);
    const document = JSON.parse(json.stdout) as InspectDocument;

    assert.equal(text.code, 0, text.stderr);
    assert.ok(text.stdout.split('\n').includes(`MediaType:   ${DOCKER_MANIFEST}`));
    assert.match(text.stdout, /^Layers: +3 \(/m);
    for (const layer of docker.layerDigests)
      assert.match(text.stdout, new RegExp(`^ {2}${layer} `, 'm'));
    assert.equal(document.kind, 'manifest');
    assert.equal(document.config?.mediaType, DOCKER_CONFIG);
    assert.deepEqual(
      document.layers.map((l) => l.digest),
      docker.layerDigests,
    );
    assert.deepEqual(document.platforms, []);
  });
});
