import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ImageDiff } from '../../src/verify/diff.js';
import { type GantryRun, runGantry } from '../harness/cli.js';
import { type SeededImage, seedImage } from '../harness/images.js';
import { getRegistries, type TestRegistry } from '../harness/registries.js';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';
import { ref, seedingClient, uniqueRepository } from './support.js';

/**
 * `gantry diff` when one side names a child it does not hold: a registry
 * that lost a platform's manifest (deleted by digest), a layout whose
 * config blob file was deleted. The absent piece is a difference of its own
 * (`missing`, with the side, platform, digest and what it is), the rest of
 * the two images is still compared, and the exit code is 1. A reference
 * that does not exist at all is still an error.
 */

let registry: TestRegistry;
let dir = '';
/** Two unrelated two-platform images: every platform's layers differ. */
let a: { repository: string; seeded: SeededImage };
let b: { repository: string; seeded: SeededImage };

async function seed(label: string, annotations?: Record<string, string>) {
  const repository = uniqueRepository(registry, label);
  const client = seedingClient(registry);
  const seeded = await seedImage(client, ref(`${repository}:1.0`), {
    ...(annotations === undefined ? {} : { annotations }),
  });
  await client.close();
  return { repository, seeded };
}

async function diff(left: string, right: string) {
  const json = await runGantry(['--json', 'diff', left, right]);
  const text = await runGantry(['diff', left, right]);
  assert.notEqual(json.stdout, '', json.stderr);
  return { json, text, result: JSON.parse(json.stdout) as ImageDiff };
}

function platformOf(image: SeededImage, platform: string) {
  return image.manifests.find((m) => m.platform === platform)!;
}

function assertDiffers(json: GantryRun, text: GantryRun): void {
  assert.equal(json.code, 1, json.stderr);
  assert.equal(text.code, 1, text.stderr);
  assert.match(text.stderr, /GANTRY_E_IMAGES_DIFFER/);
}

before(async () => {
  registry = (await getRegistries()).plain;
  dir = makeTempDir('gantry-diff-missing-');
  [a, b] = await Promise.all([
    seed('diff-missing-a', { 'org.opencontainers.image.version': '1.0' }),
    seed('diff-missing-b'),
  ]);
});

after(() => removeTempDir(dir));

describe('gantry diff with a side missing a child', () => {
  it('a layout without a config blob: missing config, the rest compared', async () => {
    const [left, right] = [join(dir, 'a'), join(dir, 'b')];
    for (const [source, layout] of [
      [a, left],
      [b, right],
    ] as const) {
      const copied = await runGantry([
        'copy',
        `${source.repository}:1.0`,
        `oci:${layout}:1.0`,
      ]);
      assert.equal(copied.code, 0, copied.stderr);
    }
    const arm = platformOf(b.seeded, 'linux/arm64');
    await rm(join(right, 'blobs', 'sha256', arm.configDigest.slice('sha256:'.length)));

    const { json, text, result } = await diff(`oci:${left}:1.0`, `oci:${right}:1.0`);

    assertDiffers(json, text);
    assert.equal(result.same, false);
    assert.deepEqual(result.missing, [
      { side: 'b', platform: 'linux/arm64', digest: arm.configDigest, what: 'config' },
    ]);
    assert.deepEqual(result.platforms, { added: [], removed: [] });
    assert.deepEqual(result.annotations.removed, {
      'org.opencontainers.image.version': '1.0',
    });
    // Both platforms' manifests are still compared, arm64's without its config.
    const changed = result.changed.map((c) => [c.platform, c.layers[0]?.change]);
    assert.deepEqual(changed.sort(), [
      ['linux/amd64', 'changed'],
      ['linux/arm64', 'changed'],
    ]);
    assert.match(
      text.stdout,
      new RegExp(`^! \\[linux/arm64\\] config ${arm.configDigest} missing from b$`, 'm'),
    );
  });

  it('a registry that lost a platform manifest: missing on that side', async () => {
    const arm = platformOf(b.seeded, 'linux/arm64');
    const client = seedingClient(registry);
    await client.deleteManifest(ref(`${b.repository}@${arm.digest}`));
    await client.close();

    const { json, text, result } = await diff(
      `${a.repository}:1.0`,
      `${b.repository}:1.0`,
    );
    const back = await diff(`${b.repository}:1.0`, `${a.repository}:1.0`);

    assertDiffers(json, text);
    const missing = { platform: 'linux/arm64', digest: arm.digest, what: 'manifest' };
    assert.deepEqual(result.missing, [{ side: 'b', ...missing }]);
    assert.deepEqual(back.result.missing, [{ side: 'a', ...missing }]);
    assert.deepEqual(result.platforms, { added: [], removed: [] });
    assert.deepEqual(
      result.changed.map((c) => c.platform),
      ['linux/amd64'],
    );
    assert.equal(Object.keys(result.annotations.removed).length, 1);
    assert.match(
      text.stdout,
      new RegExp(`^! \\[linux/arm64\\] manifest ${arm.digest} missing from b$`, 'm'),
    );
    assert.match(text.stdout, /^~ \[linux\/amd64\] layer 0 /m);
  });

  it('an image against itself with a lost child is not the same', async () => {
    const { json, text, result } = await diff(
      `${b.repository}:1.0`,
      `${b.repository}:1.0`,
    );

    assertDiffers(json, text);
    assert.equal(result.same, false);
    assert.equal(result.digest.a, result.digest.b);
    assert.deepEqual(
      result.missing.map((m) => `${m.side} ${m.what}`),
      ['a manifest', 'b manifest'],
    );
  });

  it('a top-level reference that does not exist is still an error, exit 3', async () => {
    const run = await runGantry(['diff', `${a.repository}:1.0`, `${b.repository}:nope`]);

    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /GANTRY_E_NOT_FOUND/);
    assert.equal(run.stdout, '');
  });
});
