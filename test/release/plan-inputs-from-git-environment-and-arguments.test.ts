import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ErrorCode, isGantryError } from '../../src/errors.js';
import { parseReleaseFile } from '../../src/release/file.js';
import { readGitFacts } from '../../src/release/git.js';
import { gatherPlanInputs } from '../../src/release/inputs.js';
import { SMALL_RELEASE } from './support.js';

const COMMIT_TIME = 1_700_000_000;
const folders: string[] = [];
after(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function folder(): string {
  const path = mkdtempSync(join(tmpdir(), 'gantry-release-git-'));
  folders.push(path);
  return path;
}

/** A repository with one commit at COMMIT_TIME, tagged `tag` when given. */
function repository(tag?: string): { path: string; sha: string } {
  const path = folder();
  const git = (...args: string[]) =>
    execFileSync(
      'git',
      ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args],
      {
        cwd: path,
        env: { ...process.env, GIT_COMMITTER_DATE: `${COMMIT_TIME} +0000` },
      },
    )
      .toString()
      .trim();
  git('init', '-q');
  writeFileSync(join(path, 'README'), 'x');
  git('add', 'README');
  git('commit', '-q', '-m', 'one');
  if (tag !== undefined) git('tag', tag);
  return { path, sha: git('rev-parse', 'HEAD') };
}

test('git facts: HEAD, its commit time and its exact tag', async () => {
  const tagged = repository('v1.2.3');
  assert.deepEqual(await readGitFacts(tagged.path), {
    sha: tagged.sha,
    commitTime: COMMIT_TIME,
    tag: 'v1.2.3',
  });
  const untagged = repository();
  assert.deepEqual(await readGitFacts(untagged.path), {
    sha: untagged.sha,
    commitTime: COMMIT_TIME,
  });
});

test('outside a git work tree there are no git facts', async () => {
  assert.equal(await readGitFacts(folder()), undefined);
});

test('the version comes from HEAD tag when nothing else names it', async () => {
  const tagged = repository('v0.8.0-rc.1');
  const inputs = await gatherPlanInputs(parseReleaseFile(SMALL_RELEASE), {
    cwd: tagged.path,
    env: { SOURCE_DATE_EPOCH: '1' },
  });
  assert.equal(inputs.versionFrom, 'git-tag');
  assert.equal(inputs.version.normalized, '0.8.0-rc.1');
  assert.equal(inputs.version.prerelease, true);
  assert.equal(inputs.git?.sha, tagged.sha);
  assert.equal(inputs.sourceDateEpoch, '1');
});

test('the variable the file names wins over the tag; --version over both', async () => {
  const tagged = repository('v1.0.0');
  const file = parseReleaseFile(`version: { env: TOOL_VERSION }\n${SMALL_RELEASE}`);
  const fromEnv = await gatherPlanInputs(file, {
    cwd: tagged.path,
    env: { TOOL_VERSION: 'v2.0.0' },
  });
  assert.deepEqual(
    [fromEnv.versionFrom, fromEnv.version.normalized],
    ['environment', '2.0.0'],
  );

  const fromArgument = await gatherPlanInputs(file, {
    cwd: tagged.path,
    version: '3.0.0',
    env: { TOOL_VERSION: 'v2.0.0' },
  });
  assert.deepEqual(fromArgument.versionFrom, 'argument');
});

test('no version anywhere is an error that names the variable', async () => {
  const file = parseReleaseFile(`version: { env: TOOL_VERSION }\n${SMALL_RELEASE}`);
  await assert.rejects(
    gatherPlanInputs(file, { cwd: repository().path, env: {} }),
    (error) =>
      isGantryError(error, ErrorCode.InvalidVersion) &&
      error.message.includes('$TOOL_VERSION'),
  );
});
