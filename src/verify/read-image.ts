import { isGantryError } from '../errors.js';
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

/** A platform image not read whole: its child manifest or config is absent. */
export interface IncompleteImage {
  /** The index entry, or a descriptor of the root for a single manifest. */
  descriptor: Descriptor;
  /** `os/arch[/variant]` the index entry declares, when it declares one. */
  platform?: string;
  /** The platform manifest, when only its config is absent. */
  manifest?: ImageManifest;
  /** The absent blob: the child manifest or the config. */
  missing: Descriptor;
  what: 'manifest' | 'config';
}

export interface ImageTree {
  root: Manifest;
  platforms: PlatformImage[];
  attestations: Descriptor[];
  /** Only when read tolerant: platform images with an absent manifest or config. */
  incomplete: IncompleteImage[];
}

export interface ReadImageOptions {
  /** An absent child manifest or config is listed in `incomplete`, not thrown. */
  tolerant?: boolean;
}

/** Reads the image a descriptor names; errors are the target's GantryErrors. */
export async function readImage(
  target: ReadTarget,
  descriptor: Descriptor,
  options: ReadImageOptions = {},
): Promise<ImageTree> {
  const root = await readManifest(target, descriptor);
  const tree: ImageTree = { root, platforms: [], attestations: [], incomplete: [] };
  if (root.kind === 'manifest') {
    await addPlatform(tree, target, descriptor, root, options);
    return tree;
  }

  for (const entry of root.manifests) {
    if (isAttestation(entry)) {
      tree.attestations.push(entry);
      continue;
    }
    let manifest: Manifest;
    try {
      manifest = await readManifest(target, entry);
    } catch (error) {
      if (options.tolerant !== true || !isAbsent(error)) throw error;
      tree.incomplete.push({
        descriptor: entry,
        ...declared(entry),
        missing: entry,
        what: 'manifest',
      });
      continue;
    }
    // A nested index is not an image gantry publishes: seen only as its entry.
    if (manifest.kind === 'manifest') {
      await addPlatform(tree, target, entry, manifest, options);
    }
  }
  return tree;
}

async function addPlatform(
  tree: ImageTree,
  target: ReadTarget,
  descriptor: Descriptor,
  manifest: ImageManifest,
  options: ReadImageOptions,
): Promise<void> {
  try {
    tree.platforms.push(await readPlatform(target, descriptor, manifest));
  } catch (error) {
    if (options.tolerant !== true || !isAbsent(error)) throw error;
    tree.incomplete.push({
      descriptor,
      ...declared(descriptor),
      manifest,
      missing: manifest.config,
      what: 'config',
    });
  }
}

function isAbsent(error: unknown): boolean {
  return isGantryError(error, 'GANTRY_E_NOT_FOUND');
}

function declared(descriptor: Descriptor): { platform?: string } {
  return descriptor.platform === undefined
    ? {}
    : { platform: platformToString(descriptor.platform) };
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
  for (const image of tree.incomplete) {
    if (image.manifest === undefined) continue;
    types.push(image.manifest.mediaType, image.manifest.config.mediaType);
    types.push(...image.manifest.layers.map((layer) => layer.mediaType));
  }
  return [...new Set(types)];
}
