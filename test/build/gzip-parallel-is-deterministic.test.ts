import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { DeflatePool } from '../../src/build/gzip-pool.js';
import { gzipParallel } from '../../src/build/index.js';
import { run, tempDir } from './support.js';

// Parallel gzip: one gzip member that gunzip and zlib decompress to the exact
// input, with the same bytes every run and for any number of workers.

/** Semi-compressible data: text with random words, deterministic per seed. */
function sample(bytes: number, seed: number): Buffer {
  const parts: Buffer[] = [];
  let size = 0;
  let counter = 0;
  while (size < bytes) {
    const word = createHash('sha256').update(`${seed}:${counter++}`).digest('hex');
    const part = Buffer.from(`${counter} ${word.slice(0, 12)} lorem ipsum dolor\n`);
    parts.push(part);
    size += part.length;
  }
  return Buffer.concat(parts).subarray(0, bytes);
}

const digest = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

// Small blocks so that a modest input spans many blocks and dictionaries.
const BLOCK = 64 * 1024;

test('output decompresses to the exact input with gunzip and with zlib', async () => {
  const input = sample(BLOCK * 9 + 123, 1);
  const gz = await gzipParallel(input, { blockSize: BLOCK, workers: 2 });
  assert.ok(gunzipSync(gz).equals(input));

  const dir = await tempDir();
  await writeFile(join(dir, 'data.gz'), gz);
  const { stdout } = await run('gunzip', ['-c', join(dir, 'data.gz')], {
    encoding: 'buffer',
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.ok(stdout.equals(input));
  await run('gunzip', ['-t', join(dir, 'data.gz')]);
});

test('bytes are identical across three runs and across pool sizes 1 and 2', async () => {
  const input = sample(BLOCK * 12 + 7, 2);
  const digests = new Set<string>();
  for (const workers of [1, 2, 2, 1, 2]) {
    digests.add(digest(await gzipParallel(input, { blockSize: BLOCK, workers })));
  }
  assert.equal(digests.size, 1);
});

test('two streams sharing one pool at once give each its own bytes', async () => {
  const first = sample(BLOCK * 10 + 5, 3);
  const second = sample(BLOCK * 7 + 99, 4);
  const alone = [first, second].map(async (input) =>
    digest(await gzipParallel(input, { blockSize: BLOCK, workers: 2 })),
  );

  const pool = new DeflatePool(2);
  try {
    const shared = await Promise.all(
      [first, second].map((input) => gzipParallel(input, { blockSize: BLOCK, pool })),
    );
    assert.deepEqual(shared.map(digest), await Promise.all(alone));
    assert.ok(gunzipSync(shared[1]!).equals(second));
    // The pool is the caller's: still usable after both streams ended.
    const again = await gzipParallel(first, { blockSize: BLOCK, pool });
    assert.equal(digest(again), digest(shared[0]!));
  } finally {
    await pool.close();
  }
});

test('the thread pool and worker threads give the same bytes', async () => {
  const input = sample(BLOCK * 11 + 17, 5);
  const digests = new Set<string>();
  for (const backend of ['thread-pool', 'workers'] as const) {
    for (const size of [1, 3]) {
      const pool = new DeflatePool(size, backend);
      try {
        assert.equal(pool.backend, backend);
        const gz = await gzipParallel(input, { blockSize: BLOCK, pool });
        assert.ok(gunzipSync(gz).equals(input), `${backend} ${size}`);
        digests.add(digest(gz));
      } finally {
        await pool.close();
      }
    }
  }
  assert.equal(digests.size, 1);
});

const poolSizeSet = process.env.UV_THREADPOOL_SIZE !== undefined;

test('two cores use the thread pool, more use workers (UV_THREADPOOL_SIZE 4)', {
  skip: poolSizeSet && 'UV_THREADPOOL_SIZE is set here',
}, async () => {
  const pools = [new DeflatePool(2), new DeflatePool(3), new DeflatePool(8)];
  try {
    assert.deepEqual(
      pools.map((pool) => pool.backend),
      ['thread-pool', 'workers', 'workers'],
    );
  } finally {
    await Promise.all(pools.map((pool) => pool.close()));
  }
});

test('the header is fixed: no name, mtime 0, OS unknown', async () => {
  const gz = await gzipParallel(sample(1000, 3), { level: 9, workers: 1 });
  assert.deepEqual([...gz.subarray(0, 10)], [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 255]);
});

test('edge sizes round-trip: empty, one byte, exactly one and two blocks', async () => {
  for (const size of [0, 1, BLOCK, 2 * BLOCK, 2 * BLOCK + 1]) {
    const input = sample(size, size);
    const gz = await gzipParallel(input, { blockSize: BLOCK, workers: 2 });
    assert.ok(gunzipSync(gz).equals(input), `size ${size}`);
    const trailer = gz.subarray(gz.length - 4);
    assert.equal(trailer.readUInt32LE(0), size);
  }
});

test('every level round-trips, and a higher level is not larger', async () => {
  const input = sample(BLOCK * 3, 4);
  const sizes: number[] = [];
  for (const level of [0, 1, 6, 9]) {
    const gz = await gzipParallel(input, { level, blockSize: BLOCK, workers: 2 });
    assert.ok(gunzipSync(gz).equals(input), `level ${level}`);
    sizes.push(gz.length);
  }
  assert.ok(sizes[0]! > sizes[1]! && sizes[1]! >= sizes[2]! && sizes[2]! >= sizes[3]!);
  await assert.rejects(gzipParallel(input, { level: 10 }), { code: 'GANTRY_E_USAGE' });
});

test('the dictionary spans blocks: repeated blocks compress to little', async () => {
  const block = sample(BLOCK, 5).subarray(0, 16 * 1024);
  const input = Buffer.concat(Array.from({ length: 16 }, () => block));
  const gz = await gzipParallel(input, { blockSize: 16 * 1024, workers: 2 });
  // Without the previous block as dictionary every block would cost about
  // as much as the first one.
  const single = await gzipParallel(block, { blockSize: 16 * 1024, workers: 1 });
  assert.ok(gz.length < single.length * 2, `${gz.length} vs ${single.length}`);
});
