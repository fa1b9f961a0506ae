import { ErrorCode, isGantryError } from '../errors.js';
import { attestedDigest, type Descriptor, isAttestation } from '../oci/descriptor.js';
import type { ImageIndex, ImageManifest } from '../oci/manifest.js';
import { type Platform, platformToString } from '../oci/platform.js';
import type { DescriptorInfo, ManifestInfo } from './inspect-document.js';
import { fetchManifest, type Location } from './inspect-source.js';

/** The manifests below an index, and the digests the repository lacks. */
export interface FetchedChildren {
  manifests: Map<string, ManifestInfo>;
  missing: Set<string>;
}

/**
 * Fetches what `gantry inspect` shows below an index: every entry's manifest
 * (platform images, attestations, nested indexes, recursively), each once.
 * Only manifests are read; no config or layer blob is fetched. An entry the
 * target answers "not found" for (a child deleted by digest from a
 * registry, a blob missing from a layout) is recorded as missing, so the
 * index is still shown.
 *
 * TODO(perf): children are fetched one after another; a wide index would
 * gain from a few requests in flight.
 */
export async function fetchChildren(
  at: Location,
  root: ImageManifest | ImageIndex,
): Promise<FetchedChildren> {
  const children: FetchedChildren = { manifests: new Map(), missing: new Set() };
  const pending = root.kind === 'index' ? [...root.manifests] : [];

  while (pending.length > 0) {
    const entry = pending.shift()!;
    const key = entry.digest.toString();
    if (children.manifests.has(key) || children.missing.has(key)) continue;

    const child = await getIfPresent(at.child(entry.digest), entry);
    if (child === undefined) {
      children.missing.add(key);
      continue;
    }
    children.manifests.set(key, manifestInfo(child));
    if (child.kind === 'index') pending.push(...child.manifests);
  }
  return children;
}

/** The manifest, or undefined when the target does not have it. */
async function getIfPresent(
  at: Location,
  entry: Descriptor,
): Promise<ImageManifest | ImageIndex | undefined> {
  try {
    return await fetchManifest(at.target, entry, at.shown);
  } catch (error) {
    if (isGantryError(error, ErrorCode.NotFound)) return undefined;
    throw error;
  }
}

/**
 * The view of a parsed manifest or index that inspect-view.ts works on;
 * `platform` is an image's platform, read from its config by the caller.
 */
export function manifestInfo(
  manifest: ImageManifest | ImageIndex,
  platform?: Platform,
): ManifestInfo {
  const common = {
    digest: manifest.digest.toString(),
    mediaType: manifest.mediaType,
    size: manifest.bytes.byteLength,
    annotations: manifest.annotations ?? {},
    ...(manifest.artifactType === undefined
      ? {}
      : { artifactType: manifest.artifactType }),
  };
  if (manifest.kind === 'index') {
    return {
      ...common,
      kind: 'index',
      manifests: manifest.manifests.map(descriptorInfo),
      layers: [],
    };
  }
  return {
    ...common,
    kind: 'manifest',
    manifests: [],
    config: descriptorInfo(manifest.config),
    layers: manifest.layers.map(descriptorInfo),
    ...(platform === undefined ? {} : { platform: platformToString(platform) }),
  };
}

export function descriptorInfo(descriptor: Descriptor): DescriptorInfo {
  const attests = attestedDigest(descriptor);
  const showPlatform = descriptor.platform !== undefined && !isAttestation(descriptor);
  return {
    mediaType: descriptor.mediaType,
    digest: descriptor.digest.toString(),
    size: descriptor.size,
    annotations: descriptor.annotations ?? {},
    ...(showPlatform ? { platform: platformToString(descriptor.platform!) } : {}),
    ...(attests === undefined ? {} : { attests: attests.toString() }),
  };
}
