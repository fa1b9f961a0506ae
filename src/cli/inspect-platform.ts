import { ErrorCode, GantryError } from '../errors.js';
import { configPlatform, parseImageConfig } from '../oci/config.js';
import type { ImageIndex, ImageManifest } from '../oci/manifest.js';
import { isImageConfigType } from '../oci/mediatype.js';
import { type Platform, platformToString } from '../oci/platform.js';
import { platformMatches, requirePlatform } from '../oci/platform-match.js';
import { fetchManifest, type Location } from './inspect-source.js';

/**
 * An image config is a few KiB of JSON; anything far larger named by a
 * manifest is refused rather than read into memory. 4 MiB matches the
 * manifest limit registries apply (oci/manifest.ts, MAX_MANIFEST_BYTES).
 */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/** The manifest chosen, where it is, and its config's platform when read. */
export interface PlatformChoice {
  manifest: ImageManifest | ImageIndex;
  at: Location;
  platform?: Platform;
}

/**
 * The manifest `--platform` asks for. From an index, the entry for that
 * platform (arm64 ≡ arm64/v8, see oci/platform-match.ts); attestations and
 * entries without a platform are never chosen. A single image
 * manifest is checked against its config's platform, so `--platform` never
 * silently shows an image for another platform.
 */
export async function selectForPlatform(
  at: Location,
  manifest: ImageManifest | ImageIndex,
  wanted: Platform,
): Promise<PlatformChoice> {
  if (manifest.kind === 'index') {
    const entry = requirePlatform(wanted, manifest.manifests, `index ${at.shown}`);
    const child = at.child(entry.digest);
    return { manifest: await fetchManifest(at.target, entry, child.shown), at: child };
  }

  const actual = await imagePlatform(at, manifest);
  if (actual !== undefined && !platformMatches(wanted, actual)) {
    throw new GantryError(
      ErrorCode.PlatformNotFound,
      `${at.shown} is an image for ${platformToString(actual)}, ` +
        `not ${platformToString(wanted)}`,
      { hint: 'drop --platform, or name an index that holds the platform' },
    );
  }
  return { manifest, at, ...(actual === undefined ? {} : { platform: actual }) };
}

/** The config's platform; undefined for artifacts, whose config is no image config. */
export async function imagePlatform(
  at: Location,
  manifest: ImageManifest,
): Promise<Platform | undefined> {
  const { config } = manifest;
  if (!isImageConfigType(config.mediaType)) return undefined;
  if (config.size > MAX_CONFIG_BYTES) {
    throw new GantryError(
      ErrorCode.InvalidConfig,
      `config ${config.digest} of ${at.shown} declares ${config.size} bytes, ` +
        `over the ${MAX_CONFIG_BYTES}-byte limit`,
      { hint: 'this is no image config a build tool writes: inspect --raw shows it' },
    );
  }

  const bytes = await at.target.fetchBytes(config, MAX_CONFIG_BYTES);
  const where = `config of ${at.shown}`;
  return configPlatform(
    parseImageConfig(bytes, { expectedDigest: config.digest, where }),
  );
}
