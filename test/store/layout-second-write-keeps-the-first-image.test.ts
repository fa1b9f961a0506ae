import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { AnnotationKey } from '../../src/oci/descriptor.js';
import { MediaType } from '../../src/oci/mediatype.js';
import { OciLayoutTarget } from '../../src/store/oci-layout.js';
import { makeImage, pushImage, tempDir } from './support.js';

// Field case BR-29: a second write into a layout dropped the first image.
// index.json holds many images; writing one name replaces only the entry
// with that name and keeps everything else as it was.

interface IndexJson {
  manifests: { digest: string; annotations?: Record<string, string> }[];
  [field: string]: unknown;
}

async function indexJson(path: string): Promise<IndexJson> {
  return JSON.parse(await readFile(join(path, 'index.json'), 'utf8')) as IndexJson;
}

const named = (index: IndexJson) =>
  index.manifests.map((m) => [m.annotations?.[AnnotationKey.RefName], m.digest]);

test('two writes leave both images, in the order written (BR-29)', async () => {
  const path = join(await tempDir(), 'layout');
  const a = makeImage('A');
  const b = makeImage('B');

  const first = await OciLayoutTarget.open(path, { create: true });
  await pushImage(first, a);
  await first.tag(a.descriptor, 'tag1');
  const second = await OciLayoutTarget.open(path, { create: true });
  await pushImage(second, b);
  await second.tag(b.descriptor, 'tag2');

  const index = await indexJson(path);
  assert.equal(index.mediaType, MediaType.OciIndex);
  assert.equal(index.schemaVersion, 2);
  assert.deepEqual(named(index), [
    ['tag1', `${a.descriptor.digest}`],
    ['tag2', `${b.descriptor.digest}`],
  ]);
});

test('rewriting tag1 replaces only its entry, in place', async () => {
  const path = join(await tempDir(), 'layout');
  const [a, b, c] = [makeImage('A'), makeImage('B'), makeImage('C')];
  const layout = await OciLayoutTarget.open(path, { create: true });
  for (const image of [a, b, c]) await pushImage(layout, image);
  await layout.tag(a.descriptor, 'tag1');
  await layout.tag(b.descriptor, 'tag2');

  await layout.tag(c.descriptor, 'tag1');
  assert.deepEqual(named(await indexJson(path)), [
    ['tag1', `${c.descriptor.digest}`],
    ['tag2', `${b.descriptor.digest}`],
  ]);
  assert.equal(
    (await layout.resolve('tag1')).digest.toString(),
    `${c.descriptor.digest}`,
  );
});

test('entries without a name and fields gantry does not know are kept', async () => {
  const path = join(await tempDir(), 'layout');
  const [a, b] = [makeImage('A'), makeImage('B')];
  const layout = await OciLayoutTarget.open(path, { create: true });
  await pushImage(layout, a);
  await pushImage(layout, b);

  // What another tool wrote: an unnamed entry, annotations on the index
  // and on an entry, an unknown field.
  const foreign = {
    schemaVersion: 2,
    mediaType: MediaType.OciIndex,
    manifests: [
      {
        mediaType: MediaType.OciManifest,
        digest: `${a.descriptor.digest}`,
        size: a.descriptor.size,
        annotations: { 'org.example.kept': 'yes' },
        'x-unknown': [1, 2],
      },
    ],
    annotations: { 'org.example.index': 'kept too' },
  };
  await writeFile(join(path, 'index.json'), JSON.stringify(foreign));
  await layout.tag(b.descriptor, 'latest');

  const index = await indexJson(path);
  assert.deepEqual(index.manifests[0], foreign.manifests[0]);
  assert.deepEqual(index.annotations, foreign.annotations);
  assert.deepEqual(named(index), [
    [undefined, `${a.descriptor.digest}`],
    ['latest', `${b.descriptor.digest}`],
  ]);
  assert.deepEqual(await layout.tags(), ['latest']);
});

test('a full reference is a name of its own, matched exactly', async () => {
  const path = join(await tempDir(), 'layout');
  const [a, b] = [makeImage('A'), makeImage('B')];
  const layout = await OciLayoutTarget.open(path, { create: true });
  await pushImage(layout, a);
  await pushImage(layout, b);
  await layout.tag(a.descriptor, 'example.com/app:1.0');
  await layout.tag(b.descriptor, '1.0');

  const full = await layout.resolve('example.com/app:1.0');
  assert.equal(full.digest.toString(), `${a.descriptor.digest}`);
  assert.equal((await layout.resolve('1.0')).digest.toString(), `${b.descriptor.digest}`);
  assert.deepEqual(await layout.tags(), ['example.com/app:1.0', '1.0']);
});

test('writes leave no temporary files behind, even a refused one', async () => {
  const path = join(await tempDir(), 'layout');
  const a = makeImage('A');
  const layout = await OciLayoutTarget.open(path, { create: true });
  await pushImage(layout, a);
  await layout.tag(a.descriptor, 'v1');
  await assert.rejects(
    layout.push({ ...a.layer.descriptor, size: 1 }, new Uint8Array(9)),
  );
  const forged = { ...makeImage('B').layer.descriptor };
  await assert.rejects(layout.push(forged, new Uint8Array(forged.size)));

  assert.deepEqual((await readdir(path)).sort(), ['blobs', 'index.json', 'oci-layout']);
  const blobs = await readdir(join(path, 'blobs', 'sha256'));
  assert.deepEqual(
    blobs.sort(),
    [
      a.config.descriptor.digest.hex,
      a.descriptor.digest.hex,
      a.layer.descriptor.digest.hex,
    ].sort(),
  );
});
