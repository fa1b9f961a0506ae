import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copyImage } from '../../src/copy/copy.js';
import { ErrorCode, isGantryError } from '../../src/errors.js';
import type { Descriptor } from '../../src/oci/descriptor.js';
import { Digest } from '../../src/oci/digest.js';
import { Reference } from '../../src/reference/reference.js';
import type { RegistryTarget } from '../../src/store/registry-target.js';
import {
  OCI_INDEX,
  OCI_MANIFEST,
  type SeededImage,
  seedImage,
} from '../harness/images.js';
import type { RunningRegistry } from '../harness/registries.js';
import { startCuttingProxy } from './cutting-proxy.js';
import {
  assertComplete,
  eventLog,
  newClient,
  privateRegistry,
  repoTarget,
} from './support.js';

/**
 * A copy cut off mid-blob (by the network, or by its AbortSignal) leaves
 * the destination tag where it was and no manifest without its children;
 * running the copy again finishes it with the same digests.
 */

/** Random layers this big compress to about as much: several per copy. */
const LAYER_SIZE = 2 * 1024 * 1024;
/** Cut after this much of the upload: inside the second layer at the latest. */
const CUT_AFTER_BYTES = 3 * 1024 * 1024;

const client = newClient();
/** Few, fast retries: a cut network fails the copy quickly. */
const impatient = newClient({ retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 20 } });
const [source, destination]: RunningRegistry[] = await Promise.all([
  privateRegistry(),
  privateRegistry(),
]);
const proxy = await startCuttingProxy(Number(destination.host.split(':')[1]));

async function seedPair(repository: string) {
  const at = (tag: string) => Reference.parse(`${source.host}/${repository}:${tag}`);
  await seedImage(client, at('old'));
  return seedImage(client, at('new'), { attestations: true, layerSize: LAYER_SIZE });
}

/** The manifests of a seeded image, as descriptors. */
function manifestsOf(seeded: SeededImage): Descriptor[] {
  const describe = (digest: string, size: number, mediaType = OCI_MANIFEST) => ({
    mediaType,
    digest: Digest.parse(digest),
    size,
  });
  return [
    describe(seeded.digest, seeded.bytes.length, OCI_INDEX),
    ...seeded.manifests.map((m) => describe(m.digest, m.bytes.length)),
  ];
}

/** What the interrupted copy left: the old tag, only complete manifests. */
async function assertNothingIncomplete(
  target: RegistryTarget,
  seeded: SeededImage,
  oldDigest: Digest,
) {
  assert.equal(`${(await target.resolve('v1')).digest}`, `${oldDigest}`);
  for (const manifest of manifestsOf(seeded)) {
    if (await target.exists(manifest)) await assertComplete(target, manifest);
  }
  assert.equal(await target.exists(manifestsOf(seeded)[0]!), false);
}

test('a copy cut off by the network mid-blob resumes when run again', async () => {
  const seeded = await seedPair('cut/app');
  const from = repoTarget(client, source.host, 'cut/app');
  const through = repoTarget(impatient, proxy.host, 'cut/copy');
  const direct = repoTarget(client, destination.host, 'cut/copy');
  const old = await copyImage(from, 'old', through, ['v1']);

  proxy.cutAfter(CUT_AFTER_BYTES);
  await assert.rejects(
    copyImage(from, 'new', through, ['v1']),
    (error) => isGantryError(error) && error.side === 'destination',
  );
  assert.equal(proxy.cut, true);
  await assertNothingIncomplete(direct, seeded, old.digest);

  proxy.heal();
  const log = eventLog();
  const result = await copyImage(from, 'new', through, ['v1'], log);
  assert.equal(`${result.digest}`, seeded.digest);
  assert.equal(`${(await direct.resolve('v1')).digest}`, seeded.digest);
  const want = await assertComplete(from, await from.resolve('new'));
  assert.deepEqual(await assertComplete(direct, await direct.resolve('v1')), want);
});

test('a copy aborted mid-blob fails as aborted and resumes when run again', async () => {
  const seeded = await seedPair('abort/app');
  const from = repoTarget(client, source.host, 'abort/app');
  const to = repoTarget(client, destination.host, 'abort/copy');
  const old = await copyImage(from, 'old', to, ['v1']);

  const controller = new AbortController();
  const log = eventLog();
  const onEvent = (event: Parameters<typeof log.onEvent>[0]) => {
    log.onEvent(event);
    if (event.type === 'blob-progress' && event.done < event.size) controller.abort();
  };
  await assert.rejects(
    copyImage(from, 'new', to, ['v1'], { onEvent, signal: controller.signal }),
    (error) => isGantryError(error, ErrorCode.Aborted),
  );
  assert.ok(log.events.some((e) => e.type === 'blob-progress'));
  assert.equal(
    log.events.filter((e) => e.type === 'manifest' || e.type === 'tag').length,
    0,
  );
  await assertNothingIncomplete(to, seeded, old.digest);

  const result = await copyImage(from, 'new', to, ['v1']);
  assert.equal(`${result.digest}`, seeded.digest);
  const want = await assertComplete(from, await from.resolve('new'));
  assert.deepEqual(await assertComplete(to, await to.resolve('v1')), want);
});

test('a connection dropped once mid-upload is resumed within the copy', async () => {
  const seeded = await seedPair('once/app');
  const from = repoTarget(client, source.host, 'once/app');
  const through = repoTarget(impatient, proxy.host, 'once/copy');
  const direct = repoTarget(client, destination.host, 'once/copy');

  const dropsBefore = proxy.drops;
  proxy.cutOnceAfter(CUT_AFTER_BYTES);
  const log = eventLog();
  const result = await copyImage(from, 'new', through, ['v1'], log);
  assert.ok(proxy.drops > dropsBefore, 'the proxy dropped a connection');
  assert.equal(`${result.digest}`, seeded.digest);
  assert.equal(log.count('uploaded'), seeded.blobs.length);
  const want = await assertComplete(from, await from.resolve('new'));
  assert.deepEqual(await assertComplete(direct, await direct.resolve('v1')), want);
});
