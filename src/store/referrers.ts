import type { Descriptor } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import { type Manifest, parseManifest } from '../oci/manifest.js';
import { isManifestType } from '../oci/mediatype.js';

/**
 * Referrers in a store that has no referrers API: the manifests reachable
 * from the store's roots whose `subject` names the digest (image-spec
 * manifest.md, "subject"), plus the entries of the referrers tag-schema
 * index (distribution-spec v1.1, "Referrers Tag Schema") when the store has
 * a tag `<alg>-<hex>` holding an index.
 *
 * The walk visits every manifest once (a set of digests seen), so an index
 * whose subject is one of its own children, or any other cycle, ends.
 * TODO(perf): every lookup reads every manifest; a store that answers many
 * lookups should keep a subject → referrers map.
 */

export interface ReferrerScan {
  /** Where the walk starts: a layout's index.json entries, or every manifest. */
  roots: readonly Descriptor[];
  /** The descriptor at the `<alg>-<hex>` tag of the subject, when there is one. */
  fallback: Descriptor | undefined;
  fetchBytes(descriptor: Descriptor): Promise<Uint8Array>;
  exists(descriptor: Descriptor): Promise<boolean>;
}

export async function scanReferrers(
  scan: ReferrerScan,
  subject: Digest,
  artifactType?: string,
): Promise<Descriptor[]> {
  const found = new Map<string, Descriptor>();
  const seen = new Set<string>();
  const queue = [...scan.roots];

  while (queue.length > 0) {
    const next = queue.shift()!;
    const manifest = await readIfManifest(scan, next, seen);
    if (manifest === undefined) continue;
    if (manifest.subject?.digest.equals(subject)) {
      found.set(manifest.digest.toString(), referrerDescriptor(manifest));
    }
    if (manifest.kind === 'index') queue.push(...manifest.manifests);
  }

  for (const entry of await fallbackEntries(scan, seen)) {
    const key = entry.digest.toString();
    if (!found.has(key)) found.set(key, entry);
  }
  const all = [...found.values()];
  return artifactType === undefined
    ? all
    : all.filter((d) => d.artifactType === artifactType);
}

/** Reads a manifest or index once; other content and missing children are skipped. */
async function readIfManifest(
  scan: ReferrerScan,
  descriptor: Descriptor,
  seen: Set<string>,
): Promise<Manifest | undefined> {
  const key = descriptor.digest.toString();
  if (seen.has(key) || !isManifestType(descriptor.mediaType)) return undefined;
  seen.add(key);
  // A layout may hold only part of an index (one platform copied).
  if (!(await scan.exists(descriptor))) return undefined;
  const bytes = await scan.fetchBytes(descriptor);
  return parseManifest(bytes, {
    expectedDigest: descriptor.digest,
    descriptorMediaType: descriptor.mediaType,
  });
}

/**
 * distribution-spec v1.1, "Listing Referrers": each descriptor carries the
 * manifest's `artifactType`, or else its config's media type, and the
 * manifest's annotations.
 */
export function referrerDescriptor(manifest: Manifest): Descriptor {
  const descriptor: Descriptor = {
    mediaType: manifest.mediaType,
    digest: manifest.digest,
    size: manifest.size,
  };
  const artifactType =
    manifest.artifactType ??
    (manifest.kind === 'manifest' ? manifest.config.mediaType : undefined);
  if (artifactType !== undefined) descriptor.artifactType = artifactType;
  if (manifest.annotations !== undefined) descriptor.annotations = manifest.annotations;
  return descriptor;
}

/** The entries of the tag-schema index; not an index there means none. */
async function fallbackEntries(
  scan: ReferrerScan,
  seen: Set<string>,
): Promise<Descriptor[]> {
  const fallback = scan.fallback;
  if (fallback === undefined || !isManifestType(fallback.mediaType)) return [];
  if (!(await scan.exists(fallback))) return [];
  seen.add(fallback.digest.toString());
  const bytes = await scan.fetchBytes(fallback);
  const index = parseManifest(bytes, {
    expectedDigest: fallback.digest,
    descriptorMediaType: fallback.mediaType,
  });
  return index.kind === 'index' ? [...index.manifests] : [];
}

/**
 * The referrer descriptor of pushed content when it is a manifest with a
 * `subject`; undefined for anything else, including content that does not
 * parse (it was stored as given; reading it later reports the problem).
 */
export function asReferrer(
  descriptor: Descriptor,
  bytes: Uint8Array,
): Descriptor | undefined {
  if (!isManifestType(descriptor.mediaType)) return undefined;
  try {
    const manifest = parseManifest(bytes, { descriptorMediaType: descriptor.mediaType });
    return manifest.subject === undefined ? undefined : referrerDescriptor(manifest);
  } catch {
    return undefined;
  }
}
