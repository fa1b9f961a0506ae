import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copyImage } from '../../src/copy/copy.js';
import { Reference } from '../../src/reference/reference.js';
import { seedImage } from '../harness/images.js';
import type { RunningRegistry } from '../harness/registries.js';
import { eventLog, newClient, privateRegistry, repoTarget } from './support.js';

// Move only what must move: present blobs are skipped after a HEAD, blobs
// in another repository of the same registry are mounted, not uploaded.

const client = newClient();
const [one, two]: RunningRegistry[] = await Promise.all([
  privateRegistry(),
  privateRegistry(),
]);

test('a second copy uploads nothing: every blob is found and skipped', async () => {
  const seeded = await seedImage(client, Reference.parse(`${one.host}/skip/app:v1`), {
    attestations: true,
  });
  const source = repoTarget(client, one.host, 'skip/app');
  const destination = repoTarget(client, two.host, 'skip/copy');

  const first = eventLog();
  const result = await copyImage(source, 'v1', destination, ['v1'], first);
  assert.equal(first.count('uploaded'), seeded.blobs.length);
  assert.equal(result.stats.uploaded, seeded.blobs.length);
  assert.ok(result.stats.bytes > 0);

  const second = eventLog();
  const again = await copyImage(source, 'v1', destination, ['v1', 'v2'], second);
  assert.equal(second.count('uploaded'), 0);
  assert.equal(second.count('skipped'), seeded.blobs.length);
  assert.deepEqual(
    {
      uploaded: again.stats.uploaded,
      skipped: again.stats.skipped,
      bytes: again.stats.bytes,
    },
    { uploaded: 0, skipped: seeded.blobs.length, bytes: 0 },
  );
  assert.equal(`${again.digest}`, seeded.digest);
  assert.deepEqual(
    second.events.filter((e) => e.type === 'tag').map((e) => e.type === 'tag' && e.tag),
    ['v1', 'v2'],
  );
});

test('within one registry blobs are mounted from the source repository', async () => {
  const seeded = await seedImage(client, Reference.parse(`${one.host}/mount/app:v1`));
  const source = repoTarget(client, one.host, 'mount/app');
  const destination = repoTarget(client, one.host, 'mount/other');

  const log = eventLog();
  const result = await copyImage(source, 'v1', destination, ['v1'], log);
  assert.equal(log.count('mounted'), seeded.blobs.length);
  assert.equal(log.count('uploaded'), 0);
  assert.equal(result.stats.mounted, seeded.blobs.length);
  assert.equal(log.events.filter((e) => e.type === 'blob-progress').length, 0);
  assert.equal(`${(await destination.resolve('v1')).digest}`, seeded.digest);
});

test('events: blobs, then manifests children first, then tags', async () => {
  const seeded = await seedImage(client, Reference.parse(`${one.host}/order/app:v1`));
  const source = repoTarget(client, one.host, 'order/app');
  const destination = repoTarget(client, two.host, 'order/copy');
  const log = eventLog();
  await copyImage(source, 'v1', destination, ['v1'], log);

  const kinds = log.events.map((e) => e.type).filter((t) => t !== 'blob-progress');
  // Blobs start while the plan is made; manifests wait for the whole plan.
  const firstManifest = kinds.indexOf('manifest');
  assert.ok(kinds.indexOf('plan') >= 0 && kinds.indexOf('plan') < firstManifest);
  assert.ok(kinds.lastIndexOf('blob-done') < firstManifest);
  assert.ok(kinds.indexOf('tag') > kinds.lastIndexOf('manifest'));
  const manifests = log.events.flatMap((e) =>
    e.type === 'manifest' ? [`${e.digest}`] : [],
  );
  assert.equal(manifests.at(-1), seeded.digest);
  assert.equal(manifests.length, 3);
});
