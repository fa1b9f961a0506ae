import assert from 'node:assert/strict';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { removeTempDir } from '../harness/temp-dir.js';
import { makeToolWork } from './tool-work.js';

/**
 * `gantry release --dry-run` stages every image as the release would; on a
 * terminal it shows the same live view of the builds (release-progress.ts)
 * instead of one plain line per step, and the view is gone before the plan
 * table is printed. Elsewhere (a pipe) it prints the plain lines.
 */

const ERASE_DOWN = '\x1b[J';

async function dryRun(work: string, terminal: boolean) {
  const stdout = new PassThrough();
  const stderr = Object.assign(new PassThrough(), { isTTY: terminal });
  const [out, err]: Buffer[][] = [[], []];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const stdin = new PassThrough();
  stdin.end();
  const args = ['release', '--dry-run', '--version', '1.0.0', join(work, 'release.yaml')];
  const code = await main(args, { stdout, stderr, stdin, env: {} });
  return {
    code,
    stdout: Buffer.concat(out).toString('utf8'),
    stderr: Buffer.concat(err).toString('utf8'),
  };
}

test('release --dry-run draws the live view on a terminal, plain lines elsewhere', async () => {
  const work = await makeToolWork('gantry-dry-run-view-', ['destinations: [oci:out]']);
  try {
    const live = await dryRun(work, true);
    assert.equal(live.code, 0, live.stderr);
    assert.ok(live.stderr.includes(ERASE_DOWN), JSON.stringify(live.stderr));
    assert.match(live.stderr, /building image 1\/1: base/);
    assert.match(live.stdout, /1\.0\.0/);

    const plain = await dryRun(work, false);
    assert.equal(plain.code, 0, plain.stderr);
    assert.ok(!plain.stderr.includes('\x1b['), JSON.stringify(plain.stderr));
    assert.match(plain.stderr, /^built base sha256:[0-9a-f]{64}/m);
    assert.equal(plain.stdout, live.stdout);
  } finally {
    removeTempDir(work);
  }
});
