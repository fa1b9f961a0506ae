import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { InspectDocument } from '../../src/cli/inspect-view.js';
import { Digest } from '../../src/oci/digest.js';
import { runGantry } from '../harness/cli.js';
import {
  type SeededImage,
  type SeededManifest,
  seedDockerImage,
  seedImage,
} from '../harness/images.js';
import { getRegistries } from '../harness/registries.js';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.js';
import { ref, seedingClient, uniqueRepository } from './support.js';

/**
 * `gantry inspect`, `digest` and `tags` read an OCI layout, an OCI archive
 * and a docker-save archive as they read a registry: the same tree and
 * JSON, the same digest, the exact stored bytes with `--raw` (checked
 * against skopeo), the layout's own tags.
 */

/** Two platforms, each with its one attestation, in the tree and in JSON. */
function assertTwoPlatformsTwoAttestations(text: string, json: InspectDocument): void {
  assert.match(text, /^Platforms: +2$/m);
  assert.equal(text.match(/^ {4}attestation sha256:[0-9a-f]{64}/gm)?.length, 2, text);
  assert.deepEqual(json.platforms.map((p) => p.platform).sort(), [
    'linux/amd64',
    'linux/arm64',
  ]);
  assert.equal(json.attestations.length, 2);
  for (const platform of json.platforms) {
    assert.equal(platform.attestations.length, 1);
    assert.equal(platform.missing, false);
  }
}

function skopeoRaw(reference: string): Buffer {
  return execFileSync('skopeo', ['inspect', '--raw', reference]);
}

async function gantry(...args: string[]) {
  const run = await runGantry(args);
  assert.equal(run.code, 0, `gantry ${args.join(' ')}: ${run.stderr}`);
  return run;
}

describe('inspect, digest and tags of an OCI layout and an OCI archive', () => {
  let dir = '';
  let seeded: SeededImage;
  let registryRef = '';
  const forms: Record<string, string> = {};

  before(async () => {
    const registry = (await getRegistries()).plain;
    registryRef = `${uniqueRepository(registry, 'local-forms')}:1.0`;
    seeded = await seedImage(seedingClient(registry), ref(registryRef), {
      attestations: true,
    });
    dir = makeTempDir('gantry-cli-inspect-local-');
    forms.layout = `oci:${join(dir, 'layout')}:1.0`;
    forms.archive = `oci-archive:${join(dir, 'image.tar')}:1.0`;
    await gantry('copy', registryRef, forms.layout);
    await gantry('copy', forms.layout, `oci:${join(dir, 'layout')}:second`);
    await gantry('copy', forms.layout, forms.archive);
  });
  after(() => removeTempDir(dir));

  for (const form of ['layout', 'archive']) {
    it(`${form}: inspect shows the registry's tree and JSON`, async () => {
      const text = await gantry('inspect', forms[form]!);
      const json = await gantry('--json', 'inspect', forms[form]!);
      const fromRegistry = await gantry('--json', 'inspect', registryRef);
      const document = JSON.parse(json.stdout) as InspectDocument;

      assertTwoPlatformsTwoAttestations(text.stdout, document);
      assert.match(text.stdout, new RegExp(`^Digest: +${seeded.digest}$`, 'm'));
      assert.equal(document.reference, forms[form]);
      const { reference: _a, ...local } = document;
      const { reference: _b, ...remote } = JSON.parse(fromRegistry.stdout);
      assert.deepEqual(local, remote);
    });

    it(`${form}: --raw writes the bytes skopeo reads`, async () => {
      const raw = await gantry('inspect', '--raw', forms[form]!);

      assert.equal(raw.stdout, skopeoRaw(forms[form]!).toString());
      assert.equal(raw.stdout, seeded.bytes.toString());
    });

    it(`${form}: --platform picks that image, named by digest`, async () => {
      const arm = seeded.manifests.find((m) => m.platform === 'linux/arm64')!;
      const raw = await gantry(
        'inspect',
        '--platform',
        'linux/arm64',
        '--raw',
        forms[form]!,
      );
      const json = await gantry(
        '--json',
        'inspect',
        '--platform',
        'linux/arm64',
        forms[form]!,
      );
      const document = JSON.parse(json.stdout) as InspectDocument;

      assert.equal(raw.stdout, arm.bytes.toString());
      assert.equal(document.digest, arm.digest);
      assert.equal(document.platform, 'linux/arm64');
      assert.equal(document.reference, `${forms[form]}@${arm.digest}`);
    });

    it(`${form}: digest equals the registry's digest`, async () => {
      const local = await gantry('digest', forms[form]!);
      const remote = await gantry('digest', registryRef);

      assert.equal(local.stdout, `${seeded.digest}\n`);
      assert.equal(local.stdout, remote.stdout);
    });
  }

  it("tags lists the layout's names, in its order", async () => {
    const text = await gantry('tags', `oci:${join(dir, 'layout')}`);
    const json = await gantry('--json', 'tags', `oci:${join(dir, 'layout')}`);

    assert.equal(text.stdout, '1.0\nsecond\n');
    assert.deepEqual(JSON.parse(json.stdout), ['1.0', 'second']);
  });

  it('tags of the archive lists its one name', async () => {
    const run = await gantry('tags', `oci-archive:${join(dir, 'image.tar')}`);

    assert.equal(run.stdout, '1.0\n');
  });

  it('tags refuses a layout reference that names one image (exit 2)', async () => {
    const run = await runGantry(['tags', forms.layout!]);

    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /GANTRY_E_USAGE: tags lists a whole layout/);
  });

  it('a tag the layout lacks is not found (exit 3), naming the reference', async () => {
    const missing = `oci:${join(dir, 'layout')}:nope`;
    const inspect = await runGantry(['inspect', missing]);
    const digest = await runGantry(['digest', missing]);

    for (const run of [inspect, digest]) {
      assert.equal(run.code, 3, run.stderr);
      assert.match(run.stderr, /GANTRY_E_NOT_FOUND: manifest oci:.*:nope not found/);
    }
  });

  it('a layout with two names and no tag given asks for one (exit 2)', async () => {
    const run = await runGantry(['inspect', `oci:${join(dir, 'layout')}`]);

    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /it holds 1\.0, second/);
  });
});

describe('inspect and digest of a one-platform docker-save archive', () => {
  let dir = '';
  let seeded: SeededManifest;
  let archive = '';

  before(async () => {
    const registry = (await getRegistries()).plain;
    const registryRef = `${uniqueRepository(registry, 'local-docker')}:1.0`;
    seeded = await seedDockerImage(seedingClient(registry), ref(registryRef), {
      platform: 'linux/arm64',
    });
    dir = makeTempDir('gantry-cli-inspect-docker-');
    archive = `docker-archive:${join(dir, 'image.tar')}`;
    await gantry('copy', registryRef, archive);
  });
  after(() => removeTempDir(dir));

  it("digest equals the registry's digest", async () => {
    const run = await gantry('digest', archive);

    assert.equal(run.stdout, `${seeded.digest}\n`);
  });

  it('inspect shows the image: its platform, config and layer', async () => {
    const json = await gantry('--json', 'inspect', archive);
    const text = await gantry('inspect', archive);
    const digest = await gantry('digest', archive);
    const document = JSON.parse(json.stdout) as InspectDocument;

    assert.equal(document.kind, 'manifest');
    assert.equal(document.digest, digest.stdout.trim());
    assert.equal(document.platform, 'linux/arm64');
    assert.equal(document.config?.digest, seeded.configDigest);
    assert.equal(document.layers.length, 1);
    assert.match(text.stdout, new RegExp(`^Digest: +${document.digest}$`, 'm'));
  });

  // skopeo makes its own manifest for a docker archive (uncompressed layer
  // digests), so its bytes are no reference here; the registry's are.
  it("--raw writes the registry's manifest bytes, which hash to the digest", async () => {
    const raw = await gantry('inspect', '--raw', archive);

    assert.equal(raw.stdout, seeded.bytes.toString());
    assert.equal(Digest.of(Buffer.from(raw.stdout)).toString(), seeded.digest);
  });
});
