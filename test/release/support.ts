import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseReleaseFile } from '../../src/release/file.js';
import type { ReleaseFile } from '../../src/release/file-types.js';
import type { GitFacts } from '../../src/release/git.js';

export const FIXTURES = join(import.meta.dirname, 'fixtures');

/** The real-world release: one base, 24 variants, 27 suffixes. */
export const TWENTY_FOUR_VARIANTS = 'twenty-four-variants.yaml';

export function fixtureText(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

export function fixture(name: string): ReleaseFile {
  return parseReleaseFile(fixtureText(name), name);
}

/** A fixed commit, so plans that use git facts are reproducible in tests. */
export const GIT: GitFacts = {
  sha: '4f2b7c1d9e8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c',
  commitTime: 1_750_000_000,
};

/** A small release: base plus two variants, one with two suffixes. */
export const SMALL_RELEASE = [
  'destinations: [localhost:5000/tool, oci:./out]',
  'base:',
  '  files:',
  '    - from: dist/$TARGETARCH/tool',
  '      to: /tool',
  'variants:',
  '  - from: alpine:3.21',
  '    suffixes: [alpine3.21, alpine]',
  '  - from: debian:bookworm-slim',
  '    suffixes: [debian-slim]',
].join('\n');

/**
 * A release of the tool in `dist/$TARGETARCH/tool` to one destination,
 * with one variant per `from` reference, suffixed as given.
 */
export function toolRelease(destination: string, variants: [string, string][]): string {
  return [
    `destinations: [${destination}]`,
    'base:',
    '  files:',
    '    - from: dist/$TARGETARCH/tool',
    '      to: /tool',
    'variants:',
    ...variants.flatMap(([from, suffix]) => [
      `  - from: ${from}`,
      `    suffixes: [${suffix}]`,
    ]),
  ].join('\n');
}

/** The tool `toolRelease` places: a small script per architecture under `work/dist`. */
export async function writeToolDist(work: string): Promise<void> {
  for (const arch of ['amd64', 'arm64']) {
    await mkdir(join(work, 'dist', arch), { recursive: true });
    await writeFile(join(work, 'dist', arch, 'tool'), `#!/bin/sh\necho ${arch}\n`);
  }
}
