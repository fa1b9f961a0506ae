import { fileURLToPath } from 'node:url';
import { type Measured, measure } from './measure.js';

/**
 * The two copiers under test, each run as its own process the way a user
 * runs it: gantry's built CLI and skopeo. Both copy every platform and the
 * attestation manifests (`skopeo copy --all`; gantry copies all by
 * default). Both talk plain HTTP to the loopback registries.
 */

export const GANTRY_BIN = fileURLToPath(new URL('../../bin/gantry.js', import.meta.url));
export const SKOPEO = 'skopeo';

export type Tool = 'gantry' | 'skopeo';

export const TOOLS: readonly Tool[] = ['gantry', 'skopeo'];

export function copyWith(
  tool: Tool,
  source: string,
  destination: string,
  options: { rss?: boolean } = {},
): Promise<Measured> {
  if (tool === 'gantry') {
    return measure(process.execPath, [GANTRY_BIN, 'copy', source, destination], options);
  }
  return measure(
    SKOPEO,
    [
      'copy',
      '--all',
      '--quiet',
      '--src-tls-verify=false',
      '--dest-tls-verify=false',
      `docker://${source}`,
      `docker://${destination}`,
    ],
    options,
  );
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
