import assert from 'node:assert/strict';
import { truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { planEntries } from '../../src/build/entries-plan.js';
import { tarChunks } from '../../src/build/tar-write.js';
import { tempDir } from './support.js';

// A file that shrinks between listing and writing fails the build instead of
// producing a tar whose header claims bytes that are not there.

test('a file that shrank after it was listed fails the build', async () => {
  const root = await tempDir();
  await writeFile(join(root, 'f'), 'x'.repeat(4096));
  const entries = await planEntries([{ source: root, destination: '/d' }], root);
  await truncate(join(root, 'f'), 10);

  const drain = async () => {
    for await (const _chunk of tarChunks(entries, 0)) {
      // consume
    }
  };
  await assert.rejects(drain(), { code: 'GANTRY_E_BUILD_INPUT', message: /d\/f/ });
});

test('a missing source is a build input error that names it', async () => {
  const root = await tempDir();
  await assert.rejects(
    planEntries([{ source: join(root, 'nope'), destination: '/x' }], root),
    {
      code: 'GANTRY_E_BUILD_INPUT',
      message: /nope/,
    },
  );
});
