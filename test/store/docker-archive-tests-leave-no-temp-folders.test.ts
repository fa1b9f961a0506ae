import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

/**
 * The docker-archive tests leave nothing in the temp dir: every archive they
 * open is closed (close() removes the gantry-docker-archive-* staging
 * folder) and every folder they make is removed. Each file runs in a child
 * whose TMPDIR is a fresh folder, which must be empty when it ends.
 */
const FILES = [
  'docker-archive-behaves-as-a-target.test.ts',
  'docker-archive-reads-both-layouts.test.ts',
  'docker-archive-refuses-malformed-archives.test.ts',
  'docker-archive-writes-one-image-per-tag.test.ts',
];
const HERE = fileURLToPath(new URL('.', import.meta.url));
const outer = mkdtempSync(join(tmpdir(), 'gantry-store-leak-check-'));
after(() => rmSync(outer, { recursive: true, force: true }));

for (const file of FILES) {
  test(`${file} leaves its temp dir empty`, () => {
    const temp = mkdtempSync(join(outer, 'run-'));
    // Without NODE_TEST_CONTEXT the child runs as a test runner of its own,
    // not as a file of this run (which would make it run nothing).
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--test', join(HERE, file)],
      { env: { ...env, TMPDIR: temp }, encoding: 'utf8' },
    );

    assert.equal(run.status, 0, run.stdout.slice(-2000));
    assert.match(run.stdout, /^# pass [1-9]/m);
    // tsx keeps its compile cache in the temp dir; that is tsx's, not a test's.
    assert.deepEqual(
      readdirSync(temp).filter((name) => !name.startsWith('tsx-')),
      [],
    );
  });
}
