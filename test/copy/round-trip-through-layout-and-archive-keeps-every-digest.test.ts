import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { copyImage } from '../../src/copy/copy.js';
import { Reference } from '../../src/reference/reference.js';
import { OciArchiveTarget } from '../../src/store/oci-archive.js';
import { OciLayoutTarget } from '../../src/store/oci-layout.js';
import { seedImage } from '../harness/images.js';
import {
  assertComplete,
  graphIn,
  newClient,
  privateRegistry,
  repoTarget,
  tempDir,
} from './support.js';

// Registry → OCI layout → OCI archive → another registry: every manifest
// and blob digest of a two-platform image with attestations survives.

test('registry → layout → archive → registry keeps every digest', async () => {
  const [one, two] = await Promise.all([privateRegistry(), privateRegistry()]);
  const client = newClient();
  const seeded = await seedImage(client, Reference.parse(`${one.host}/round/trip:v1`), {
    attestations: true,
    annotations: { 'org.opencontainers.image.title': 'round trip' },
  });
  const dir = await tempDir();

  const source = repoTarget(client, one.host, 'round/trip');
  const layout = await OciLayoutTarget.open(join(dir, 'layout'), { create: true });
  const first = await copyImage(source, 'v1', layout, ['v1']);
  assert.equal(`${first.digest}`, seeded.digest);
  assert.equal(first.changed, false);
  assert.equal(first.stats.manifests, 5);

  const archive = await OciArchiveTarget.open(join(dir, 'image.tar'), { create: true });
  await copyImage(layout, 'v1', archive, ['v1']);
  await archive.close();

  const reread = await OciArchiveTarget.open(join(dir, 'image.tar'), { readOnly: true });
  const destination = repoTarget(client, two.host, 'round/back');
  const last = await copyImage(reread, 'v1', destination, ['v1', 'latest']);
  await reread.close();

  assert.equal(`${last.digest}`, seeded.digest);
  const root = await source.resolve('v1');
  const before = await assertComplete(source, root);
  const after = await assertComplete(destination, await destination.resolve('latest'));
  assert.deepEqual(after, before);
  assert.equal(before.manifests.length, 5);
  assert.equal(before.blobs.length, seeded.blobs.length);

  const fetched = await client.getManifest(Reference.parse(`${two.host}/round/back:v1`));
  assert.deepEqual(Buffer.from(fetched.bytes), seeded.bytes);
  assert.deepEqual((await graphIn(layout, root)).missing, []);
});
