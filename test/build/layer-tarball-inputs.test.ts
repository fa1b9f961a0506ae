import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildLayer, encodeHeader, TypeFlag } from '../../src/build/index.js';
import { blobTar, byPath, listTar, run, tempDir } from './support.js';

// Tarball inputs: plain or gzip, names with `./` kept relative to the
// destination, names that climb out refused, damaged headers refused.

async function sourceTree(): Promise<string> {
  const root = await tempDir();
  await mkdir(join(root, 'etc'));
  await writeFile(join(root, 'etc/conf'), 'conf\n');
  return root;
}

test('a gzip tarball with ./ names is extracted under the destination', async () => {
  const root = await sourceTree();
  const tar = join(root, 'in.tar.gz');
  await run('tar', ['-czf', tar, '-C', root, './etc']);
  const out = await tempDir();
  const layer = await buildLayer([{ source: tar, destination: '/srv', extract: true }], {
    compression: 'none',
    tempDir: out,
  });
  const entries = byPath(await listTar(await blobTar(layer.path!)));
  assert.equal(entries.get('srv/etc/conf')?.content.toString(), 'conf\n');
  assert.equal(entries.get('srv/etc')?.type, 'directory');
});

const header = (name: string) =>
  encodeHeader({
    name,
    typeflag: TypeFlag.File,
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: 0,
    mtime: 0,
  });

test("a tarball's owners are kept unless the input names others", async () => {
  const dir = await tempDir();
  const owned = encodeHeader({
    name: 'data/owned.txt',
    typeflag: TypeFlag.File,
    mode: 0o640,
    uid: 123,
    gid: 456,
    size: 0,
    mtime: 0,
  });
  const tar = join(dir, 'owned.tar');
  await writeFile(tar, Buffer.concat([owned, Buffer.alloc(1024)]));
  const owners = async (input: { uid?: number; gid?: number }) => {
    const layer = await buildLayer(
      [{ source: tar, destination: '/', extract: true, ...input }],
      {
        compression: 'none',
        tempDir: dir,
      },
    );
    const entry = byPath(await listTar(await blobTar(layer.path!))).get('data/owned.txt');
    return [entry?.uid, entry?.gid];
  };
  assert.deepEqual(await owners({}), [123, 456]);
  assert.deepEqual(await owners({ uid: 5, gid: 6 }), [5, 6]);
});

test('a tarball entry climbing out with .. is refused', async () => {
  const dir = await tempDir();
  const tar = join(dir, 'evil.tar');
  await writeFile(tar, Buffer.concat([header('../../etc/passwd'), Buffer.alloc(1024)]));
  await assert.rejects(
    buildLayer([{ source: tar, destination: '/', extract: true }], {
      compression: 'none',
      tempDir: dir,
    }),
    { code: 'GANTRY_E_BUILD_INPUT' },
  );
});

test('a tarball with a damaged header checksum is refused', async () => {
  const dir = await tempDir();
  const bytes = Buffer.concat([header('fine'), Buffer.alloc(1024)]);
  bytes[0] = 'g'.charCodeAt(0);
  const tar = join(dir, 'damaged.tar');
  await writeFile(tar, bytes);
  await assert.rejects(
    buildLayer([{ source: tar, destination: '/', extract: true }], {
      compression: 'none',
      tempDir: dir,
    }),
    { code: 'GANTRY_E_ARCHIVE' },
  );
});

test("a layer's own tar as a tarball input rebuilds to the same bytes", async () => {
  const root = await sourceTree();
  const out = await tempDir();
  const first = await buildLayer([{ source: root, destination: '/x' }], {
    compression: 'none',
    tempDir: out,
  });
  const again = await buildLayer(
    [{ source: first.path!, destination: '/', extract: true }],
    {
      compression: 'none',
      tempDir: out,
    },
  );
  assert.equal(again.diffId.toString(), first.diffId.toString());
  assert.ok((await readFile(again.path!)).equals(await readFile(first.path!)));
});
