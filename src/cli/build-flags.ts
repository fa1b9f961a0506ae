import { hostPlatform } from '../build/platform-args.js';
import { type Platform, platformToString } from '../oci/platform.js';
import { parseUserPlatform } from '../release/file-platforms.js';
import { usageError } from './options.js';

/**
 * The flags of `gantry build` that are lists of values: platforms, build
 * arguments, labels and annotations, checked and turned into the shapes
 * the build library takes.
 */

/**
 * `--platform a,b --platform c` → three platforms, each once. Without the
 * flag: linux on this machine's architecture, as `docker build` does.
 */
export function parsePlatforms(values: string[] | undefined): Platform[] {
  const texts = (values ?? []).flatMap((value) => value.split(',')).map((t) => t.trim());
  if (texts.length === 0) return [{ ...hostPlatform(), os: 'linux' }];
  const seen = new Map<string, Platform>();
  for (const text of texts.filter((t) => t !== '')) {
    const platform = parseUserPlatform(text);
    seen.set(platformToString(platform), platform);
  }
  return [...seen.values()];
}

/** `K=V` pairs; with `fromEnv`, a bare `K` takes its value from the environment. */
export function parsePairs(
  values: string[] | undefined,
  flag: string,
  fromEnv?: NodeJS.ProcessEnv,
): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const value of values ?? []) {
    const eq = value.indexOf('=');
    if (eq < 0 && fromEnv !== undefined) {
      const found = fromEnv[value];
      if (found !== undefined) pairs[value] = found;
      continue;
    }
    if (eq <= 0)
      throw usageError(`${flag} "${value}" is not KEY=VALUE`, `write ${flag} KEY=VALUE`);
    pairs[value.slice(0, eq)] = value.slice(eq + 1);
  }
  return pairs;
}

export interface Annotations {
  manifest: Record<string, string>;
  index: Record<string, string>;
}

/**
 * `--annotation [index:|manifest:]K=V`. An un-prefixed annotation goes
 * where the result's top is: the index when several platforms are built,
 * the manifest otherwise; it is never dropped (field case BR-12).
 */
export function parseAnnotations(
  values: string[] | undefined,
  isIndex: boolean,
): Annotations {
  const result: Annotations = { manifest: {}, index: {} };
  for (const value of values ?? []) {
    const match = /^(index|manifest):(.*)$/.exec(value);
    // BuildKit's other levels (`manifest-descriptor:`, `index-descriptor:`,
    // `manifest[linux/amd64]:`) are refused, not kept as part of the key.
    const eq = value.indexOf('=');
    const key = eq < 0 ? value : value.slice(0, eq);
    if (match === null && key.includes(':')) {
      throw usageError(
        `--annotation ${value}: gantry build annotates the index or the manifests ` +
          `(index:KEY=VALUE, manifest:KEY=VALUE), not "${key.slice(0, key.indexOf(':'))}"`,
        'annotate index entries (descriptors) with gantry index create --annotation',
      );
    }
    const level = match?.[1] ?? (isIndex ? 'index' : 'manifest');
    const pair = match?.[2] ?? value;
    if (level === 'index' && !isIndex) {
      throw usageError(
        `--annotation ${value}: one platform is built, so there is no index to annotate`,
        'use manifest:KEY=VALUE, or build several platforms',
      );
    }
    Object.assign(result[level as keyof Annotations], parsePairs([pair], '--annotation'));
  }
  return result;
}
