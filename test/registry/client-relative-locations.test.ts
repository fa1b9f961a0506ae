import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { Digest } from '../../src/oci/digest.js';
import { Reference } from '../../src/reference/reference.js';
import { RegistryClient } from '../../src/registry/client.js';
import { type RunningRegistry, startRegistry } from '../harness/registries.js';

// A real registry with `http.relativeurls: true` answers every upload with a
// relative Location (`/v2/...?_state=...`): monolithic and chunked uploads
// must resolve it and keep its query (field case BR-19, case A).

let registry: RunningRegistry;
let client: RegistryClient;

before(async () => {
  registry = await startRegistry('plain', { relativeUrls: true });
  client = new RegistryClient();
});

after(async () => {
  await client.close();
  await registry.stop();
});

function blob(size: number) {
  const bytes = randomBytes(size);
  return { bytes, digest: Digest.of(bytes), size };
}

test('monolithic and chunked uploads work with relative Locations', async () => {
  const repo = Reference.parseRepository(`${registry.host}/registry-test/relative`);
  const small = blob(1000);
  const large = blob(300_000);
  const source = {
    open: (offset: number) => Readable.from([large.bytes.subarray(offset)]),
  };

  assert.equal(await client.uploadBlob(repo, small, small.bytes), 'uploaded');
  assert.equal(
    await client.uploadBlob(repo, large, source, { chunkSize: 64 * 1024 }),
    'uploaded',
  );

  const back = await client.getBlob(repo, large);
  assert.deepEqual(Buffer.concat(await back.toArray()), large.bytes);
  assert.deepEqual(await client.headBlob(repo, small.digest), { size: 1000 });
});
