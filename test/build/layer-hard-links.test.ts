import assert from 'node:assert/strict';
import { link, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildLayer } from '../../src/build/index.js';
import { blobTar, byPath, listTar, run, tempDir } from './support.js';

// Files that are one inode become one regular entry (the first path in
// layer order) and hard links to it; links in tarball inputs are re-pointed
// the same way, and follow content when a later input replaces a name (BR-24).

test('files of one inode in a folder become links to the first path', async () => {
  const root = await tempDir();
  await mkdir(join(root, 'z'));
  await writeFile(join(root, 'z/original'), 'shared\n');
  await link(join(root, 'z/original'), join(root, 'b-link'));
  await link(join(root, 'z/original'), join(root, 'a-link'));
  await writeFile(join(root, 'other'), 'shared\n');

  const out = await tempDir();
  const layer = await buildLayer([{ source: root, destination: '/data' }], {
    compression: 'gzip',
    tempDir: out,
  });
  const entries = byPath(await listTar(await blobTar(layer.path!)));
  assert.equal(entries.get('data/a-link')?.type, 'file');
  assert.equal(entries.get('data/a-link')?.content.toString(), 'shared\n');
  assert.equal(entries.get('data/b-link')?.type, 'hardlink');
  assert.equal(entries.get('data/b-link')?.linkTarget, 'data/a-link');
  assert.equal(entries.get('data/z/original')?.linkTarget, 'data/a-link');
  // Same content but another inode: not a link.
  assert.equal(entries.get('data/other')?.type, 'file');

  const extracted = await tempDir();
  await run('tar', ['-xzf', layer.path!, '-C', extracted]);
  const { stdout } = await run('stat', ['-c', '%h', join(extracted, 'data/z/original')]);
  assert.equal(stdout.trim(), '3');
});

test('the same inode given in two inputs is two files, not a link', async () => {
  const root = await tempDir();
  await writeFile(join(root, 'f'), 'x');
  await link(join(root, 'f'), join(root, 'g'));
  const out = await tempDir();
  const layer = await buildLayer(
    [
      { source: join(root, 'f'), destination: '/one' },
      { source: join(root, 'g'), destination: '/two' },
    ],
    { compression: 'none', tempDir: out },
  );
  const entries = byPath(await listTar(await blobTar(layer.path!)));
  assert.equal(entries.get('one')?.type, 'file');
  assert.equal(entries.get('two')?.type, 'file');
});

/** A tarball whose links point at `t2`, which sorts after `t1`. */
async function linkedTarball(): Promise<string> {
  const root = await tempDir();
  await writeFile(join(root, 't2'), '123 -\n');
  await link(join(root, 't2'), join(root, 't1'));
  await link(join(root, 't2'), join(root, 't3'));
  const tar = join(root, 'in.tar');
  // GNU tar writes the first name it meets as the file; order t2, t1, t3.
  await run('tar', ['--format=pax', '-cf', tar, '-C', root, 't2', 't1', 't3']);
  return tar;
}

test('tarball hard links are re-pointed at the first path in layer order', async () => {
  const tar = await linkedTarball();
  const out = await tempDir();
  const layer = await buildLayer([{ source: tar, destination: '/x', extract: true }], {
    compression: 'none',
    tempDir: out,
  });
  const entries = await listTar(await blobTar(layer.path!));
  assert.deepEqual(
    entries.map((entry) => [entry.path, entry.type, entry.linkTarget ?? '']),
    [
      ['x', 'directory', ''],
      ['x/t1', 'file', ''],
      ['x/t2', 'hardlink', 'x/t1'],
      ['x/t3', 'hardlink', 'x/t1'],
    ],
  );
  assert.equal(entries[1]?.content.toString(), '123 -\n');
});

test('BR-24: a link whose target name is replaced keeps the old content', async () => {
  const tar = await linkedTarball();
  const out = await tempDir();
  const layer = await buildLayer(
    [
      { source: tar, destination: '/', extract: true },
      { content: '456 -\n', destination: '/t2' },
    ],
    { compression: 'none', tempDir: out },
  );
  const extracted = await tempDir();
  await run('tar', ['-xf', layer.path!, '-C', extracted]);
  const read = async (name: string) => (await run('cat', [join(extracted, name)])).stdout;
  assert.equal(await read('t1'), '123 -\n');
  assert.equal(await read('t2'), '456 -\n');
  assert.equal(await read('t3'), '123 -\n');
});
