import assert from 'node:assert/strict';
import type { Readable } from 'node:stream';
import { test } from 'node:test';
import { copyImage } from '../../src/copy/copy.js';
import { ErrorCode, GantryError, isGantryError } from '../../src/errors.js';
import { createIndex } from '../../src/oci/create.js';
import type { Descriptor } from '../../src/oci/descriptor.js';
import { isManifestType } from '../../src/oci/mediatype.js';
import { MemoryTarget } from '../../src/store/memory.js';
import { blob, makeImage, pushImage } from '../store/support.js';
import { graphIn } from './support.js';

// Copies between memory targets: failures name their side and descriptor,
// nothing is tagged after a failure, and a subject cycle ends.

/** A destination that refuses every blob push, as a full disk would. */
class RefusingTarget extends MemoryTarget {
  override async push(descriptor: Descriptor, content: Uint8Array | Readable) {
    if (isManifestType(descriptor.mediaType)) return super.push(descriptor, content);
    throw new GantryError(ErrorCode.Registry, 'no space left');
  }
}

test('a blob the source lacks fails on the source side, naming it', async () => {
  const source = new MemoryTarget();
  const image = makeImage('partial');
  await source.push(image.config.descriptor, image.config.bytes);
  await source.push(image.descriptor, image.manifest.bytes);
  await source.tag(image.descriptor, 'v1');
  const destination = new MemoryTarget();

  await assert.rejects(copyImage(source, 'v1', destination, ['v1']), (error) => {
    return (
      isGantryError(error, ErrorCode.NotFound) &&
      error.side === 'source' &&
      error.details.digest === `${image.layer.descriptor.digest}` &&
      error.message.startsWith('source: ')
    );
  });
  assert.deepEqual(await destination.tags(), []);
  assert.equal(await destination.exists(image.descriptor), false);
});

/**
 * A source whose blob `missing` fails, and whose referrers lookup answers
 * only after that failure has stopped the copy, with one more manifest to
 * read: blobs move while the plan is read, so the plan then sees the copy
 * stopping, and the blob's own error must still be the one reported.
 */
class LateReferrersTarget extends MemoryTarget {
  #onFailed: () => void = () => {};
  readonly #failed = new Promise<void>((resolve) => {
    this.#onFailed = resolve;
  });

  constructor(
    readonly missing: Descriptor,
    readonly listed: Descriptor,
  ) {
    super();
  }

  override async fetch(descriptor: Descriptor) {
    try {
      return await super.fetch(descriptor);
    } finally {
      if (descriptor.digest.equals(this.missing.digest)) this.#onFailed();
    }
  }

  override async referrers(): Promise<Descriptor[]> {
    await this.#failed;
    // After the failure's handlers have run: the copy is stopped by now.
    await new Promise((resolve) => setImmediate(resolve));
    return [this.listed];
  }
}

test('a blob failing while the plan is read is reported, not the copy stopping', async () => {
  const image = makeImage('late');
  const other = makeImage('late-referrer');
  const source = new LateReferrersTarget(image.layer.descriptor, other.descriptor);
  await source.push(image.config.descriptor, image.config.bytes);
  await source.push(image.descriptor, image.manifest.bytes);
  await source.tag(image.descriptor, 'v1');
  await pushImage(source, other);

  await assert.rejects(
    copyImage(source, 'v1', new MemoryTarget(), ['v1']),
    (error) =>
      isGantryError(error, ErrorCode.NotFound) &&
      error.side === 'source' &&
      error.details.digest === `${image.layer.descriptor.digest}`,
  );
});

test('a push the destination refuses fails on the destination side', async () => {
  const source = new MemoryTarget();
  const image = makeImage('refused');
  await pushImage(source, image);
  await source.tag(image.descriptor, 'v1');
  const destination = new RefusingTarget();

  await assert.rejects(
    copyImage(source, 'v1', destination, ['v1']),
    (error) => isGantryError(error, ErrorCode.Registry) && error.side === 'destination',
  );
  assert.deepEqual(await destination.tags(), []);
});

test('an aborted signal stops the copy before anything is written', async () => {
  const source = new MemoryTarget();
  const image = makeImage('aborted');
  await pushImage(source, image);
  await source.tag(image.descriptor, 'v1');
  const destination = new MemoryTarget();
  const signal = AbortSignal.abort();

  await assert.rejects(
    copyImage(source, 'v1', destination, ['v1'], { signal }),
    (error) => isGantryError(error, ErrorCode.Aborted),
  );
  assert.equal(await destination.exists(image.config.descriptor), false);
});

test('an index whose subject is its child is copied once; the walk ends', async () => {
  const source = new MemoryTarget();
  const image = makeImage('child');
  await pushImage(source, image);
  const loop = createIndex({ manifests: [image.descriptor], subject: image.descriptor });
  const loopDescriptor = blob(loop.bytes, loop.mediaType);
  await source.push(loopDescriptor, loop.bytes);
  await source.tag(image.descriptor, 'child');

  const destination = new MemoryTarget();
  const result = await copyImage(source, 'child', destination, ['child']);
  assert.equal(result.stats.referrers, 1);
  assert.equal(result.stats.manifests, 2);
  const graph = await graphIn(destination, loopDescriptor);
  assert.deepEqual(graph.missing, []);
  const listed = await destination.referrers(image.descriptor.digest);
  assert.deepEqual(
    listed.map((d) => `${d.digest}`),
    [`${loopDescriptor.digest}`],
  );

  const without = await copyImage(source, 'child', new MemoryTarget(), [], {
    referrers: false,
  });
  assert.equal(without.stats.referrers, 0);
});
