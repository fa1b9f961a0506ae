import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildLayer, ZstdFrames } from '../../src/build/index.js';
import { run, tempDir } from './support.js';

// zstd layers: a stream of independent frames that the zstd tool reads as one
// stream, the same bytes every run, diff ID over the decompressed tar.

async function zstdOf(input: Buffer, frameSize: number): Promise<Buffer> {
  const stream = new ZstdFrames({ frameSize });
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  stream.end(input);
  await ended;
  return Buffer.concat(chunks);
}

async function hasZstd(): Promise<boolean> {
  return run('zstd', ['--version']).then(
    () => true,
    () => false,
  );
}

test('several frames decompress as one stream with the zstd tool', async (t) => {
  if (!(await hasZstd())) return t.skip('zstd tool not installed');
  const input = Buffer.from('layer bytes '.repeat(50_000));
  const compressed = await zstdOf(input, 100_000);
  assert.ok(compressed.length < input.length / 10);
  // Six frames of at most 100 000 bytes each, each starting with the magic.
  const magic = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);
  let frames = 0;
  for (
    let at = compressed.indexOf(magic);
    at >= 0;
    at = compressed.indexOf(magic, at + 1)
  ) {
    frames += 1;
  }
  assert.equal(frames, 6);

  const dir = await tempDir();
  await writeFile(join(dir, 'x.zst'), compressed);
  const { stdout } = await run('zstd', ['-dc', join(dir, 'x.zst')], {
    encoding: 'buffer',
    maxBuffer: 16 * 1024 * 1024,
  });
  assert.ok(stdout.equals(input));
});

test('an empty input is one empty frame', async () => {
  const compressed = await zstdOf(Buffer.alloc(0), 1024);
  assert.deepEqual([...compressed.subarray(0, 4)], [0x28, 0xb5, 0x2f, 0xfd]);
});

test('a zstd layer is reproducible and its diff ID is the tar digest', async (t) => {
  if (!(await hasZstd())) return t.skip('zstd tool not installed');
  const out = await tempDir();
  const inputs = [{ content: 'z'.repeat(10_000), destination: '/z' }];
  const a = await buildLayer(inputs, { compression: 'zstd', tempDir: out });
  const b = await buildLayer(inputs, { compression: 'zstd', tempDir: out });
  assert.equal(a.digest.toString(), b.digest.toString());
  assert.equal(a.mediaType, 'application/vnd.oci.image.layer.v1.tar+zstd');

  const { stdout: tar } = await run('zstd', ['-dc', a.path!], { encoding: 'buffer' });
  const diffId = `sha256:${createHash('sha256').update(tar).digest('hex')}`;
  assert.equal(a.diffId.toString(), diffId);
  const blob = await readFile(a.path!);
  assert.equal(
    a.digest.toString(),
    `sha256:${createHash('sha256').update(blob).digest('hex')}`,
  );
});
