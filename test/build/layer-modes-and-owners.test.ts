import assert from 'node:assert/strict';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildLayer, type LayerInput } from '../../src/build/index.js';
import { blobTar, byPath, listTar, run, tempDir } from './support.js';

// Modes are kept from the disk or the tarball unless overridden, owners are
// 0:0 unless given, parents are added as 0755 directories, and no owner
// names or device numbers appear.

async function layerEntries(inputs: LayerInput[]) {
  const out = await tempDir();
  const layer = await buildLayer(inputs, { compression: 'none', tempDir: out });
  return {
    path: layer.path!,
    entries: byPath(await listTar(await blobTar(layer.path!))),
  };
}

async function tree(): Promise<string> {
  const root = await tempDir();
  await mkdir(join(root, 'bin'));
  await writeFile(join(root, 'bin/tool'), '#!/bin/sh\n');
  await chmod(join(root, 'bin/tool'), 0o4755);
  await writeFile(join(root, 'secret'), 's');
  await chmod(join(root, 'secret'), 0o600);
  await chmod(join(root, 'bin'), 0o750);
  return root;
}

test('modes come from the disk, owners are 0:0, parents are 0755', async () => {
  const { entries } = await layerEntries([
    { source: await tree(), destination: '/opt/t' },
  ]);
  assert.equal(entries.get('opt')?.mode, 0o755);
  assert.equal(entries.get('opt/t')?.mode, 0o755);
  assert.equal(entries.get('opt/t/bin')?.mode, 0o750);
  assert.equal(entries.get('opt/t/bin/tool')?.mode, 0o4755);
  assert.equal(entries.get('opt/t/secret')?.mode, 0o600);
  for (const entry of entries.values()) {
    assert.deepEqual([entry.uid, entry.gid], [0, 0], entry.path);
  }
});

test('mode applies to files, directoryMode to folders, uid and gid to all', async () => {
  const source = await tree();
  const { entries } = await layerEntries([
    {
      source,
      destination: '/opt/t',
      mode: 0o644,
      directoryMode: 0o711,
      uid: 1000,
      gid: 50,
    },
  ]);
  assert.equal(entries.get('opt/t/bin/tool')?.mode, 0o644);
  assert.equal(entries.get('opt/t/bin')?.mode, 0o711);
  assert.equal(entries.get('opt/t')?.mode, 0o711);
  assert.equal(entries.get('opt/t/secret')?.uid, 1000);
  assert.equal(entries.get('opt/t/secret')?.gid, 50);
  // Parents made up for the destination stay 0755 and root's.
  assert.deepEqual([entries.get('opt')?.mode, entries.get('opt')?.uid], [0o755, 0]);
});

test('a file lands at its destination, or inside one ending in /', async () => {
  const root = await tree();
  const { entries } = await layerEntries([
    { source: join(root, 'bin/tool'), destination: '/usr/local/bin/renamed' },
    { source: join(root, 'secret'), destination: '/etc/' },
    { content: 'cfg', destination: '/etc/app.conf' },
    { symlink: '../lib/x', destination: '/usr/lib64' },
  ]);
  assert.equal(entries.get('usr/local/bin/renamed')?.mode, 0o4755);
  assert.equal(entries.get('etc/secret')?.content.toString(), 's');
  assert.equal(entries.get('etc/app.conf')?.mode, 0o644);
  assert.equal(entries.get('usr/lib64')?.mode, 0o777);
  assert.equal(entries.get('usr/lib64')?.linkTarget, '../lib/x');
});

test('tarball entries keep their modes and owners unless overridden', async () => {
  const root = await tree();
  const tar = join(root, 'in.tar');
  await run('tar', ['--owner=7', '--group=8', '-cf', tar, '-C', root, 'bin', 'secret']);
  const { entries } = await layerEntries([
    { source: tar, destination: '/a', extract: true },
    { source: tar, destination: '/b', extract: true, uid: 0, gid: 0, mode: 0o640 },
  ]);
  assert.equal(entries.get('a/bin/tool')?.mode, 0o4755);
  assert.deepEqual(
    [entries.get('a/bin/tool')?.uid, entries.get('a/bin/tool')?.gid],
    [7, 8],
  );
  assert.equal(entries.get('b/bin/tool')?.mode, 0o640);
  assert.equal(entries.get('b/bin/tool')?.uid, 0);
});

test('GNU tar shows numeric owners only: no user or group names', async () => {
  const { path } = await layerEntries([{ source: await tree(), destination: '/t' }]);
  const { stdout } = await run('tar', ['-tvf', path]);
  for (const line of stdout.trim().split('\n')) assert.match(line, / 0\/0 /);
});

test('a path that is both a file and a parent is refused', async () => {
  const out = await tempDir();
  await assert.rejects(
    buildLayer(
      [
        { content: 'x', destination: '/a/b' },
        { content: 'y', destination: '/a' },
      ],
      { compression: 'none', tempDir: out },
    ),
    { code: 'GANTRY_E_BUILD_INPUT' },
  );
  await assert.rejects(
    buildLayer([{ content: 'x', destination: '/../etc/passwd' }], {
      compression: 'none',
    }),
    { code: 'GANTRY_E_BUILD_INPUT' },
  );
});
