import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode, isGantryError } from '../../src/errors.js';
import { getFromHelper } from '../../src/registry/credential-helper.js';

/**
 * A helper that hangs is stopped with its children (its process group), and
 * the failure says it timed out: gantry neither waits for a `sleep` holding
 * the pipes nor blames the helper's output.
 */

const dir = mkdtempSync(join(tmpdir(), 'gantry-helper-timeout-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a helper script that records its pid (its process group) first. */
function helper(name: string, body: string): string {
  const pidFile = join(dir, `${name}.pid`);
  writeFileSync(
    join(dir, `docker-credential-${name}`),
    `#!/bin/sh\necho $$ > "${pidFile}"\n${body}\n`,
  );
  chmodSync(join(dir, `docker-credential-${name}`), 0o755);
  return pidFile;
}

const sleeping = helper('sleeping', 'sleep 100');
const stubborn = helper('stubborn', "trap '' TERM\nsleep 100");
const env = { PATH: `${dir}:${process.env.PATH ?? ''}` };

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls until the group is gone; false if it outlives every poll. */
async function groupEnds(pgid: number): Promise<boolean> {
  for (let poll = 0; poll < 100; poll++) {
    if (!groupAlive(pgid)) return true;
    await sleep(50);
  }
  return false;
}

async function expectTimeout(name: string, pidFile: string): Promise<void> {
  await assert.rejects(
    getFromHelper(name, 'r.example', { configFile: 'test.json', env, timeoutMs: 200 }),
    (error) => {
      assert.ok(isGantryError(error, ErrorCode.CredentialHelper));
      assert.match(error.message, new RegExp(`docker-credential-${name} .*timed out`));
      assert.doesNotMatch(error.message, /did not print JSON/);
      return true;
    },
  );
  const pgid = Number(readFileSync(pidFile, 'utf8').trim());
  assert.ok(pgid > 0);
  assert.equal(await groupEnds(pgid), true, `process group ${pgid} still runs`);
}

describe('a credential helper that hangs', { timeout: 30_000 }, () => {
  it('is stopped with its child (sh running sleep) and reported as a timeout', () =>
    expectTimeout('sleeping', sleeping));

  it('is killed when it ignores SIGTERM, and reported as a timeout', () =>
    expectTimeout('stubborn', stubborn));
});
