import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReleaseRecord } from '../../src/release/record.js';
import { runGantry } from '../harness/cli.js';

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
