import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '../harness/temp-dir.js';
import { writeToolDist } from '../release/support.js';

/** A release file's `base:` that places the tool `writeToolDist` makes. */
export const TOOL_BASE = [
  'base:',
  '  files:',
  '    - from: dist/$TARGETARCH/tool',
  '      to: /tool',
];

/**
 * A temp folder holding the tool for both architectures and, in
 * `release.yaml`, a release of it with `head` (e.g. `destinations: [...]`)
 * before the base.
 */
export async function makeToolWork(prefix: string, head: string[] = []): Promise<string> {
  const work = makeTempDir(prefix);
  await writeToolDist(work);
  await writeToolRelease(work, 'release.yaml', head);
  return work;
}

export async function writeToolRelease(
  work: string,
  name: string,
  head: string[],
): Promise<void> {
  await writeFile(join(work, name), [...head, ...TOOL_BASE].join('\n'));
}
