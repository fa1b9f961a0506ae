import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildLayer, type LayerInput } from '../../src/build/index.js';
import { blobTar, listTar, tempDir } from './support.js';

// Whiteouts (image-spec layer.md): `.wh.<name>` hides a lower layer's path,
// `.wh..wh..opq` hides a folder's lower contents; both are empty files
// written before their siblings, and may not come with their target.

async function paths(inputs: LayerInput[]): Promise<[string, string, number][]> {
  const out = await tempDir();
  const layer = await buildLayer(inputs, { compression: 'none', tempDir: out });
  const entries = await listTar(await blobTar(layer.path!));
  return entries.map((entry) => [entry.path, entry.type, entry.size]);
}

test('a whiteout is an empty file named .wh.<name> beside the hidden path', async () => {
  assert.deepEqual(await paths([{ whiteout: '/etc/apt/sources.list' }]), [
    ['etc', 'directory', 0],
    ['etc/apt', 'directory', 0],
    ['etc/apt/.wh.sources.list', 'file', 0],
  ]);
});

test('whiteouts come before their siblings, the opaque whiteout first', async () => {
  const listed = await paths([
    { content: 'a', destination: '/var/cache/-early' },
    { content: 'b', destination: '/var/cache/apt' },
    { whiteout: '/var/cache/zzz' },
    { opaque: '/var/cache' },
  ]);
  assert.deepEqual(
    listed.map(([path]) => path),
    [
      'var',
      'var/cache',
      'var/cache/.wh..wh..opq',
      'var/cache/.wh.zzz',
      'var/cache/-early',
      'var/cache/apt',
    ],
  );
});

test('a layer may not both add and white out the same path', async () => {
  const out = await tempDir();
  await assert.rejects(
    buildLayer([{ content: 'x', destination: '/etc/motd' }, { whiteout: '/etc/motd' }], {
      compression: 'none',
      tempDir: out,
    }),
    { code: 'GANTRY_E_BUILD_INPUT' },
  );
});
