import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReleaseRecord } from '../../src/release/record.js';
import { GANTRY_BIN, runGantry } from '../harness/cli.js';

/**
 * A release in its own git repository, for the tests that check that a
 * release's record is what verify, a re-run and rollback work from.
 */

/** Commits as a fixed author, whatever the machine's git configuration. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync(
    'git',
    ['-c', 'user.name=gantry test', '-c', 'user.email=test@example.invalid', ...args],
    { cwd, encoding: 'utf8' },
  ).trim();
}

/** A tool release in a new git repository at `work`, with one commit. */
export async function gitRelease(work: string, destination: string): Promise<void> {
  for (const arch of ['amd64', 'arm64']) {
    await mkdir(join(work, 'dist', arch), { recursive: true });
    await writeFile(join(work, 'dist', arch, 'tool'), `#!/bin/sh\necho ${arch}\n`);
  }
  const file = [
    `destinations: [${destination}]`,
    'base:',
    '  files:',
    '    - from: dist/$TARGETARCH/tool',
    '      to: /usr/local/bin/tool',
    '  entrypoint: [/usr/local/bin/tool]',
    'tags:',
    "  base: ['{{version}}', '{{major}}', sha]",
  ].join('\n');
  await writeFile(join(work, 'release.yaml'), file);
  git(work, 'init', '-q');
  git(work, 'add', '.');
  git(work, 'commit', '-q', '-m', 'first');
}

/** `gantry ARGS` in `work` with these environment variables. */
export function gantryIn(work: string, args: string[], env: Record<string, string> = {}) {
  return runGantry(args, { cwd: work, env });
}

export async function readRecord(path: string): Promise<ReleaseRecord> {
  return JSON.parse(await readFile(path, 'utf8')) as ReleaseRecord;
}

export interface InterruptedRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Whether SIGINT was sent (a line matched `when` before the run ended). */
  sent: boolean;
}

/**
 * A release stopped by SIGINT after it wrote tags: exit 1, GANTRY_E_ABORTED,
 * how many tags were written and how to finish.
 */
export function assertStoppedAfterTags(run: InterruptedRun): void {
  assert.equal(run.sent, true, run.stderr);
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /GANTRY_E_ABORTED/);
  assert.match(run.stderr, /the release was interrupted: \d+ tags? (?:were|was) written/);
  assert.match(run.stderr, /run the same gantry release again to finish/);
}

/**
 * `gantry ARGS` in `work` as in CI (plain progress lines), sent SIGINT as
 * soon as its stderr has a line matching `when`.
 */
export function interruptedGantry(
  work: string,
  args: string[],
  when: RegExp,
  env: NodeJS.ProcessEnv = {},
): Promise<InterruptedRun> {
  const child = spawn(process.execPath, [GANTRY_BIN, ...args], {
    cwd: work,
    env: { ...process.env, CI: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let sent = false;
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    if (!sent && when.test(stderr)) {
      sent = true;
      child.kill('SIGINT');
    }
  });
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  return new Promise((done) => {
    child.once('close', (code) => done({ code, stdout, stderr, sent }));
  });
}

/**
 * `gantry build --push-by-digest REPOSITORY` of the Dockerfile in `work`,
 * once for linux/amd64 and once for linux/arm64; the metadata files
 * written, `work/PREFIX-<arch>.json`, as `release --from-digests` takes them.
 */
export async function buildByDigest(
  work: string,
  repository: string,
  prefix = 'digests',
): Promise<string[]> {
  const files: string[] = [];
  for (const arch of ['amd64', 'arm64']) {
    const out = join(work, `${prefix}-${arch}.json`);
    const args = ['build', '--platform', `linux/${arch}`, '--push-by-digest', repository];
    const build = await runGantry([...args, '--metadata-file', out, work], { cwd: work });
    if (build.code !== 0) throw new Error(`build for ${arch} failed:\n${build.stderr}`);
    files.push(out);
  }
  return files;
}
