import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Measured, measure } from './measure.js';

/**
 * The two copiers under test, each run as its own process the way a user
 * runs it: gantry's built CLI and skopeo. Both copy every platform and the
 * attestation manifests (`skopeo copy --all`; gantry copies all by
 * default). Both talk plain HTTP to the loopback registries.
 */

export const GANTRY_BIN = fileURLToPath(new URL('../../bin/gantry.cjs', import.meta.url));
export const SKOPEO = 'skopeo';

/**
 * skopeo keeps a blob-info cache (as root in BLOB_INFO_CACHE_DIR) of where
 * it has seen each blob, and mounts a blob from any repository of the
 * destination registry it remembers. Across benchmark runs that turns
 * "copy to a fresh repository" into a mount from the previous run's. A
 * cold run hides the cache behind an empty tmpfs in a private mount
 * namespace (unshare(1), root only), so every run starts alike; the warm
 * variant is measured as well, since it is what a user's second copy gets.
 */
const BLOB_INFO_CACHE_DIR = '/var/lib/containers/cache';

export type Tool = 'gantry' | 'skopeo' | 'skopeo-warm';

/** The tools each comparison alternates between. */
export const TOOLS = ['gantry', 'skopeo'] as const;

let coldCache: boolean | undefined;

/** Whether skopeo can run with an empty blob-info cache here. */
export function skopeoRunsCold(): boolean {
  if (coldCache === undefined) {
    try {
      execFileSync('unshare', ['-m', 'sh', '-c', coldMount('true')], { stdio: 'ignore' });
      coldCache = true;
    } catch {
      coldCache = false;
    }
  }
  return coldCache;
}

export function copyWith(
  tool: Tool,
  source: string,
  destination: string,
  options: { rss?: boolean } = {},
): Promise<Measured> {
  if (tool === 'gantry') {
    return measure(process.execPath, [GANTRY_BIN, 'copy', source, destination], options);
  }
  const args = [
    'copy',
    '--all',
    '--quiet',
    '--src-tls-verify=false',
    '--dest-tls-verify=false',
    `docker://${source}`,
    `docker://${destination}`,
  ];
  if (tool === 'skopeo-warm' || !skopeoRunsCold()) return measure(SKOPEO, args, options);
  // `exec` keeps skopeo the process whose peak RSS GNU time reports.
  const script = coldMount(`exec ${SKOPEO} "$@"`);
  return measure('unshare', ['-m', 'sh', '-c', script, 'sh', ...args], options);
}

/** Start-up alone: `--version`, which loads the program and exits. */
export function startWith(tool: 'gantry' | 'skopeo'): Promise<Measured> {
  return tool === 'gantry'
    ? measure(process.execPath, [GANTRY_BIN, '--version'])
    : measure(SKOPEO, ['--version']);
}

function coldMount(then: string): string {
  return `mount -t tmpfs none ${BLOB_INFO_CACHE_DIR} && ${then}`;
}

/**
 * Checks that gantry reported the source digest for the destination: the
 * benchmark times byte-exact copies only. gantry prints `REF@DIGEST`.
 */
export function assertSameDigest(run: Measured, digest: string, what: string): void {
  const printed = run.stdout.trim().split('@').pop();
  if (printed !== digest) {
    throw new Error(`${what}: gantry printed ${run.stdout.trim()}, expected ${digest}`);
  }
}
