import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ErrorCode, isGantryError } from '../../src/errors.js';
import { blobPath } from '../../src/store/layout-files.js';
import { OciLayoutTarget } from '../../src/store/oci-layout.js';
import { makeImage, pushImage, readAll, tempDir } from './support.js';

// What a layout on disk can get wrong, and what gantry says about it.

const code = (expected: string) => (error: unknown) =>
  isGantryError(error) && error.code === expected;

test('a blob changed on disk fails its read with DigestMismatch', async () => {
  const path = join(await tempDir(), 'layout');
  const layout = await OciLayoutTarget.open(path, { create: true });
  const image = makeImage('damaged');
  await pushImage(layout, image);

  const damaged = new Uint8Array(image.layer.bytes);
  damaged[0] = damaged[0]! ^ 0xff;
  await writeFile(blobPath(path, image.layer.descriptor.digest), damaged);

  await assert.rejects(
    layout.fetchBytes(image.layer.descriptor),
    code(ErrorCode.DigestMismatch),
  );
  const stream = await layout.fetch(image.layer.descriptor);
  await assert.rejects(readAll(stream), code(ErrorCode.DigestMismatch));
});

test('a missing folder is NotFound unless created', async () => {
  const path = join(await tempDir(), 'absent');
  await assert.rejects(OciLayoutTarget.open(path), code(ErrorCode.NotFound));
  const layout = await OciLayoutTarget.open(path, { create: true });
  assert.deepEqual(await layout.tags(), []);
});

test('a folder without oci-layout, or of another version, is refused', async () => {
  const plain = await tempDir();
  await assert.rejects(OciLayoutTarget.open(plain), code(ErrorCode.InvalidLayout));

  const future = await tempDir();
  await writeFile(join(future, 'oci-layout'), '{"imageLayoutVersion":"2.0.0"}');
  await mkdir(join(future, 'blobs'));
  await writeFile(join(future, 'index.json'), '{"schemaVersion":2,"manifests":[]}');
  await assert.rejects(OciLayoutTarget.open(future), code(ErrorCode.InvalidLayout));
});

test('a layout opened read-only refuses pushes and tags', async () => {
  const path = join(await tempDir(), 'layout');
  const image = makeImage('ro');
  await pushImage(await OciLayoutTarget.open(path, { create: true }), image);

  const reader = await OciLayoutTarget.open(path, { readOnly: true });
  await assert.rejects(reader.tag(image.descriptor, 'v1'), code(ErrorCode.Usage));
  await assert.rejects(
    reader.push(makeImage('other').layer.descriptor, new Uint8Array()),
    code(ErrorCode.Usage),
  );
});

test('an invalid name is refused before index.json is touched', async () => {
  const path = join(await tempDir(), 'layout');
  const layout = await OciLayoutTarget.open(path, { create: true });
  const image = makeImage('names');
  await pushImage(layout, image);
  for (const name of ['', 'has space', '-lead', 'a//b', '/abs']) {
    await assert.rejects(
      layout.tag(image.descriptor, name),
      code(ErrorCode.InvalidReference),
    );
  }
  assert.deepEqual(await layout.tags(), []);
});

test('two entries of one name with different digests are reported', async () => {
  const path = join(await tempDir(), 'layout');
  const layout = await OciLayoutTarget.open(path, { create: true });
  const [a, b] = [makeImage('A'), makeImage('B')];
  const entry = (d: typeof a.descriptor) => ({
    mediaType: d.mediaType,
    digest: `${d.digest}`,
    size: d.size,
    annotations: { 'org.opencontainers.image.ref.name': 'twice' },
  });
  const index = {
    schemaVersion: 2,
    manifests: [entry(a.descriptor), entry(b.descriptor)],
  };
  await writeFile(join(path, 'index.json'), JSON.stringify(index));
  await assert.rejects(layout.resolve('twice'), code(ErrorCode.InvalidLayout));
});
