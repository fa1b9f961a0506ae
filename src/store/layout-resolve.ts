import { ErrorCode, GantryError } from '../errors.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import { parseManifest } from '../oci/manifest.js';
import { isManifestType } from '../oci/mediatype.js';
import { findByRefName, type LayoutIndex } from './layout-index.js';
import { digestOrUndefined, notFound } from './names.js';

/**
 * Lookups shared by the layout folder and the archive: both hold an
 * index.json and blobs, and differ only in where the bytes are.
 */

export interface LayoutBlobs {
  readonly description: string;
  /** The size of the blob, or undefined when there is none. */
  blobSize(digest: Digest): Promise<number | undefined>;
  fetchBytes(descriptor: Descriptor, limit?: number): Promise<Uint8Array>;
}

/**
 * A name finds the entry with that ref name; a digest finds the first
 * entry with that digest, or else a manifest or index stored only as a
 * blob (pushed but not tagged).
 */
export async function resolveInLayout(
  index: LayoutIndex,
  blobs: LayoutBlobs,
  tagOrDigest: string,
): Promise<Descriptor> {
  const digest = digestOrUndefined(tagOrDigest);
  if (digest === undefined) {
    const entry = findByRefName(index, tagOrDigest, blobs.description);
    if (entry === undefined) throw notFound(`"${tagOrDigest}"`, blobs.description);
    return entry.descriptor;
  }

  const entry = index.entries.find((e) => e.descriptor.digest.equals(digest));
  if (entry !== undefined) return entry.descriptor;

  const size = await blobs.blobSize(digest);
  if (size === undefined) throw notFound(`manifest ${digest}`, blobs.description);
  const bytes = await blobs.fetchBytes({ mediaType: '', digest, size });
  const manifest = parseManifest(bytes, {
    where: `${digest} in ${blobs.description}`,
  });
  return { mediaType: manifest.mediaType, digest, size };
}

/** A tag may only name a manifest or index that is present and intact. */
export async function checkTaggable(
  blobs: LayoutBlobs,
  descriptor: Descriptor,
): Promise<void> {
  if (!isManifestType(descriptor.mediaType)) {
    throw new GantryError(
      ErrorCode.Usage,
      `${blobs.description}: cannot tag ${descriptor.digest} of type ` +
        `${descriptor.mediaType}: only manifests and indexes take tags`,
    );
  }
  if ((await blobs.blobSize(descriptor.digest)) === undefined) {
    throw notFound(`manifest ${descriptor.digest}`, blobs.description, 'push it first');
  }
  const bytes = await blobs.fetchBytes(descriptor);
  parseManifest(bytes, {
    descriptorMediaType: descriptor.mediaType,
    where: `${descriptor.digest} in ${blobs.description}`,
  });
}

export function readOnlyError(description: string): GantryError {
  return new GantryError(
    ErrorCode.Usage,
    `${description} was opened read-only and cannot be written`,
    { hint: 'open it without readOnly to write' },
  );
}
