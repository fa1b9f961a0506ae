import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildLayer } from '../../src/build/index.js';
import { encodeHeader, TypeFlag } from '../../src/build/tar-header.js';
import { blobTar, listTar, run, tempDir } from './support.js';

// BR-26: names and link targets over 100 bytes are written with pax records
// and read back exactly by GNU tar and by gantry's reader, which also reads
// GNU ././@LongLink names.

const LONG_FILE = `app/${'a'.repeat(120)}.txt`;
const LONG_TARGET = `/${'t'.repeat(149)}`;

async function longLayer(): Promise<string> {
  const out = await tempDir();
  const layer = await buildLayer(
    [
      { content: 'long\n', destination: `/${LONG_FILE}` },
      { symlink: LONG_TARGET, destination: '/app/link' },
    ],
    { compression: 'none', tempDir: out },
  );
  return layer.path!;
}

test('GNU tar lists a 128-byte name and a 150-byte link target exactly', async () => {
  const path = await longLayer();
  const { stdout } = await run('tar', ['-tvf', path]);
  const lines = stdout.trim().split('\n');
  assert.ok(lines.some((line) => line.endsWith(` ${LONG_FILE}`)));
  assert.ok(lines.some((line) => line.endsWith(` app/link -> ${LONG_TARGET}`)));

  const extracted = await tempDir();
  await run('tar', ['-xf', path, '-C', extracted]);
  const { stdout: cat } = await run('cat', [join(extracted, LONG_FILE)]);
  assert.equal(cat, 'long\n');
});

test("gantry's reader reads back the pax path and linkpath", async () => {
  const entries = await listTar(await blobTar(await longLayer()));
  const file = entries.find((entry) => entry.path === LONG_FILE);
  const link = entries.find((entry) => entry.path === 'app/link');
  assert.equal(Buffer.byteLength(LONG_FILE), 128);
  assert.equal(file?.content.toString(), 'long\n');
  assert.equal(link?.type, 'symlink');
  assert.equal(link?.linkTarget, LONG_TARGET);
});

test("gantry's reader accepts GNU ././@LongLink names and pax from GNU tar", async () => {
  const root = await tempDir();
  await mkdir(join(root, 'd'));
  const name = `d/${'n'.repeat(140)}`;
  await writeFile(join(root, name), 'gnu\n');
  await symlink('l'.repeat(130), join(root, 'd/s'));

  for (const format of ['gnu', 'pax']) {
    const tar = join(root, `${format}.tar`);
    await run('tar', [`--format=${format}`, '-cf', tar, '-C', root, 'd']);
    const entries = await listTar(await blobTar(tar));
    assert.equal(
      entries.find((entry) => entry.path === name)?.content.toString(),
      'gnu\n',
    );
    assert.equal(
      entries.find((entry) => entry.path === 'd/s')?.linkTarget,
      'l'.repeat(130),
    );
  }
});

test('only long fields get a pax header; short entries are one ustar block', () => {
  const common = { mode: 0o644, uid: 0, gid: 0, mtime: 0 };
  const short = encodeHeader({ ...common, name: 'a', typeflag: TypeFlag.File, size: 0 });
  assert.equal(short.length, 512);
  assert.equal(short.subarray(257, 263).toString('latin1'), 'ustar\u0000');
  // No owner names; devmajor and devminor are zero.
  assert.ok(short.subarray(265, 329).every((byte) => byte === 0));
  assert.equal(short.subarray(329, 345).toString('latin1'), '0000000\u00000000000\u0000');

  const huge = 8 * 1024 ** 3;
  const big = encodeHeader({
    ...common,
    name: 'big',
    typeflag: TypeFlag.File,
    size: huge,
  });
  assert.equal(big.length, 3 * 512);
  assert.equal(String.fromCharCode(big[156]!), 'x');
  // The record's length counts its own digits: 2 + ' size=8589934592\n' (17).
  assert.match(big.subarray(512, 1024).toString('latin1'), /^19 size=8589934592\n\0/);
});

test('the reader takes a file size of 8 GiB or more from its pax record', async () => {
  const huge = 8 * 1024 ** 3 + 1;
  const header = encodeHeader({
    name: 'big',
    typeflag: TypeFlag.File,
    mode: 0o644,
    uid: 0,
    gid: 0,
    mtime: 0,
    size: huge,
  });
  const entries = await listTar(header);
  assert.equal(entries.length, 1);
  assert.equal(entries[0]?.size, huge);
  assert.equal(entries[0]?.dataOffset, 3 * 512);
});
