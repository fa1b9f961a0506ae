import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { type BuildResult, buildImages, pushBuild } from '../../src/build/build-image.js';
import type { CopyEvent } from '../../src/copy/types.js';
import { Reference } from '../../src/reference/reference.js';
import { RegistryClient } from '../../src/registry/client.js';
import { RegistryTarget } from '../../src/store/registry-target.js';
import { type SeededImage, seedImage } from '../harness/images.js';
import { getRegistries, startRegistry } from '../harness/registries.js';

// Publishing an image built on a base: to the registry that holds the base,
// no base-layer byte is uploaded (mounted from the base's repository, or
// already there); to another registry the base layers are streamed from
// the base's registry. Counted from the copy's own events.

const client = new RegistryClient();
after(() => client.close());

/** Big enough that a base layer upload would dwarf everything else. */
const BASE_LAYER_SIZE = 512 * 1024;

let host: string;
let baseName: string;
let seeded: SeededImage;
let result: BuildResult;

before(async () => {
  host = (await getRegistries()).plain.host;
  baseName = `${host}/build/push-base-${process.pid}`;
  seeded = await seedImage(client, Reference.parse(`${baseName}:1`), {
    layers: 2,
    layerSize: BASE_LAYER_SIZE,
  });
  result = await buildImages(
    ['amd64', 'arm64'].map((architecture) => ({
      platform: { os: 'linux', architecture },
      base: `${baseName}:1`,
      steps: [
        {
          kind: 'layer' as const,
          createdBy: 'COPY app /app',
          inputs: [{ content: `app ${architecture}\n`, destination: '/app' }],
        },
      ],
    })),
    { client, cacheDir: false, epoch: 0 },
  );
});

after(() => result?.dispose());

function repo(name: string): RegistryTarget {
  return new RegistryTarget(client, Reference.parseRepository(name));
}

async function push(destination: RegistryTarget) {
  const events: CopyEvent[] = [];
  const copy = await pushBuild(result, destination, ['1.0'], {
    onEvent: (event) => events.push(event),
  });
  const how = new Map<string, string>();
  for (const event of events) {
    if (event.type === 'blob-done') how.set(`${event.digest}`, event.how);
  }
  return { copy, how };
}

/** What the build itself made: new layers and configs, with their sizes. */
function newBlobs(): Map<string, number> {
  const blobs = new Map<string, number>();
  for (const { manifest } of result.manifests) {
    blobs.set(`${manifest.config.digest}`, manifest.config.size);
    const layer = manifest.layers.at(-1)!;
    blobs.set(`${layer.digest}`, layer.size);
  }
  return blobs;
}

const baseLayers = () => seeded.manifests.flatMap((m) => m.layerDigests);

test('to another repository of the base registry: base layers are mounted', async () => {
  const { copy, how } = await push(repo(`${host}/build/push-app-${process.pid}`));

  for (const digest of baseLayers()) assert.equal(how.get(digest), 'mounted', digest);
  const uploaded = [...how].filter(([, way]) => way === 'uploaded').map(([d]) => d);
  assert.deepEqual(uploaded.sort(), [...newBlobs().keys()].sort());
  const newBytes = [...newBlobs().values()].reduce((a, b) => a + b, 0);
  assert.equal(copy.stats.bytes, newBytes);
  assert.ok(copy.stats.bytes < BASE_LAYER_SIZE);
  assert.equal(`${copy.digest}`, `${result.root.digest}`);
});

test('pushed to the base repository itself: base layers are skipped', async () => {
  const { copy, how } = await push(repo(baseName));
  for (const digest of baseLayers()) assert.equal(how.get(digest), 'skipped', digest);
  assert.ok(copy.stats.bytes < BASE_LAYER_SIZE);
});

test('to another registry: base layers stream over, the image is whole', async () => {
  const other = await startRegistry('plain');
  after(() => other.stop());
  const name = `${other.host}/build/push-elsewhere`;
  const { copy, how } = await push(repo(name));

  for (const digest of baseLayers()) assert.equal(how.get(digest), 'uploaded', digest);
  assert.ok(copy.stats.bytes > 4 * BASE_LAYER_SIZE);
  const raw = execFileSync(
    'skopeo',
    ['inspect', '--raw', '--tls-verify=false', `docker://${name}:1.0`],
    { encoding: 'utf8' },
  );
  assert.equal(raw, new TextDecoder().decode(result.index!.bytes));
  const copied = execFileSync(
    'skopeo',
    ['--override-arch', 'arm64', 'inspect', '--tls-verify=false', `docker://${name}:1.0`],
    { encoding: 'utf8' },
  );
  assert.equal(JSON.parse(copied).Layers.length, 3);
});
