import { ErrorCode, GantryError } from '../errors.js';
import { configPlatform, parseImageConfig } from '../oci/config.js';
import type { ImageIndex, ImageManifest } from '../oci/manifest.js';
import { isImageConfigType } from '../oci/mediatype.js';
import { type Platform, platformToString } from '../oci/platform.js';
import { platformMatches, requirePlatform } from '../oci/platform-match.js';
import type { Reference } from '../reference/reference.js';
import type { RegistryClient } from '../registry/client.js';

/**
 * An image config is a few KiB of JSON; anything far larger named by a
 * manifest is refused rather than read into memory. 4 MiB matches the
 * manifest limit registries apply (oci/manifest.ts, MAX_MANIFEST_BYTES).
 */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/** The manifest chosen, where it is, and its config's platform when read. */
export interface PlatformChoice {
  manifest: ImageManifest | ImageIndex;
  at: Reference;
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
  client: RegistryClient,
  ref: Reference,
  manifest: ImageManifest | ImageIndex,
  wanted: Platform,
): Promise<PlatformChoice> {
  if (manifest.kind === 'index') {
    const entry = requirePlatform(wanted, manifest.manifests, `index ${ref}`);
    const at = ref.withDigest(entry.digest);
    return { manifest: await client.getManifest(at), at };
  }

  const actual = await imagePlatform(client, ref, manifest);
  if (actual !== undefined && !platformMatches(wanted, actual)) {
    throw new GantryError(
      ErrorCode.PlatformNotFound,
      `${ref} is an image for ${platformToString(actual)}, ` +
        `not ${platformToString(wanted)}`,
      { hint: 'drop --platform, or name an index that holds the platform' },
    );
  }
  return { manifest, at: ref, ...(actual === undefined ? {} : { platform: actual }) };
}

/** The config's platform; undefined for artifacts, whose config is no image config. */
export async function imagePlatform(
  client: RegistryClient,
  ref: Reference,
  manifest: ImageManifest,
): Promise<Platform | undefined> {
  const { config } = manifest;
  if (!isImageConfigType(config.mediaType)) return undefined;
  if (config.size > MAX_CONFIG_BYTES) {
    throw new GantryError(
      ErrorCode.InvalidConfig,
      `config ${config.digest} of ${ref} declares ${config.size} bytes, ` +
        `over the ${MAX_CONFIG_BYTES}-byte limit`,
    );
  }

  const stream = await client.getBlob(ref, { digest: config.digest, size: config.size });
  const bytes = Buffer.concat(await stream.toArray());
  const where = `config of ${ref}`;
  return configPlatform(
    parseImageConfig(bytes, { expectedDigest: config.digest, where }),
  );
}
