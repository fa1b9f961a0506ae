import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { type GantryRun, runGantry } from '../harness/cli.js';
import type { TestRegistry } from '../harness/registries.js';
import { TEST_USERS } from '../harness/users.js';
import { access } from './support.js';

/**
 * Shared steps of the `gantry copy` tests: running gantry against the test
 * registries, and asking skopeo (an independent reader) what a reference
 * holds. The registries used here speak plain HTTP on loopback.
 */

const SKOPEO = '/usr/bin/skopeo';

export function sha256(text: string | Buffer): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/** `gantry ARGS...` with the flags and stdin `registry` needs (alice, or `user`). */
export function gantryOn(
  registry: TestRegistry | undefined,
  args: string[],
  user: 'alice' | 'bob' = 'alice',
): Promise<GantryRun> {
  if (registry === undefined) return runGantry(args);
  const { flags, input } = access(registry, user);
  return runGantry([...flags, ...args], input === undefined ? {} : { input });
}

/** The exact bytes skopeo reads for `image` (`docker://...`, `oci:...`, ...). */
export function skopeoRaw(image: string, registry?: TestRegistry): string {
  return execFileSync(SKOPEO, ['inspect', '--raw', ...skopeoFlags(registry), image], {
    encoding: 'utf8',
  });
}

/** `skopeo inspect` (not raw): its JSON view of an image, or it throws. */
export function skopeoInspect(image: string): Record<string, unknown> {
  const out = execFileSync(SKOPEO, ['inspect', image], { encoding: 'utf8' });
  return JSON.parse(out) as Record<string, unknown>;
}

/** The exact config bytes skopeo reads for `image`. */
export function skopeoConfig(image: string): Buffer {
  return execFileSync(SKOPEO, ['inspect', '--config', '--raw', image]);
}

function skopeoFlags(registry: TestRegistry | undefined): string[] {
  if (registry === undefined) return [];
  const flags = ['--tls-verify=false'];
  if (registry.users !== undefined) flags.push('--creds', `alice:${TEST_USERS.alice}`);
  return flags;
}

/** The one line a successful copy prints on stdout: `DEST[:tag]@digest`. */
export function printedDigest(run: GantryRun): string {
  const lines = run.stdout.trim().split('\n');
  return lines[lines.length - 1]!.split('@').pop()!;
}
