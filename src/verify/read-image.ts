import { type ImageConfig, parseImageConfig } from '../oci/config.js';
import { type Descriptor, isAttestation } from '../oci/descriptor.js';
import { type ImageManifest, type Manifest, parseManifest } from '../oci/manifest.js';
import { platformToString } from '../oci/platform.js';
import type { ReadTarget } from '../store/target.js';

/**
 * An image read back whole, for checking and comparing: the root manifest
 * or index, each platform's manifest and config, and the attestation
 * entries. Reads only manifests and configs, never layers.
 */

export interface PlatformImage {
  /** `os/arch[/variant]` from the config (the index entry may say otherwise). */
  platform: string;
  /** The index entry, or a descriptor of the root for a single manifest. */
  descriptor: Descriptor;
  manifest: ImageManifest;
  config: ImageConfig;
}

export interface ImageTree {
  root: Manifest;
  platforms: PlatformImage[];
  attestations: Descriptor[];
}

/** Reads the image a descriptor names; errors are the target's GantryErrors. */
export async function readImage(
  target: ReadTarget,
  descriptor: Descriptor,
): Promise<ImageTree> {
  const root = await readManifest(target, descriptor);
  if (root.kind === 'manifest') {
    return {
      root,
      platforms: [await readPlatform(target, descriptor, root)],
      attestations: [],
    };
  }

  const platforms: PlatformImage[] = [];
  const attestations: Descriptor[] = [];
  for (const entry of root.manifests) {
    if (isAttestation(entry)) {
      attestations.push(entry);
      continue;
    }
    const manifest = await readManifest(target, entry);
    // A nested index is not an image gantry publishes: seen only as its entry.
    if (manifest.kind === 'manifest') {
      platforms.push(await readPlatform(target, entry, manifest));
    }
  }
  return { root, platforms, attestations };
}

export async function readManifest(
  target: ReadTarget,
  descriptor: Descriptor,
): Promise<Manifest> {
  const bytes = await target.fetchBytes(descriptor);
  return parseManifest(bytes, {
    expectedDigest: descriptor.digest,
    descriptorMediaType: descriptor.mediaType,
    where: `${target.description}@${descriptor.digest}`,
  });
}

async function readPlatform(
  target: ReadTarget,
  descriptor: Descriptor,
  manifest: ImageManifest,
): Promise<PlatformImage> {
  const bytes = await target.fetchBytes(manifest.config);
  const config = parseImageConfig(bytes, {
    expectedDigest: manifest.config.digest,
    where: `${target.description} config ${manifest.config.digest}`,
  });
  return { platform: platformToString(config.platform), descriptor, manifest, config };
}

/** Every media type in the tree: root, entries, configs and layers. */
export function mediaTypesOf(tree: ImageTree): string[] {
  const types = [tree.root.mediaType];
  if (tree.root.kind === 'index')
    types.push(...tree.root.manifests.map((d) => d.mediaType));
  for (const image of tree.platforms) {
    types.push(image.manifest.mediaType, image.manifest.config.mediaType);
    types.push(...image.manifest.layers.map((layer) => layer.mediaType));
  }
  return [...new Set(types)];
}
