import { ErrorCode, GantryError } from '../errors.js';
import { createIndex } from '../oci/create.js';
import { attestedDigest, isAttestation } from '../oci/descriptor.js';
import type { ImageIndex } from '../oci/manifest.js';
import { type Platform, platformToString } from '../oci/platform.js';
import { platformMatches } from '../oci/platform-match.js';

/**
 * A platform subset of an index: the entries whose platform is one of
 * `platforms`, plus the BuildKit attestation manifests whose
 * `vnd.docker.reference.digest` names a kept entry. The new index keeps the
 * media type, annotations, subject and artifact type of the source index
 * and each kept entry's descriptor fields; only the list of entries
 * changes, so its digest is new. Undefined when every entry is kept: the
 * source index is copied unchanged, byte for byte.
 *
 * Entries without a platform that are not attestations (a nested index,
 * BR-10) are not a platform and are left out of a subset.
 */
export function selectPlatforms(
  index: ImageIndex,
  platforms: readonly Platform[],
  where: string,
): ImageIndex | undefined {
  const images = index.manifests.filter(
    (entry) =>
      !isAttestation(entry) &&
      entry.platform !== undefined &&
      platforms.some((wanted) => platformMatches(wanted, entry.platform!)),
  );
  if (images.length === 0) throw noPlatform(index, platforms, where);

  const kept = new Set(images.map((entry) => entry.digest.toString()));
  const manifests = index.manifests.filter((entry) => {
    if (kept.has(entry.digest.toString())) return true;
    const described = attestedDigest(entry);
    return described !== undefined && kept.has(described.toString());
  });
  if (manifests.length === index.manifests.length) return undefined;

  return createIndex({
    manifests,
    mediaType: index.mediaType,
    ...(index.annotations === undefined ? {} : { annotations: index.annotations }),
    ...(index.subject === undefined ? {} : { subject: index.subject }),
    ...(index.artifactType === undefined ? {} : { artifactType: index.artifactType }),
  });
}

function noPlatform(
  index: ImageIndex,
  platforms: readonly Platform[],
  where: string,
): GantryError {
  const available = index.manifests.flatMap((entry) =>
    entry.platform !== undefined && !isAttestation(entry)
      ? [platformToString(entry.platform)]
      : [],
  );
  const wanted = platforms.map(platformToString).join(', ');
  return new GantryError(
    ErrorCode.PlatformNotFound,
    `source: ${where}: no image for platform ${wanted}`,
    {
      side: 'source',
      hint: `available: ${available.length > 0 ? available.join(', ') : 'none'}`,
    },
  );
}
