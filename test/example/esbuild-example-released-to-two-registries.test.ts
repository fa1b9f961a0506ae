import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFile, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { MadeBase } from '../../examples/esbuild/debian/build-base.js';
import {
  type Descriptor,
  Digest,
  openTarget,
  parseReference,
  type ReadTarget,
  RegistryClient,
} from '../../src/index.js';
import { runGantry } from '../harness/cli.js';
import { getRegistries, type TestRegistry } from '../harness/registries.js';
import {
  ELF_MACHINE,
  EXAMPLE_DIR,
  EXAMPLE_EPOCH,
  elfMachine,
  esbuildVersion,
  fetchEsbuild,
  layerFiles,
  makeExampleBases,
} from './support.js';

/**
 * The README's first example, pushed to two real registries (plain and
 * TLS) instead of a folder: the real esbuild binaries, the bases made from
 * Debian packages, examples/esbuild/release.yaml as it is, through the
 * built CLI. Every planned tag is in both registries on one digest; each
 * variant's index has both platforms, each platform manifest is its base's
 * layers plus one, and that top layer holds esbuild for the right machine.
 */

const SKOPEO = '/usr/bin/skopeo';
const REPOSITORY = 'example/esbuild';
const ESBUILD = 'usr/local/bin/esbuild';

let plain: TestRegistry;
let tls: TestRegistry;
let work = '';
let bases: MadeBase[] = [];
const version = esbuildVersion();

interface IndexJson {
  manifests: { digest: string; platform?: { os: string; architecture: string } }[];
}
interface ManifestJson {
  layers: { mediaType: string; digest: string; size: number }[];
}

function gantry(...args: string[]) {
  const flags = ['--ca-file', `${tls.host}=${tls.caFile}`];
  return runGantry([...flags, ...args], {
    cwd: work,
    env: { SOURCE_DATE_EPOCH: `${EXAMPLE_EPOCH}` },
  });
}

function registryClient(): RegistryClient {
  return new RegistryClient({ caFiles: { [tls.host]: tls.caFile! } });
}

function release(...args: string[]) {
  const to = [plain, tls].flatMap((r) => ['--to', `${r.host}/${REPOSITORY}`]);
  return gantry('release', '--version', version, ...to, ...args, 'release.yaml');
}

function skopeoRaw(image: string): unknown {
  const args = ['inspect', '--raw', '--tls-verify=false', `docker://${image}`];
  return JSON.parse(execFileSync(SKOPEO, args, { encoding: 'utf8' }));
}

/** The tags the example's release file plans, written out by hand. */
function expectedTags(): Record<string, string[]> {
  const [major, minor] = version.split('.');
  const variant = (suffix: string) => [
    `${version}-${suffix}`,
    `${major}.${minor}-${suffix}`,
    suffix,
  ];
  return {
    busybox: variant('busybox'),
    bookworm: [...variant('bookworm'), ...variant('debian12')],
    base: [version, `${major}.${minor}`, `${major}`, 'latest'],
  };
}

before(async () => {
  ({ plain, tls } = await getRegistries());
  fetchEsbuild();
  work = await mkdtemp(join(tmpdir(), 'gantry-example-release-'));
  bases = await makeExampleBases(join(work, 'bases'));
  await copyFile(join(EXAMPLE_DIR, 'release.yaml'), join(work, 'release.yaml'));
  await symlink(join(EXAMPLE_DIR, 'dist'), join(work, 'dist'));
});

after(async () => {
  if (work !== '') await rm(work, { recursive: true, force: true });
});

describe('the esbuild example released to a plain and a TLS registry', () => {
  let planned: Record<string, string[]> = {};

  it('plans a scratch image and two variants, each with its tags', async () => {
    const run = await gantry('--json', 'release', '--dry-run', '--version', version);
    assert.equal(run.code, 0, run.stderr);
    const { plan } = JSON.parse(run.stdout) as {
      plan: { images: { name: string; tags: string[] }[] };
    };
    planned = Object.fromEntries(plan.images.map((image) => [image.name, image.tags]));
    assert.deepEqual(planned, expectedTags());
  });

  it('publishes, verifies and prints every image, platform and tag', async () => {
    const run = await release('--record', join(work, 'record.json'));
    assert.equal(run.code, 0, run.stderr);
    const output = run.stdout + run.stderr;
    for (const [image, tags] of Object.entries(planned)) {
      assert.match(output, new RegExp(`building ${image} .*linux/amd64, linux/arm64`));
      for (const tag of tags) assert.ok(output.includes(`:${tag} new`), tag);
    }
    assert.match(output, / 0 failures/);
  });

  it('has every planned tag in both registries, on one digest per image', async () => {
    const client = registryClient();
    try {
      for (const registry of [plain, tls]) {
        const listed = await gantry('tags', `${registry.host}/${REPOSITORY}`);
        assert.equal(listed.code, 0, listed.stderr);
        const all = Object.values(planned).flat().sort();
        assert.deepEqual(listed.stdout.trim().split('\n').sort(), all, registry.kind);
      }
      for (const [image, tags] of Object.entries(planned)) {
        const digests = new Set<string>();
        for (const registry of [plain, tls]) {
          for (const tag of tags) {
            const ref = parseReference(`${registry.host}/${REPOSITORY}:${tag}`);
            digests.add(`${(await client.headManifest(ref))?.digest}`);
          }
        }
        assert.equal(digests.size, 1, `${image}: ${[...digests].join(' ')}`);
      }
    } finally {
      await client.close();
    }
  });

  it("stacks each variant's platform on its base's layers plus esbuild", async () => {
    const client = registryClient();
    try {
      for (const registry of [plain, tls]) {
        for (const base of bases) {
          const image = `${registry.host}/${REPOSITORY}:${base.tag}`;
          await checkVariant(client, image, base);
        }
      }
    } finally {
      await client.close();
    }
  });
});

async function checkVariant(client: RegistryClient, image: string, base: MadeBase) {
  const index = skopeoRaw(image) as IndexJson;
  const platforms = index.manifests
    .filter((entry) => entry.platform?.os === 'linux')
    .map((entry) => ({ ...entry, name: `linux/${entry.platform!.architecture}` }));
  assert.deepEqual(
    platforms.map((entry) => entry.name),
    ['linux/amd64', 'linux/arm64'],
    image,
  );
  const { target } = await openTarget(image, { client, readOnly: true });
  const layout = (await openTarget(`oci:${join(work, 'bases')}`, { client })).target;

  for (const entry of platforms) {
    const repository = image.slice(0, image.lastIndexOf(':'));
    const manifest = skopeoRaw(`${repository}@${entry.digest}`) as ManifestJson;
    const baseManifest = await baseManifestOf(layout, base.tag, entry.name);

    assert.equal(manifest.layers.length, baseManifest.layers.length + 1, entry.name);
    assert.deepEqual(manifest.layers.slice(0, -1), baseManifest.layers, entry.name);
    const top = manifest.layers.at(-1)!;
    const files = await layerFiles(
      await target.fetchBytes({ ...top, digest: Digest.parse(top.digest) }),
    );
    const esbuild = files.get(ESBUILD);
    assert.ok(esbuild !== undefined, `${image} ${entry.name}: no ${ESBUILD}`);
    const arch = entry.platform!.architecture;
    assert.equal(elfMachine(esbuild.bytes), ELF_MACHINE[arch], `${image} ${arch}`);
  }
}

/** The base's manifest for `platform`, read from the bases layout. */
async function baseManifestOf(
  layout: ReadTarget,
  tag: string,
  platform: string,
): Promise<ManifestJson> {
  const read = async (descriptor: Descriptor) =>
    JSON.parse(Buffer.from(await layout.fetchBytes(descriptor)).toString('utf8'));
  const index = await read(await layout.resolve(tag));
  const entry = index.manifests.find(
    (candidate: { platform: { architecture: string } }) =>
      `linux/${candidate.platform.architecture}` === platform,
  );
  return read({ ...entry, digest: Digest.parse(entry.digest) });
}
