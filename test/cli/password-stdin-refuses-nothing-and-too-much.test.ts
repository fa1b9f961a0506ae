import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ExitCode } from '../../src/cli/exit.js';
import { MAX_STDIN_PASSWORD_BYTES } from '../../src/registry/credentials.js';
import { type Scripted, startScripted } from '../harness/scripted.js';
import { runInProcess } from './run-in-process.js';

/**
 * `--password-stdin` with nothing on stdin, or far too much, is a usage
 * error raised before any request: the strict scripted registry has no step,
 * so any request at all would be recorded as a failure.
 */

const servers: Scripted[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

async function run(stdin: string | Uint8Array) {
  const registry = await startScripted([]);
  servers.push(registry);
  const args = ['--username', 'ci', '--password-stdin', 'tags', `${registry.host}/a/b`];
  const result = await runInProcess(args, stdin);
  registry.assertDone();
  assert.equal(registry.requests.length, 0);
  return result;
}

describe('--password-stdin', () => {
  for (const [label, stdin] of [
    ['an empty stdin', ''],
    ['a bare newline', '\n'],
    ['a bare CRLF', '\r\n'],
  ] as const) {
    it(`refuses ${label} as a usage error before any request`, async () => {
      const result = await run(stdin);
      assert.equal(result.code, ExitCode.Usage);
      assert.match(result.stderr, /no password on standard input/);
    });
  }

  it('refuses 20 MB on stdin as a usage error naming the limit', async () => {
    const result = await run(new Uint8Array(20 * 1024 * 1024).fill(0x61));
    assert.equal(result.code, ExitCode.Usage);
    assert.ok(result.stderr.includes(String(MAX_STDIN_PASSWORD_BYTES)), result.stderr);
  });
});
