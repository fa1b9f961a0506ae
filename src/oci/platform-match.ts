import { ErrorCode, GantryError } from '../errors.js';
import { AnnotationKey, ATTESTATION_MANIFEST_TYPE } from './descriptor.js';
import {
  assertValidPlatform,
  normalizePlatform,
  type Platform,
  platformProblem,
  platformToString,
} from './platform.js';

/**
 * Platform matching. The image-spec lists the values but does not define
 * matching; gantry follows containerd's `platforms` package: compare after
 * normalisation, so arm64 with no variant ≡ arm64/v8 in both directions and
 * linux/arm ≡ linux/arm/v7.
 */

/** What selection reads of an index entry: its platform and annotations. */
export interface PlatformCandidate {
  platform?: Platform;
  annotations?: Record<string, string>;
}

/** Oldest arm variant a newer arm CPU still runs (ARMv5 is the floor Go supports). */
const OLDEST_ARM_VARIANT = 5;

/**
 * Whether `candidate` is the platform `wanted` names: same os, same
 * architecture, same variant after normalisation. Symmetric. A platform with
 * an invalid variant (`armv8`) matches nothing.
 */
export function platformMatches(wanted: Platform, candidate: Platform): boolean {
  const w = normalizePlatform(wanted);
  const c = normalizePlatform(candidate);
  if (platformProblem(w) !== undefined || platformProblem(c) !== undefined) return false;

  return (
    w.os === c.os &&
    w.architecture === c.architecture &&
    (w.variant ?? '') === (c.variant ?? '')
  );
}

/**
 * The entry that best serves `wanted`, or undefined. `wanted` is normalised
 * first, so aliases (`linux/aarch64`, `linux/x86_64`) select arm64 and amd64.
 * Exact matches win (and among them one with the wanted `osVersion`);
 * failing that, an arm CPU takes the newest older arm variant (v7 runs v6
 * and v5 images, never the other way: a v6 request does not pick a v7-only
 * image). Only platform images are candidates (`isPlatformImage`).
 */
export function selectPlatform<T extends PlatformCandidate>(
  wanted: Platform,
  entries: readonly T[],
): T | undefined {
  assertValidPlatform(wanted);
  const images = entries.filter(isPlatformImage);

  for (const target of fallbackChain(normalizePlatform(wanted))) {
    const matches = images.filter((entry) => platformMatches(target, entry.platform!));
    const sameVersion = matches.find(
      (entry) =>
        wanted.osVersion !== undefined && entry.platform?.osVersion === wanted.osVersion,
    );
    const best = sameVersion ?? matches[0];
    if (best !== undefined) return best;
  }
  return undefined;
}

/**
 * Like `selectPlatform`, but throws PlatformNotFound naming the platforms
 * there are (each once; attestations and entries without one left out).
 */
export function requirePlatform<T extends PlatformCandidate>(
  wanted: Platform,
  entries: readonly T[],
  where: string,
): T {
  const found = selectPlatform(wanted, entries);
  if (found !== undefined) return found;

  const available = availablePlatforms(entries);
  throw new GantryError(
    ErrorCode.PlatformNotFound,
    `${where}: no image for platform ${platformToString(wanted)}`,
    {
      hint: `available: ${available.length > 0 ? available.join(', ') : 'none'}`,
      details: { wanted: platformToString(wanted), available },
    },
  );
}

/**
 * Whether an index entry is an image for a platform: it has a platform and
 * is no BuildKit attestation manifest. Attestations carry the placeholder
 * platform `unknown/unknown` (BuildKit docs, "Attestation storage"); they
 * describe an image, they are not one, so they are never selected.
 */
export function isPlatformImage(entry: PlatformCandidate): boolean {
  return (
    entry.platform !== undefined &&
    entry.annotations?.[AnnotationKey.ReferenceType] !== ATTESTATION_MANIFEST_TYPE
  );
}

/** `os/arch[/variant]` of each platform image, in index order, each once. */
export function availablePlatforms(entries: readonly PlatformCandidate[]): string[] {
  const names = entries.filter(isPlatformImage).map((e) => platformToString(e.platform!));
  return [...new Set(names)];
}

/** `wanted` first, then, for arm, each older variant down to v5. */
function fallbackChain(wanted: Platform): Platform[] {
  const chain = [wanted];
  const level = /^v([0-9]+)$/.exec(wanted.variant ?? '');
  if (wanted.architecture !== 'arm' || level === null) return chain;

  for (let v = Number(level[1]) - 1; v >= OLDEST_ARM_VARIANT; v--) {
    chain.push({ ...wanted, variant: `v${v}` });
  }
  return chain;
}
