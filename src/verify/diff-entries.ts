import type { ImageConfig } from '../oci/config.js';
import type { ImageManifest } from '../oci/manifest.js';
import type { MissingPiece } from './diff.js';
import type { ImageTree } from './read-image.js';

/**
 * One side's platform images as diff pairs them: the complete ones and
 * those read without their child manifest or config, each under the
 * platform it is known by.
 */

export interface ImageEntry {
  /** Undefined only for a lone image whose config is absent on both sides. */
  platform: string | undefined;
  /** Undefined when the child manifest is absent. */
  manifest: ImageManifest | undefined;
  /** Undefined when the manifest or the config is absent. */
  config: ImageConfig | undefined;
  /** What is absent, if anything. */
  missing?: { digest: string; what: 'manifest' | 'config' };
}

/**
 * The entries of `tree`. An incomplete image is known by the platform its
 * index entry declares; a lone image (the root is a manifest) whose config
 * is absent takes the platform of the other side's lone image, since the
 * two are what is compared.
 */
export function imageEntries(tree: ImageTree, other: ImageTree): ImageEntry[] {
  const entries: ImageEntry[] = tree.platforms.map((image) => ({
    platform: image.platform,
    manifest: image.manifest,
    config: image.config,
  }));
  for (const image of tree.incomplete) {
    entries.push({
      platform: image.platform ?? loneImagePlatform(tree, other),
      manifest: image.manifest,
      config: undefined,
      missing: { digest: image.missing.digest.toString(), what: image.what },
    });
  }
  return entries;
}

function loneImagePlatform(tree: ImageTree, other: ImageTree): string | undefined {
  if (tree.root.kind !== 'manifest' || other.root.kind !== 'manifest') return undefined;
  return other.platforms[0]?.platform;
}

/** What `side` lacks, in the order of its entries. */
export function missingPieces(entries: ImageEntry[], side: 'a' | 'b'): MissingPiece[] {
  return entries.flatMap((entry) =>
    entry.missing === undefined
      ? []
      : [
          {
            side,
            ...(entry.platform === undefined ? {} : { platform: entry.platform }),
            ...entry.missing,
          },
        ],
  );
}
