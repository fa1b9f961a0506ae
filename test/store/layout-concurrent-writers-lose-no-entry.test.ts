import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LOCK_FILE_NAME, STALE_LOCK_MS } from '../../src/store/layout-lock.js';
import { OciLayoutTarget } from '../../src/store/oci-layout.js';
import { makeImage, pushImage, tempDir } from './support.js';

// index.json is rewritten under a lock file, so writers in different
// processes never lose each other's entries, and a lock left by a crashed
// writer does not block the layout for ever.

const WRITER = fileURLToPath(new URL('./helpers/tag-writer.ts', import.meta.url));
const TAGS_PER_WRITER = 50;

function runWriter(
  layout: string,
  prefix: string,
): Promise<{ code: number; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', WRITER, layout, prefix, String(TAGS_PER_WRITER)],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, err }));
  });
}

test('two processes tagging 50 names each into one new layout keep all 100', async () => {
  const path = join(await tempDir(), 'shared-layout');
  const results = await Promise.all([runWriter(path, 'left'), runWriter(path, 'right')]);
  for (const result of results) assert.equal(result.code, 0, result.err);

  const layout = await OciLayoutTarget.open(path, { readOnly: true });
  const tags = await layout.tags();
  const expected = ['left', 'right'].flatMap((prefix) =>
    Array.from({ length: TAGS_PER_WRITER }, (_, i) => `${prefix}-${i}`),
  );
  assert.equal(tags.length, 2 * TAGS_PER_WRITER);
  assert.deepEqual([...tags].sort(), expected.sort());
  for (const name of ['left-1', 'right-1']) {
    const own = makeImage(name.split('-')[0]!);
    assert.equal(
      (await layout.resolve(name)).digest.toString(),
      `${own.descriptor.digest}`,
    );
  }
  assert.equal((await readdir(path)).includes(LOCK_FILE_NAME), false);
});

test('a lock left by a process that no longer runs is broken', async () => {
  const path = join(await tempDir(), 'layout');
  const layout = await OciLayoutTarget.open(path, { create: true });
  const image = makeImage('stale');
  await pushImage(layout, image);

  const dead = await exitedPid();
  const owner = { pid: dead, host: hostname(), token: 'left-by-a-crash' };
  await writeFile(join(path, LOCK_FILE_NAME), JSON.stringify(owner));
  await layout.tag(image.descriptor, 'after-crash');
  assert.deepEqual(await layout.tags(), ['after-crash']);
});

test('a lock older than STALE_LOCK_MS is broken whoever left it', async () => {
  const path = join(await tempDir(), 'layout');
  const layout = await OciLayoutTarget.open(path, { create: true });
  const image = makeImage('old');
  await pushImage(layout, image);

  const lock = join(path, LOCK_FILE_NAME);
  await writeFile(lock, 'written by another tool');
  const then = new Date(Date.now() - 2 * STALE_LOCK_MS);
  await utimes(lock, then, then);
  await layout.tag(image.descriptor, 'after-old-lock');
  assert.deepEqual(await layout.tags(), ['after-old-lock']);
});

/** The pid of a child that has exited (and been reaped). */
function exitedPid(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', () => resolve(child.pid!));
  });
}
