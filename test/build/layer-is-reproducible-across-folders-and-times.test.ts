import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cp, mkdir, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { buildLayer, type LayerInput } from '../../src/build/index.js';
import { blobTar, listTar, tempDir } from './support.js';

// The same inputs give the same layer bytes, wherever the input folder lies,
// whatever its files' timestamps, and in whatever order it was created.

async function makeTree(root: string, reverse: boolean): Promise<void> {
  const files = ['bin/tool', 'share/doc/README', 'share/doc/LICENSE', 'lib/a.so'];
  for (const file of reverse ? [...files].reverse() : files) {
    await mkdir(join(root, file, '..'), { recursive: true });
    await writeFile(join(root, file), `content of ${file}\n`.repeat(50), { mode: 0o644 });
  }
  await symlink('a.so', join(root, 'lib/a.so.1'));
}

async function touchAll(root: string, seconds: number): Promise<void> {
  for (const file of ['bin/tool', 'share/doc/README', 'lib/a.so', 'share/doc', 'bin']) {
    await utimes(join(root, file), seconds, seconds);
  }
}

const sha256 = (bytes: Uint8Array) =>
  `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

test('the same tree in other folders, at other times, builds identically', async () => {
  const first = await tempDir();
  await makeTree(first, false);
  await touchAll(first, 1_000_000);
  const second = join(await tempDir('elsewhere-'), 'deeper', 'copy');
  await mkdir(second, { recursive: true });
  await makeTree(second, true);
  await touchAll(second, 1_700_000_000);

  const out = await tempDir();
  const inputs = (root: string): LayerInput[] => [
    { source: root, destination: '/opt/tool' },
    { content: 'x', destination: '/etc/tool.conf' },
  ];
  const saved = process.env.SOURCE_DATE_EPOCH;
  process.env.SOURCE_DATE_EPOCH = '1700000000';
  try {
    const a = await buildLayer(inputs(first), { compression: 'gzip', tempDir: out });
    const b = await buildLayer(inputs(second), { compression: 'gzip', tempDir: out });
    assert.equal(a.digest.toString(), b.digest.toString());
    assert.equal(a.diffId.toString(), b.diffId.toString());
    assert.equal(a.size, b.size);

    const entries = await listTar(await blobTar(a.path!));
    assert.ok(entries.every((entry) => entry.mtime === 1_700_000_000));
  } finally {
    if (saved === undefined) delete process.env.SOURCE_DATE_EPOCH;
    else process.env.SOURCE_DATE_EPOCH = saved;
  }
});

test('a copy made with cp and new timestamps builds to the same digest', async () => {
  const first = await tempDir();
  await makeTree(first, false);
  const second = await tempDir();
  await cp(first, second, { recursive: true, verbatimSymlinks: true });
  await touchAll(second, 12345);

  const out = await tempDir();
  const build = (root: string) =>
    buildLayer([{ source: root, destination: '/' }], {
      compression: 'gzip',
      epoch: 0,
      tempDir: out,
    });
  const [a, b] = [await build(first), await build(second)];
  assert.equal(a.digest.toString(), b.digest.toString());
});

test('the epoch is part of the layer: another epoch gives another diff ID', async () => {
  const out = await tempDir();
  const inputs: LayerInput[] = [{ content: 'same', destination: '/f' }];
  const a = await buildLayer(inputs, { compression: 'none', epoch: 1, tempDir: out });
  const b = await buildLayer(inputs, { compression: 'none', epoch: 2, tempDir: out });
  assert.notEqual(a.diffId.toString(), b.diffId.toString());
});

test("diff ID is the tar digest; digest and size are the blob's", async () => {
  const root = await tempDir();
  await makeTree(root, false);
  const out = await tempDir();
  for (const compression of ['gzip', 'none'] as const) {
    const layer = await buildLayer([{ source: root, destination: '/app' }], {
      compression,
      tempDir: out,
    });
    const blob = await readFile(layer.path!);
    const tar = compression === 'gzip' ? gunzipSync(blob) : blob;
    assert.equal(layer.digest.toString(), sha256(blob));
    assert.equal(layer.size, blob.length);
    assert.equal(layer.diffId.toString(), sha256(tar));
    assert.equal(layer.uncompressedSize, tar.length);
    await rm(layer.path!);
  }
});

test('media types follow the family and the compression', async () => {
  const out = await tempDir();
  const inputs: LayerInput[] = [{ content: 'x', destination: '/x' }];
  const types = [];
  for (const family of ['oci', 'docker'] as const) {
    for (const compression of ['gzip', 'none'] as const) {
      types.push(
        (await buildLayer(inputs, { compression, family, tempDir: out })).mediaType,
      );
    }
  }
  assert.deepEqual(types, [
    'application/vnd.oci.image.layer.v1.tar+gzip',
    'application/vnd.oci.image.layer.v1.tar',
    'application/vnd.docker.image.rootfs.diff.tar.gzip',
    'application/vnd.docker.image.rootfs.diff.tar',
  ]);
  await assert.rejects(
    buildLayer(inputs, { compression: 'zstd', family: 'docker', tempDir: out }),
    { code: 'GANTRY_E_UNSUPPORTED' },
  );
});

test('a gzip layer has the same digest with one worker or two', async () => {
  const root = await tempDir();
  await makeTree(root, false);
  await writeFile(join(root, 'big'), Buffer.alloc(3 * 1024 * 1024, 'abcdefgh'));
  const out = await tempDir();
  const build = (workers: number) =>
    buildLayer([{ source: root, destination: '/' }], {
      compression: 'gzip',
      workers,
      tempDir: out,
    });
  const [one, two] = [await build(1), await build(2)];
  assert.equal(one.digest.toString(), two.digest.toString());
});
