import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

/**
 * A test file's temp folder made with makeTempDir is gone even when the run
 * is interrupted before its `after` hook: the child below makes one, then
 * is sent SIGINT or SIGTERM while it waits.
 */
const HELPER = fileURLToPath(new URL('./temp-dir.ts', import.meta.url));
const outer = mkdtempSync(join(tmpdir(), 'gantry-temp-dir-check-'));
after(() => rmSync(outer, { recursive: true, force: true }));

const CHILD = `import { makeTempDir } from ${JSON.stringify(HELPER)};
makeTempDir('gantry-cli-interrupted-');
process.stdout.write('ready\\n');
setInterval(() => {}, 1000);`;

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal} removes the folder`, async () => {
    const temp = mkdtempSync(join(outer, 'run-'));
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', CHILD],
      { env: { ...env, TMPDIR: temp }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    const made = readdirSync(temp).filter((name) => name.startsWith('gantry-cli-'));

    child.kill(signal);
    const code = await closed;

    assert.equal(made.length, 1);
    assert.equal(code, signal === 'SIGINT' ? 130 : 143);
    assert.deepEqual(
      readdirSync(temp).filter((name) => name.startsWith('gantry-')),
      [],
    );
  });
}
