import { ErrorCode, GantryError } from '../errors.js';
import { createIndex } from '../oci/create.js';
import { describeManifest, type ImageIndex } from '../oci/manifest.js';
import { familyOf, MediaType } from '../oci/mediatype.js';
import { normalizePlatform, platformToString } from '../oci/platform.js';
import type { BuiltManifest, PlatformBuild } from './build-image.js';

/**
 * The index of a multi-platform build: which platforms it may hold, and
 * the index written over the platform images.
 */

/** At least one build, and one per platform: an index holds each platform once. */
export function checkPlatforms(builds: readonly PlatformBuild[]): void {
  if (builds.length === 0) {
    throw new GantryError(ErrorCode.Usage, 'nothing to build: no platform given', {
      hint: 'give at least one platform, e.g. linux/amd64',
    });
  }
  const seen = new Set<string>();
  for (const { platform } of builds) {
    const name = platformToString(normalizePlatform(platform));
    if (seen.has(name)) {
      throw new GantryError(ErrorCode.Usage, `platform ${name} is given twice`, {
        hint: 'list each platform once',
      });
    }
    seen.add(name);
  }
}

/**
 * An OCI index, or a Docker manifest list when every image is Docker schema
 * 2 and no annotation is asked for (a list and its entries have none).
 * Descriptor annotations follow image-spec image-index.md `manifests[]`.
 */
export function indexOf(
  manifests: BuiltManifest[],
  annotations: Record<string, string> | undefined,
  onDescriptors: Record<string, string> | undefined,
): ImageIndex {
  const allDocker = manifests.every((m) => familyOf(m.manifest.mediaType) === 'docker');
  const mediaType =
    allDocker && annotations === undefined && onDescriptors === undefined
      ? MediaType.DockerManifestList
      : MediaType.OciIndex;
  const extra = onDescriptors === undefined ? {} : { annotations: onDescriptors };
  return createIndex({
    mediaType,
    manifests: manifests.map((m) =>
      describeManifest(m.manifest, { platform: m.platform, ...extra }),
    ),
    ...(annotations === undefined ? {} : { annotations }),
  });
}
