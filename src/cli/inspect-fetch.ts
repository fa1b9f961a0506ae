import { attestedDigest, type Descriptor, isAttestation } from '../oci/descriptor.js';
import type { ImageIndex, ImageManifest } from '../oci/manifest.js';
import { platformToString } from '../oci/platform.js';
import type { Reference } from '../reference/reference.js';
import type { RegistryClient } from '../registry/client.js';
import type { DescriptorInfo, ManifestInfo } from './inspect-view.js';

/**
 * Fetches what `gantry inspect` shows below an index: every entry's manifest
 * (platform images, attestations, nested indexes, recursively), each once.
 * Only manifests are read; no config or layer blob is fetched.
 *
 * TODO(perf): children are fetched one after another; a wide index would
 * gain from a few requests in flight.
 */
export async function fetchChildren(
  client: RegistryClient,
  ref: Reference,
  root: ImageManifest | ImageIndex,
): Promise<Map<string, ManifestInfo>> {
  const children = new Map<string, ManifestInfo>();
  const pending = root.kind === 'index' ? [...root.manifests] : [];

  while (pending.length > 0) {
    const entry = pending.shift()!;
    const key = entry.digest.toString();
    if (children.has(key)) continue;

    const child = await client.getManifest(ref.withDigest(entry.digest));
    children.set(key, manifestInfo(child));
    if (child.kind === 'index') pending.push(...child.manifests);
  }
  return children;
}

/** The view of a parsed manifest or index that inspect-view.ts works on. */
export function manifestInfo(manifest: ImageManifest | ImageIndex): ManifestInfo {
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
