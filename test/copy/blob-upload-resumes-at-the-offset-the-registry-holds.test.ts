import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { test } from 'node:test';
import { copyBlob } from '../../src/copy/blobs.js';
import type { CopyEvent } from '../../src/copy/types.js';
import type { Descriptor } from '../../src/oci/descriptor.js';
import { Digest } from '../../src/oci/digest.js';
import { MediaType } from '../../src/oci/mediatype.js';
import { Reference } from '../../src/reference/reference.js';
import type { RegistryClient } from '../../src/registry/client.js';
import { DEFAULT_CHUNK_SIZE } from '../../src/registry/upload.js';
import { RegistryTarget } from '../../src/store/registry-target.js';
import type { RunningRegistry } from '../harness/registries.js';
import { startCuttingProxy } from './cutting-proxy.js';
import { newClient, privateRegistry } from './support.js';

// Registry to registry, a streamed blob upload whose connection drops
// mid-body continues in the same upload session from the offset the
// destination reports, re-opening the source there. Distribution 2.8 keeps
// none of a PATCH that broke off, so that offset is 0 here; resuming at a
// later offset is pinned by test/registry/upload-streams-a-source-in-one-patch.

/** Large enough that the connection drops with most of the blob unsent. */
const BLOB_SIZE = 2 * DEFAULT_CHUNK_SIZE + 4321;

/** A source that records the offsets it is read from. */
class RecordingSource extends RegistryTarget {
  readonly offsets: number[] = [];
  override async fetch(descriptor: Descriptor): Promise<Readable> {
    this.offsets.push(0);
    return super.fetch(descriptor);
  }
  override async fetchFrom(descriptor: Descriptor, offset: number): Promise<Readable> {
    this.offsets.push(offset);
    return super.fetchFrom(descriptor, offset);
  }
}

const client = newClient();
/** No session retries: a dropped PATCH goes to the upload's own resume. */
const once: RegistryClient = newClient({ retry: { attempts: 1 } });
const [one, two]: RunningRegistry[] = await Promise.all([
  privateRegistry(),
  privateRegistry(),
]);
const proxy = await startCuttingProxy(Number(two.host.split(':')[1]));

test('a dropped upload resumes at the offset the registry holds', async () => {
  const bytes = randomBytes(BLOB_SIZE);
  const descriptor = {
    mediaType: MediaType.OciLayerGzip,
    digest: Digest.of(bytes),
    size: bytes.length,
  };
  const at = (host: string) => Reference.parseRepository(`${host}/resume/blob`);
  await client.uploadBlob(at(one.host), descriptor, bytes);
  const source = new RecordingSource(client, at(one.host));
  const destination = new RegistryTarget(once, at(proxy.host));

  const events: CopyEvent[] = [];
  proxy.cutOnceAfter(DEFAULT_CHUNK_SIZE);
  const signal = new AbortController().signal;
  const how = await copyBlob(
    { source, destination, signal, emit: (e) => events.push(e) },
    descriptor,
  );

  assert.equal(how, 'uploaded');
  assert.ok(proxy.drops > 0, 'the proxy dropped the upload');
  assert.deepEqual(source.offsets, [0, 0]);
  // Resumed in the same session: no second session was needed.
  assert.ok(!events.some((e) => e.type === 'warning'));
  const direct = new RegistryTarget(client, at(two.host));
  assert.deepEqual(Buffer.from(await direct.fetchBytes(descriptor, BLOB_SIZE)), bytes);
  assert.ok(events.some((e) => e.type === 'blob-done' && e.how === 'uploaded'));
});
