import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  type BuildResult,
  buildImages,
  type PlatformBuild,
  pushBuild,
} from '../../src/build/build-image.js';
import type { BlobTransfer } from '../../src/copy/types.js';
import { isGantryError } from '../../src/errors.js';
import { Digest } from '../../src/oci/digest.js';
import { Reference } from '../../src/reference/reference.js';
import { RegistryClient } from '../../src/registry/client.js';
import { RegistryTarget } from '../../src/store/registry-target.js';
import { getRegistries } from '../harness/registries.js';
import { tempDir } from './support.js';

// `uploadLayersTo`: each layer a build compresses is already in the
// destination repository, under its digest, when the build returns; the
// push that follows sends only configs and manifests. A registry that will
// not take the early upload costs nothing but the head start.

const client = new RegistryClient();
after(() => client.close());

/** Over several gzip blocks (1 MiB each), so the upload spans many writes. */
const FILE_SIZE = 3 * 1024 * 1024 + 17;

let host: string;
let context: string;
const results: BuildResult[] = [];
after(() => Promise.all(results.map((result) => result.dispose())));

before(async () => {
  host = (await getRegistries()).plain.host;
  context = await tempDir();
  for (const arch of ['amd64', 'arm64']) {
    const bytes = Buffer.alloc(FILE_SIZE);
    for (let at = 0; at < FILE_SIZE; at += 32) {
      createHash('sha256')
        .update(`${arch}:${at % 4096}:${at}`)
        .digest()
        .copy(bytes, at);
    }
    await writeFile(join(context, `tool-${arch}`), bytes);
  }
});

function builds(): PlatformBuild[] {
  return ['amd64', 'arm64'].map((architecture) => ({
    platform: { os: 'linux', architecture },
    base: 'scratch',
    steps: [
      {
        kind: 'layer' as const,
        createdBy: 'COPY tool /usr/local/bin/tool',
        inputs: [
          {
            source: join(context, `tool-${architecture}`),
            destination: '/usr/local/bin/tool',
          },
        ],
      },
    ],
  }));
}

async function build(uploadLayersTo?: Reference): Promise<BuildResult> {
  const options = { client, cacheDir: false as const, epoch: 0 };
  const result = await buildImages(builds(), {
    ...options,
    ...(uploadLayersTo === undefined ? {} : { uploadLayersTo }),
  });
  results.push(result);
  return result;
}

const layersOf = (result: BuildResult) =>
  result.manifests.map(({ manifest }) => manifest.layers.at(-1)!);

test('each layer is in the repository, whole, when the build returns', async () => {
  const repo = Reference.parseRepository(`${host}/build/early-${process.pid}`);
  const result = await build(repo);

  for (const layer of layersOf(result)) {
    const held = await client.headBlob(repo, layer.digest);
    assert.equal(held?.size, layer.size, `${layer.digest}`);
    const stream = await client.getBlob(repo, layer);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    assert.equal(`${Digest.of(bytes)}`, `${layer.digest}`);
  }

  // The push finds the layers there and sends only what the build did not.
  const how = new Map<string, BlobTransfer>();
  await pushBuild(result, new RegistryTarget(client, repo), ['1'], {
    onEvent: (event) => {
      if (event.type === 'blob-done') how.set(`${event.digest}`, event.how);
    },
  });
  for (const layer of layersOf(result))
    assert.equal(how.get(`${layer.digest}`), 'skipped');
  for (const { manifest } of result.manifests) {
    assert.equal(how.get(`${manifest.config.digest}`), 'uploaded');
  }
});

test('the same bytes with and without the early upload', async () => {
  const repo = Reference.parseRepository(`${host}/build/early-same-${process.pid}`);
  const uploaded = await build(repo);
  const local = await build();
  assert.equal(`${uploaded.root.digest}`, `${local.root.digest}`);
});

test('a registry that refuses the upload leaves the build as it was', async () => {
  // The basic-auth registry, asked without credentials: the POST is refused.
  const basic = (await getRegistries()).basic.host;
  const repo = Reference.parseRepository(`${basic}/build/refused-${process.pid}`);
  const result = await build(repo);
  assert.equal(`${result.root.digest}`, `${(await build()).root.digest}`);
  for (const layer of layersOf(result)) {
    const blob = await result.staging.fetchBytes(layer);
    assert.equal(blob.length, layer.size);
  }
});

test('a failing layer fails the build with its own error, not the upload', async () => {
  const repo = Reference.parseRepository(`${host}/build/early-fail-${process.pid}`);
  const broken = builds();
  const step = broken[1]!.steps[0]!;
  if (step.kind === 'layer') {
    step.inputs = [{ source: join(context, 'missing'), destination: '/x' }];
  }
  await assert.rejects(
    buildImages(broken, { client, cacheDir: false, epoch: 0, uploadLayersTo: repo }),
    (error: unknown) => isGantryError(error) && /missing/.test(error.message),
  );
});
